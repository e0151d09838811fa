-- Keyword search with a bound on the rows it scores.
--
-- knowledge/keyword_plan.py picks word groups whose expected matches fit a budget, from the
-- tenant's term statistics. Words are not independent, so an estimate can be far off; and a query
-- made only of words that nearly every chunk holds matches them all. `scored` bounds what one call
-- reads and scores, whatever the estimate said: a large tenant's keyword stage costs what a
-- small one's does (bench/kb.py: the 25% tenant's p99 went from 2.6x to about 1.1x the 1% one's).
--
-- Each word's weight is summed inline (one CASE per word, built from array positions only: the
-- statement's text holds no argument) instead of a LATERAL over unnest(), a third cheaper per row.
--
-- Same contract as migrations/0016: owned by jamono_search, the tenant is the transaction's own
-- (jamono_current_tenant()), nothing comes back without one, ids and scores only. The 0016
-- function stays until no running release calls it (a rolling deploy runs both).
CREATE FUNCTION jamono_keyword_search(
    candidates tsquery, words tsquery[], weights float8[], ranked tsquery, tie float8, lang text, n integer,
    scored integer
) RETURNS TABLE (id bigint, document_id uuid, score float8, matched float8)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
    DECLARE
        tenant uuid := jamono_current_tenant();
        terms text;
    BEGIN
        IF tenant IS NULL OR candidates IS NULL THEN
            RETURN;
        END IF;
        SELECT coalesce(string_agg(format('(CASE WHEN k.tsv @@ $2[%s] THEN coalesce($3[%s], 0) ELSE 0 END)', i, i), ' + '), '0')
            INTO terms
            FROM generate_subscripts(coalesce(words, '{}'::tsquery[]), 1) AS i;
        RETURN QUERY EXECUTE
            'SELECT k.id, k.document_id, m.s + coalesce($5, 0) * ts_rank_cd(k.tsv, $4, 1), m.s'
            ' FROM (SELECT c.id, c.document_id, c.tsv FROM public.knowledge_chunks c'
            '   WHERE c.tenant_id = $7 AND c.tsv @@ $1'
            '     AND ($6::text IS NULL OR c.document_id IN (SELECT d.id FROM public.knowledge_documents d'
            '          WHERE d.tenant_id = $7 AND (d.lang = $6 OR d.lang IS NULL)))'
            '   LIMIT least(greatest(coalesce($9, 100000), 0), 100000)) k'
            ' CROSS JOIN LATERAL (SELECT (' || terms || ')::float8 AS s) m'
            ' ORDER BY 3 DESC, 1 LIMIT least(greatest($8, 0), 1000)'
            USING candidates, words, weights, ranked, tie, lang, tenant, n, scored;
    END
    $$;

-- Handed to jamono_search, then its privileges set as that role (a non-superuser's GRANT or
-- REVOKE on another role's function does nothing).
GRANT CREATE ON SCHEMA public TO jamono_search;
ALTER FUNCTION jamono_keyword_search(tsquery, tsquery[], float8[], tsquery, float8, text, integer, integer) OWNER TO jamono_search;
REVOKE CREATE ON SCHEMA public FROM jamono_search;
SET LOCAL ROLE jamono_search;
REVOKE ALL ON FUNCTION jamono_keyword_search(tsquery, tsquery[], float8[], tsquery, float8, text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jamono_keyword_search(tsquery, tsquery[], float8[], tsquery, float8, text, integer, integer) TO jamono_app;
-- 0016's function got its privileges the other way round: as a non-superuser owner's, that
-- REVOKE left it open to PUBLIC (harmless, it answers for the caller's own tenant; closed now).
REVOKE ALL ON FUNCTION jamono_keyword_search(tsquery, tsquery[], float8[], tsquery, float8, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jamono_keyword_search(tsquery, tsquery[], float8[], tsquery, float8, text, integer) TO jamono_app;
RESET ROLE;
