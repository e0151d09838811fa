-- Per-tenant document frequencies of full-text lexemes, kept by triggers on knowledge_chunks.
-- Keyword search reads a word's rarity here instead of counting it over every matching row of
-- the tenant: a tenant with many chunks searches as fast as a small one (bench/kb.py).
CREATE TABLE knowledge_terms (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lexeme     text NOT NULL,
    df         integer NOT NULL,
    PRIMARY KEY (tenant_id, lexeme)
);
SELECT jamono_protect_tenant_table('knowledge_terms');
GRANT SELECT, INSERT, UPDATE, DELETE ON knowledge_terms TO jamono_app;

-- Statement-level, over the transition tables: one upsert per ingest statement, lexemes in a
-- fixed order so concurrent ingests of one tenant never deadlock.
CREATE FUNCTION jamono_knowledge_terms_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO knowledge_terms (tenant_id, lexeme, df)
    SELECT c.tenant_id, l.lexeme, count(*)::int
    FROM added_chunks c, unnest(tsvector_to_array(c.tsv)) AS l(lexeme)
    GROUP BY c.tenant_id, l.lexeme ORDER BY c.tenant_id, l.lexeme
    ON CONFLICT (tenant_id, lexeme) DO UPDATE SET df = knowledge_terms.df + EXCLUDED.df;
    RETURN NULL;
END
$$;

CREATE FUNCTION jamono_knowledge_terms_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        SELECT c.tenant_id, l.lexeme, count(*)::int AS n
        FROM removed_chunks c, unnest(tsvector_to_array(c.tsv)) AS l(lexeme)
        GROUP BY c.tenant_id, l.lexeme ORDER BY c.tenant_id, l.lexeme
    )
    UPDATE knowledge_terms t SET df = t.df - gone.n FROM gone
    WHERE t.tenant_id = gone.tenant_id AND t.lexeme = gone.lexeme;
    DELETE FROM knowledge_terms t USING (SELECT DISTINCT tenant_id FROM removed_chunks) r
    WHERE t.tenant_id = r.tenant_id AND t.df <= 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER knowledge_terms_added AFTER INSERT ON knowledge_chunks
    REFERENCING NEW TABLE AS added_chunks FOR EACH STATEMENT EXECUTE FUNCTION jamono_knowledge_terms_added();
CREATE TRIGGER knowledge_terms_removed AFTER DELETE ON knowledge_chunks
    REFERENCING OLD TABLE AS removed_chunks FOR EACH STATEMENT EXECUTE FUNCTION jamono_knowledge_terms_removed();
CREATE TRIGGER knowledge_terms_updated_out AFTER UPDATE ON knowledge_chunks
    REFERENCING OLD TABLE AS removed_chunks FOR EACH STATEMENT EXECUTE FUNCTION jamono_knowledge_terms_removed();
CREATE TRIGGER knowledge_terms_updated_in AFTER UPDATE ON knowledge_chunks
    REFERENCING NEW TABLE AS added_chunks FOR EACH STATEMENT EXECUTE FUNCTION jamono_knowledge_terms_added();

-- Backfill every tenant. FORCE ROW LEVEL SECURITY binds the tables' owner too (a managed
-- database's migration role is neither superuser nor BYPASSRLS): lifted for this transaction only.
ALTER TABLE knowledge_chunks NO FORCE ROW LEVEL SECURITY;
ALTER TABLE knowledge_terms NO FORCE ROW LEVEL SECURITY;
INSERT INTO knowledge_terms (tenant_id, lexeme, df)
SELECT c.tenant_id, l.lexeme, count(*)::int
FROM knowledge_chunks c, unnest(tsvector_to_array(c.tsv)) AS l(lexeme)
GROUP BY c.tenant_id, l.lexeme;
ALTER TABLE knowledge_chunks FORCE ROW LEVEL SECURITY;
ALTER TABLE knowledge_terms FORCE ROW LEVEL SECURITY;
