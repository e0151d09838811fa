-- Channels NOX has heard of (channel_created), and the ones a team asked it to watch for incidents.
CREATE TABLE slack_channels (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    channel_id    text NOT NULL,
    name          text NOT NULL DEFAULT '',
    creator       text,
    looks_ops     boolean NOT NULL DEFAULT false,
    offered_at    timestamptz,
    watched       boolean NOT NULL DEFAULT false,
    watched_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, channel_id)
);
CREATE INDEX slack_channels_tenant_idx ON slack_channels (tenant_id);

SELECT jamono_protect_tenant_table('slack_channels');
GRANT SELECT, INSERT, UPDATE, DELETE ON slack_channels TO jamono_app;

-- Messages NOX answers unasked in a watched channel (when they read like an incident).
ALTER TABLE agent_interactions DROP CONSTRAINT agent_interactions_message_type_check;
ALTER TABLE agent_interactions ADD CONSTRAINT agent_interactions_message_type_check CHECK (message_type IN
    ('app_mention', 'direct_message', 'slash_command', 'shortcut', 'action', 'watched_channel'));
