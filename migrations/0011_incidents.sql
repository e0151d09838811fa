-- Incidents NOX carries from declaration to resolution: one row per incident (its channel, card,
-- lead, severity, status, Jira ticket), and one row per change (the timeline). Every external
-- effect of a declaration or a change is recorded on these rows (steps / effects), so Slack
-- retries, double clicks and worker crashes never create two channels, cards or comments.
CREATE TABLE incidents (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    -- What declared it (a proposal, a modal, automatic mode): the same key is the same incident.
    idempotency_key   text NOT NULL,
    interaction_id    uuid REFERENCES agent_interactions (id) ON DELETE SET NULL,
    title             text NOT NULL,
    severity          text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    status            text NOT NULL DEFAULT 'investigating'
                      CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    lead              text,
    reporter          text NOT NULL,
    lang              text NOT NULL DEFAULT 'en' CHECK (lang IN ('fr', 'en')),
    service           text,
    origin_channel    text,
    origin_thread_ts  text,
    -- The channel name is reserved here before conversations.create: a name_taken answer for a
    -- channel NOX itself created can only be this incident's (an attempt that died before
    -- recording the id), so it is adopted instead of creating a second channel.
    channel_name      text,
    channel_id        text,
    card_ts           text,
    ticket_action_id  uuid REFERENCES actions (id) ON DELETE SET NULL,
    jira_key          text,
    jira_url          text,
    jira_status       text,
    jira_error        text,
    last_update       text,
    -- Declaration steps done (invited, topic, bookmarks, pinned, linked …).
    steps             jsonb NOT NULL DEFAULT '{}'::jsonb,
    runbooks          jsonb NOT NULL DEFAULT '[]'::jsonb,
    started_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    last_update_at    timestamptz NOT NULL DEFAULT now(),
    reminded_at       timestamptz,
    resolved_at       timestamptz,
    UNIQUE (tenant_id, idempotency_key),
    UNIQUE (tenant_id, channel_name)
);
CREATE INDEX incidents_open_idx ON incidents (tenant_id, started_at DESC) WHERE status <> 'resolved';
CREATE UNIQUE INDEX incidents_channel_idx ON incidents (tenant_id, channel_id);

SELECT jamono_protect_tenant_table('incidents');
GRANT SELECT, INSERT, UPDATE, DELETE ON incidents TO jamono_app;

CREATE TABLE incident_events (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    incident_id      uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    -- The Slack request that asked for it (trigger id, view id): a retry lands on the same row.
    idempotency_key  text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('declared', 'status', 'severity', 'lead', 'update', 'resolved',
                                                   'reminder', 'jira')),
    actor            text NOT NULL,
    data             jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Where it was told (channel, origin, incidents channel) and whether Jira has it.
    effects          jsonb NOT NULL DEFAULT '{}'::jsonb,
    jira_synced_at   timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX incident_events_incident_idx ON incident_events (tenant_id, incident_id, created_at);

SELECT jamono_protect_tenant_table('incident_events');
GRANT SELECT, INSERT, UPDATE, DELETE ON incident_events TO jamono_app;
