-- Core schema: tenants, workspaces, the NOX agent and its deployments, interactions, Slack events.
-- Every tenant-owned table carries tenant_id and is protected by row-level security (invariant 4).

CREATE EXTENSION IF NOT EXISTS vector;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jamono_app') THEN
        CREATE ROLE jamono_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;

-- On a managed PostgreSQL the migrating role is the database's owner with CREATEROLE, not a
-- superuser: it must be able to SET ROLE to the roles it hands objects to (and the app runs as).
CREATE FUNCTION jamono_join_role(r name) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            RETURN;
        END IF;
        IF current_setting('server_version_num')::int >= 160000 THEN
            -- SET only: the owner must not inherit the router's read-everything policy.
            EXECUTE format('GRANT %I TO %I WITH INHERIT FALSE, SET TRUE', r, current_user);
        ELSE
            EXECUTE format('GRANT %I TO %I', r, current_user);
        END IF;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'cannot join role % (grant it to % yourself)', r, current_user;
    END
    $$;
SELECT jamono_join_role('jamono_app');

GRANT USAGE ON SCHEMA public TO jamono_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO jamono_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO jamono_app;

-- The tenant of the current transaction, set with set_config('app.tenant_id', …, true).
-- Unset means no tenant: policies then match no row.
CREATE FUNCTION jamono_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

-- Every tenant-owned table gets the same protection: RLS enabled and FORCEd (so even the owner
-- is subject to it unless superuser), and one policy keyed on tenant_id.
CREATE FUNCTION jamono_protect_tenant_table(t regclass) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = jamono_current_tenant())', t);
    END
    $$;
REVOKE ALL ON FUNCTION jamono_protect_tenant_table(regclass) FROM PUBLIC;

CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    plan_type   text NOT NULL DEFAULT 'free' CHECK (plan_type IN ('free', 'team', 'enterprise')),
    max_users   integer NOT NULL DEFAULT 50 CHECK (max_users > 0),
    max_agents  integer NOT NULL DEFAULT 1 CHECK (max_agents > 0),
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workspaces (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slack_team_id       text NOT NULL,
    slack_enterprise_id text,
    name                text,
    domain              text,
    bot_user_id         text,
    bot_id              text,
    app_id              text,
    is_active           boolean NOT NULL DEFAULT true,
    settings            jsonb NOT NULL DEFAULT '{}'::jsonb,
    installed_at        timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX workspaces_team_key ON workspaces (coalesce(slack_enterprise_id, ''), slack_team_id);
CREATE INDEX workspaces_tenant_idx ON workspaces (tenant_id);

-- The agent catalogue is global (not tenant-owned): NOX is one agent deployed to many workspaces.
CREATE TABLE agents (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT '',
    config      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO agents (slug, name, description)
VALUES ('nox', 'NOX', 'AI DevOps teammate: runbook answers, incidents, Jira tickets, meetings');

CREATE TABLE agent_deployments (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    agent_id     uuid NOT NULL REFERENCES agents (id),
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'removed')),
    config       jsonb NOT NULL DEFAULT '{}'::jsonb,
    deployed_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (workspace_id, agent_id)
);
CREATE INDEX agent_deployments_tenant_idx ON agent_deployments (tenant_id);

CREATE TABLE agent_interactions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    deployment_id     uuid REFERENCES agent_deployments (id) ON DELETE SET NULL,
    slack_event_id    text,
    user_id           text NOT NULL,
    channel_id        text NOT NULL,
    thread_ts         text,
    message_ts        text,
    reply_ts          text,
    message_type      text NOT NULL CHECK (message_type IN
                        ('app_mention', 'direct_message', 'slash_command', 'shortcut', 'action')),
    message           text NOT NULL,
    response          text,
    response_time_ms  integer,
    success           boolean NOT NULL DEFAULT true,
    intent            text,
    severity          text,
    user_satisfaction smallint CHECK (user_satisfaction IN (-1, 1)),
    metadata          jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agent_interactions_event_key ON agent_interactions (tenant_id, slack_event_id)
    WHERE slack_event_id IS NOT NULL;
CREATE INDEX agent_interactions_recent_idx ON agent_interactions (tenant_id, created_at DESC);
CREATE INDEX agent_interactions_user_idx ON agent_interactions (tenant_id, user_id, created_at DESC);

-- One row per Slack event NOX handles: the idempotency record behind "answered once" (invariant 3).
CREATE TABLE slack_events (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    event_id      text NOT NULL,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'answered', 'failed')),
    channel_id    text NOT NULL,
    reply_ts      text,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    received_at   timestamptz NOT NULL DEFAULT now(),
    done_at       timestamptz,
    PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX slack_events_received_idx ON slack_events (received_at);

-- Row-level security on every tenant-owned table; FORCE so even the owner is subject to it
-- unless it is a superuser (the app never is: it runs as jamono_app).
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = jamono_current_tenant());

SELECT jamono_protect_tenant_table('workspaces');
SELECT jamono_protect_tenant_table('agent_deployments');
SELECT jamono_protect_tenant_table('agent_interactions');
SELECT jamono_protect_tenant_table('slack_events');

GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, workspaces, agent_deployments, agent_interactions, slack_events
    TO jamono_app;
GRANT SELECT ON agents TO jamono_app;
REVOKE ALL ON schema_migrations FROM jamono_app;

-- Routing a Slack team to its tenant happens before any tenant is known. FORCE row-level
-- security binds even the tables' owner, so the lookup runs as a dedicated role whose only
-- power is a read policy on workspaces; the function reveals ids and the active flag only,
-- never tokens or settings. (Works where the migration role is neither superuser nor BYPASSRLS.)
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jamono_router') THEN
        CREATE ROLE jamono_router NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$$;
SELECT jamono_join_role('jamono_router');
GRANT USAGE ON SCHEMA public TO jamono_router;
GRANT SELECT (id, tenant_id, slack_team_id, slack_enterprise_id, is_active) ON workspaces TO jamono_router;
CREATE POLICY team_routing ON workspaces FOR SELECT TO jamono_router USING (true);

CREATE FUNCTION jamono_resolve_team(p_enterprise_id text, p_team_id text)
    RETURNS TABLE (tenant_id uuid, workspace_id uuid, is_active boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT w.tenant_id, w.id, w.is_active FROM workspaces w
        WHERE coalesce(w.slack_enterprise_id, '') = coalesce(p_enterprise_id, '')
          AND w.slack_team_id = p_team_id
    $$;
-- Privileges first, while we still own it (they carry over); then the hand-over, for which the new
-- owner needs CREATE on the schema (a superuser skips that check).
REVOKE ALL ON FUNCTION jamono_resolve_team(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jamono_resolve_team(text, text) TO jamono_app;
GRANT CREATE ON SCHEMA public TO jamono_router;
ALTER FUNCTION jamono_resolve_team(text, text) OWNER TO jamono_router;
REVOKE CREATE ON SCHEMA public FROM jamono_router;
