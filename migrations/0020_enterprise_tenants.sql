-- A Slack Enterprise Grid org is one customer: a new workspace of an org joins the tenant its
-- org's first workspace made. Resolved before any tenant is known, so as the router (ids only).
CREATE FUNCTION jamono_resolve_enterprise(p_enterprise_id text)
    RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT w.tenant_id FROM workspaces w
        WHERE w.slack_enterprise_id = p_enterprise_id
        ORDER BY w.installed_at, w.id LIMIT 1
    $$;
REVOKE ALL ON FUNCTION jamono_resolve_enterprise(text) FROM PUBLIC;  -- privileges first: they carry over
GRANT EXECUTE ON FUNCTION jamono_resolve_enterprise(text) TO jamono_app;
GRANT SELECT (installed_at) ON workspaces TO jamono_router;
GRANT CREATE ON SCHEMA public TO jamono_router;
ALTER FUNCTION jamono_resolve_enterprise(text) OWNER TO jamono_router;
REVOKE CREATE ON SCHEMA public FROM jamono_router;
