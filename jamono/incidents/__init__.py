"""Incidents NOX carries from declaration to resolution (issue 16).

models: rows, settings, jobs; store: the `incidents` and `incident_events` tables; slackops: the
exactly-once Slack steps (channel, invites, topic, bookmarks, card, pin, notes); views: the card,
the notes and the modals; flows: declare, change, Jira sync, reminders, listing — the entry points
the workers call; jira: the ticket kept in step.
"""
