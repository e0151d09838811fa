-- Thread follow-ups ask "did NOX answer in this thread?" for every reply in every channel NOX is in.
CREATE INDEX agent_interactions_thread_idx ON agent_interactions
    (tenant_id, channel_id, (coalesce(thread_ts, message_ts))) WHERE reply_ts IS NOT NULL;
