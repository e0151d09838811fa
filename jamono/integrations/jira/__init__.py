"""Jira Cloud and Server as a ticket tracker (the `jira` client library)."""
