"""NOX severities to ticket priorities: a pure mapping each workspace can override."""

from __future__ import annotations

DEFAULT_PRIORITIES: dict[str, str] = {
    "critical": "Highest",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
}
_SEVERITY_ALIASES = {
    "sev1": "critical",
    "p1": "critical",
    "blocker": "critical",
    "urgent": "critical",
    "sev2": "high",
    "p2": "high",
    "major": "high",
    "sev3": "medium",
    "p3": "medium",
    "normal": "medium",
    "moderate": "medium",
    "sev4": "low",
    "p4": "low",
    "minor": "low",
    "info": "low",
    "trivial": "low",
}


def map_priority(severity: str, mapping: dict[str, str] | None = None) -> str:
    """The Jira priority name for a NOX severity.

    A workspace's mapping overrides the defaults per severity. Unknown severities map like
    "medium": a ticket with a middling priority beats no ticket.
    """
    table = {**DEFAULT_PRIORITIES, **{k.strip().lower(): v for k, v in (mapping or {}).items()}}
    key = severity.strip().lower()
    key = key if key in table else _SEVERITY_ALIASES.get(key, "medium")
    return table.get(key, table["medium"])
