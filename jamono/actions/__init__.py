"""Actions NOX takes in other systems — Jira tickets, Google Calendar meetings — exactly once.

models: the row and the jobs; store: the `actions` table; incidents: what makes two reports the
same incident; text/messages: what users see; modals: the meeting and incident forms;
service: proposal → confirmation → execution, with retries and dead letters.
"""
