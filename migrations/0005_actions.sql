-- Actions NOX takes in other systems (Jira tickets, Google Calendar meetings): one row per intended
-- effect, keyed by an idempotency key, so a double click, a Slack retry or a worker crash never
-- produces a second ticket or meeting (invariant 3). Failed rows are the operators' dead letters.
CREATE TABLE actions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id     uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    interaction_id   uuid REFERENCES agent_interactions (id) ON DELETE SET NULL,
    type             text NOT NULL CHECK (type IN ('jira.create_ticket', 'calendar.schedule_meeting')),
    idempotency_key  text NOT NULL,
    -- What the external system is searched by before creating (Jira label, event property).
    fingerprint      text NOT NULL,
    parameters       jsonb NOT NULL DEFAULT '{}'::jsonb,
    status           text NOT NULL DEFAULT 'proposed'
                     CHECK (status IN ('proposed', 'confirmed', 'running', 'done', 'failed', 'dismissed')),
    external_id      text,
    external_url     text,
    result           jsonb NOT NULL DEFAULT '{}'::jsonb,
    attempts         integer NOT NULL DEFAULT 0,
    last_error       text,
    lease_until      timestamptz,
    -- The queue message holding the lease: its own redelivery (the holder was killed) may take over.
    lease_owner      text,
    proposed_by      text,
    confirmed_by     text,
    confirmed_at     timestamptz,
    channel_id       text,
    thread_ts        text,
    -- Follow-up messages already posted (so a retry does not post them twice).
    announced_at     timestamptz,
    notified_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    done_at          timestamptz,
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX actions_tenant_idx ON actions (tenant_id, created_at DESC);
CREATE INDEX actions_fingerprint_idx ON actions (tenant_id, type, fingerprint);
CREATE INDEX actions_interaction_idx ON actions (tenant_id, interaction_id);
CREATE INDEX actions_failed_idx ON actions (updated_at DESC) WHERE status = 'failed';

SELECT jamono_protect_tenant_table('actions');

GRANT SELECT, INSERT, UPDATE, DELETE ON actions TO jamono_app;
