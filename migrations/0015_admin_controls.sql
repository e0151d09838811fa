-- Admins in control (issue 14): an audit log, votes per person, channel-scoped documents, and
-- the uninstall grace period. Every new tenant-owned table is under row-level security.

-- Who changed what, when: admin changes, decisions on external actions, knowledge base writes.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    workspace_id  uuid REFERENCES workspaces (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text NOT NULL,              -- a Slack user id, or 'operator' / 'automatic' / 'nox'
    action        text NOT NULL,              -- e.g. settings.changed, action.confirmed, kb.removed
    target        text NOT NULL DEFAULT '',
    details       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at DESC);
SELECT jamono_protect_tenant_table('audit_log');
GRANT SELECT, INSERT, DELETE ON audit_log TO jamono_app;
GRANT USAGE, SELECT ON SEQUENCE audit_log_id_seq TO jamono_app;

-- One vote per person per answer; the interaction keeps the counts the dashboards read.
CREATE TABLE answer_votes (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    interaction_id  uuid NOT NULL REFERENCES agent_interactions (id) ON DELETE CASCADE,
    user_id         text NOT NULL,
    vote            smallint NOT NULL CHECK (vote IN (-1, 1)),
    voted_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (interaction_id, user_id)
);
CREATE INDEX answer_votes_user_idx ON answer_votes (tenant_id, user_id);
SELECT jamono_protect_tenant_table('answer_votes');
GRANT SELECT, INSERT, UPDATE, DELETE ON answer_votes TO jamono_app;

ALTER TABLE agent_interactions
    ADD COLUMN votes_up integer NOT NULL DEFAULT 0,
    ADD COLUMN votes_down integer NOT NULL DEFAULT 0;
-- Votes cast before this table existed: one per answer, by the last voter.
UPDATE agent_interactions SET votes_up = (user_satisfaction = 1)::int, votes_down = (user_satisfaction = -1)::int
    WHERE user_satisfaction IS NOT NULL;
INSERT INTO answer_votes (tenant_id, interaction_id, user_id, vote)
    SELECT tenant_id, id, coalesce(metadata->>'feedback_by', user_id), user_satisfaction
    FROM agent_interactions WHERE user_satisfaction IS NOT NULL
    ON CONFLICT DO NOTHING;

-- A document saved from a private conversation is used only there (NULL: the whole workspace).
ALTER TABLE knowledge_documents ADD COLUMN channel_scope text;

-- When an uninstalled workspace's data is due for deletion (the grace period starts at uninstall).
ALTER TABLE workspaces ADD COLUMN deactivated_at timestamptz;
