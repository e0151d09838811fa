-- Keyword search whose cost does not grow with the tenant's size.
--
-- Under row-level security PostgreSQL may only evaluate a query's own conditions after the
-- tenant policy unless they are leakproof, and full-text `@@` is not: the GIN index on tsv
-- cannot be used, so a tenant holding a quarter of the rows had all of them read and filtered
-- (bench/kb.py, 100k chunks: keyword stage p99 99 ms under RLS, 9 ms without).
--
-- jamono_keyword_search() runs as jamono_search, a NOLOGIN role that is neither the tables'
-- owner nor BYPASSRLS, whose only policy lets it read the few columns keyword ranking needs
-- (ids, tenant, tsv, language) of every tenant. The function, not the caller, applies the tenant:
-- it filters on jamono_current_tenant() (the transaction's app.tenant_id, the GUC every policy
-- reads), so no argument can name another tenant, and without a tenant it returns nothing.
-- Its results are ids and scores only; everything shown to people is read back under RLS.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jamono_search') THEN
        CREATE ROLE jamono_search NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;
SELECT jamono_join_role('jamono_search');

GRANT USAGE ON SCHEMA public TO jamono_search;
GRANT SELECT (id, tenant_id, document_id, tsv) ON knowledge_chunks TO jamono_search;
GRANT SELECT (id, tenant_id, lang) ON knowledge_documents TO jamono_search;
CREATE POLICY keyword_search_reads ON knowledge_chunks FOR SELECT TO jamono_search USING (true);
CREATE POLICY keyword_search_reads ON knowledge_documents FOR SELECT TO jamono_search USING (true);

-- candidates: the tsquery that selects the rows to score (the query's rarer words, or all);
-- words/weights: each content word's tsquery and its idf (a row scores the sum of the idf of
-- the words it holds); ranked: the whole query, for ts_rank_cd's tie-break; lang: keep documents
-- in that language or of none; n: how many rows (at most 1,000).
CREATE FUNCTION jamono_keyword_search(
    candidates tsquery, words tsquery[], weights float8[], ranked tsquery, tie float8, lang text, n integer
) RETURNS TABLE (id bigint, document_id uuid, score float8, matched float8)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    DECLARE
        tenant uuid := jamono_current_tenant();
    BEGIN
        IF tenant IS NULL OR candidates IS NULL THEN
            RETURN;
        END IF;
        -- EXECUTE … USING: planned for these values (a generic plan would guess the tsquery's
        -- selectivity); the statement's text is fixed, the arguments are values only.
        RETURN QUERY EXECUTE
            'SELECT c.id, c.document_id, s.matched + coalesce($5, 0) * ts_rank_cd(c.tsv, $4, 1), s.matched'
            ' FROM public.knowledge_chunks c'
            ' CROSS JOIN LATERAL (SELECT coalesce(sum(u.w), 0)::float8 AS matched'
            '   FROM unnest($2, $3) AS u(q, w) WHERE c.tsv @@ u.q) s'
            ' WHERE c.tenant_id = $7 AND c.tsv @@ $1'
            '   AND ($6::text IS NULL OR c.document_id IN (SELECT d.id FROM public.knowledge_documents d'
            '        WHERE d.tenant_id = $7 AND (d.lang = $6 OR d.lang IS NULL)))'
            ' ORDER BY 3 DESC, 1 LIMIT least(greatest($8, 0), 1000)'
            USING candidates, words, weights, ranked, tie, lang, tenant, n;
    END
    $$;

-- Owned by jamono_search (ALTER OWNER needs the new owner to hold CREATE on the schema: lent
-- for this statement only). Only the app may call it.
GRANT CREATE ON SCHEMA public TO jamono_search;
ALTER FUNCTION jamono_keyword_search(tsquery, tsquery[], float8[], tsquery, float8, text, integer) OWNER TO jamono_search;
REVOKE CREATE ON SCHEMA public FROM jamono_search;
REVOKE ALL ON FUNCTION jamono_keyword_search(tsquery, tsquery[], float8[], tsquery, float8, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jamono_keyword_search(tsquery, tsquery[], float8[], tsquery, float8, text, integer) TO jamono_app;
