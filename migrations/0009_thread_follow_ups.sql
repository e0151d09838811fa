-- NOX answers replies in a thread it answered without a new @mention, unless a channel turns it off.
ALTER TABLE slack_channels ADD COLUMN follow_ups boolean NOT NULL DEFAULT true;

ALTER TABLE agent_interactions DROP CONSTRAINT agent_interactions_message_type_check;
ALTER TABLE agent_interactions ADD CONSTRAINT agent_interactions_message_type_check CHECK (message_type IN
    ('app_mention', 'direct_message', 'slash_command', 'shortcut', 'action', 'watched_channel', 'thread_reply'));
