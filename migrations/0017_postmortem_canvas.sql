-- The postmortem draft may be posted as a Slack canvas (shared with the incident channel) rather
-- than a file: where it went, so a retried job neither posts it twice nor loses the link.
ALTER TABLE incident_postmortems ADD COLUMN canvas_id text;
ALTER TABLE incident_postmortems ADD COLUMN canvas_url text;
