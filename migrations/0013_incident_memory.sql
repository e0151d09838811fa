-- NOX remembers incidents. The timeline gains marked messages (a reaction or the "Add to
-- timeline" shortcut), NOX's answers in the channel and actions; catch-ups sent and the
-- postmortem are recorded as events too, each under its own idempotency key (the Slack message,
-- the event id): a redelivered job lands on the same row.
ALTER TABLE incident_events DROP CONSTRAINT incident_events_kind_check;
ALTER TABLE incident_events ADD CONSTRAINT incident_events_kind_check
    CHECK (kind IN ('declared', 'status', 'severity', 'lead', 'update', 'resolved', 'reminder', 'jira',
                    'marked', 'answer', 'action', 'catchup', 'postmortem'));

-- The postmortem draft of a resolved incident: its text, its action items (each a ticket once,
-- through the actions table), and where it was posted.
CREATE TABLE incident_postmortems (
    incident_id   uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    lang          text NOT NULL CHECK (lang IN ('fr', 'en')),
    writer        text NOT NULL,             -- 'offline' or 'llm'
    markdown      text NOT NULL,
    items         jsonb NOT NULL DEFAULT '[]'::jsonb,
    file_id       text,
    message_ts    text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
SELECT jamono_protect_tenant_table('incident_postmortems');
GRANT SELECT, INSERT, UPDATE, DELETE ON incident_postmortems TO jamono_app;

-- What a resolved incident taught: found again for the next similar report. A private incident
-- channel's memory is shown only to that channel's members (checked when it is shown).
CREATE TABLE incident_memories (
    incident_id   uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    ref           text NOT NULL,             -- INC-<n>, the workspace's own numbering
    title         text NOT NULL,
    symptoms      text NOT NULL DEFAULT '',
    cause         text NOT NULL DEFAULT '',
    fix           text NOT NULL DEFAULT '',
    links         jsonb NOT NULL DEFAULT '[]'::jsonb,
    lang          text NOT NULL DEFAULT 'en',
    channel_id    text,
    private       boolean NOT NULL DEFAULT false,
    document_id   uuid,                      -- the knowledge-base document (public incidents only)
    resolved_at   timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_memories_recent_idx ON incident_memories (tenant_id, resolved_at DESC);
SELECT jamono_protect_tenant_table('incident_memories');
GRANT SELECT, INSERT, UPDATE, DELETE ON incident_memories TO jamono_app;

-- A public incident's lesson is also a knowledge-base document of its workspace.
ALTER TABLE knowledge_documents DROP CONSTRAINT knowledge_documents_origin_check;
ALTER TABLE knowledge_documents ADD CONSTRAINT knowledge_documents_origin_check
    CHECK (origin IN ('bundled', 'ingest', 'slack', 'incident'));
