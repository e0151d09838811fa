"""Actions NOX takes in other systems — Jira tickets, Google Calendar meetings — exactly once.

models: the row, its parameters and the jobs; store: the `actions` table and its state machine;
incidents: what makes two reports one incident, fingerprints; buttons/modals: what the Schedule
button carries and the forms; messages: what the thread shows; execution: running one action
(claim, find-or-create, record, announce, retry or dead letter); service: the entry point per
Slack surface; failpoints: crash points for tests; cli: `jamono actions`.
"""
