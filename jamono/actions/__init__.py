"""Actions NOX takes in other systems — Jira tickets, Google Calendar meetings — exactly once.
Why and how: docs/design/actions.md."""
