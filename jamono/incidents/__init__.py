"""Incidents NOX carries from declaration to resolution (issue 16).
Why and how: docs/design/incidents.md."""
