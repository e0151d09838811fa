-- Housekeeping across tenants: the hourly agent_metrics rollup and pruning old slack_events.
-- It starts before any tenant is known, so the router lists the workspaces (ids and the active
-- flag only); the work itself then runs per tenant, under row-level security as usual.
CREATE FUNCTION jamono_list_workspaces()
    RETURNS TABLE (tenant_id uuid, workspace_id uuid, is_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT w.tenant_id, w.id, w.is_active FROM workspaces w ORDER BY w.tenant_id, w.id $$;
REVOKE ALL ON FUNCTION jamono_list_workspaces() FROM PUBLIC;  -- privileges first: they carry over
GRANT EXECUTE ON FUNCTION jamono_list_workspaces() TO jamono_app;
GRANT CREATE ON SCHEMA public TO jamono_router;
ALTER FUNCTION jamono_list_workspaces() OWNER TO jamono_router;
REVOKE CREATE ON SCHEMA public FROM jamono_router;

-- Re-assert jamono_resolve_team's privileges as its owner, the router: where an earlier 0001
-- revoked PUBLIC after the hand-over, a non-superuser's revoke did nothing (a no-op elsewhere).
SET LOCAL ROLE jamono_router;
REVOKE ALL ON FUNCTION jamono_resolve_team(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jamono_resolve_team(text, text) TO jamono_app;
RESET ROLE;

-- The router's and the key rotation's read-everything policies hold only for those roles
-- themselves, not for a role that inherits them (a non-superuser owner on PostgreSQL < 16 does):
-- FORCE row-level security keeps binding the owner.
ALTER POLICY team_routing ON workspaces USING (current_user = 'jamono_router');
ALTER POLICY key_rotation ON slack_installations
    USING (current_user = 'jamono_keys') WITH CHECK (current_user = 'jamono_keys');
ALTER POLICY key_rotation ON integration_credentials
    USING (current_user = 'jamono_keys') WITH CHECK (current_user = 'jamono_keys');

-- Every worker offers to run a periodic task; the one whose UPDATE finds it due runs it.
-- Not tenant data: one row per task.
CREATE TABLE housekeeping_runs (
    task      text PRIMARY KEY,
    last_run  timestamptz NOT NULL DEFAULT '-infinity',
    report    jsonb NOT NULL DEFAULT '{}'::jsonb
);
GRANT SELECT, INSERT, UPDATE ON housekeeping_runs TO jamono_app;
