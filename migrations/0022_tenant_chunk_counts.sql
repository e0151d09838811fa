-- How many chunks each tenant has, for the tenant HNSW index sync (knowledge/tenant_index.py).
--
-- The sync runs with the owner's credentials, but FORCE row-level security binds a non-superuser
-- owner (a managed PostgreSQL's): without a tenant it counted no chunk at all, built no index and
-- dropped the ones there were. jamono_search already reads the columns ranking needs of every
-- tenant (migrations/0016); it may now read embedding_model too, and this function, which
-- returns counts and nothing else, runs as that role. Only the migrating role (the owner) may call
-- it: neither the app nor its login.
GRANT SELECT (embedding_model) ON knowledge_chunks TO jamono_search;

CREATE FUNCTION jamono_tenant_chunk_counts(model text) RETURNS TABLE (tenant_id uuid, chunks bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
        SELECT c.tenant_id, count(*) FROM public.knowledge_chunks c
        WHERE c.embedding_model = model GROUP BY c.tenant_id
    $$;

-- Handed to jamono_search, then its privileges set as that role: the owner's own ACL entry
-- passes to the new owner, and a non-superuser's GRANT on another role's function does nothing.
-- SESSION_USER: the role running the migrations (current_user is jamono_search by then).
GRANT CREATE ON SCHEMA public TO jamono_search;
ALTER FUNCTION jamono_tenant_chunk_counts(text) OWNER TO jamono_search;
REVOKE CREATE ON SCHEMA public FROM jamono_search;
SET LOCAL ROLE jamono_search;
REVOKE ALL ON FUNCTION jamono_tenant_chunk_counts(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jamono_tenant_chunk_counts(text) TO SESSION_USER;
RESET ROLE;
