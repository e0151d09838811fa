"""NOX remembers incidents: the timeline, catch-ups, postmortem drafts and similar past incidents."""
