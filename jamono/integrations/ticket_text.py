"""The body of a ticket NOX opens: the incident text plus where it came from and who asked."""

from __future__ import annotations

from jamono.integrations.base import TicketRequest


def render_description(request: TicketRequest) -> str:
    """Jira wiki text. The provenance footer lets a reader get back to the Slack thread."""
    lines = [request.description.strip()] if request.description.strip() else []
    footer: list[str] = []
    if request.slack_permalink:
        footer.append(f"Slack thread: [{request.slack_permalink}]")
    if request.reporter_name:
        footer.append(f"Reported by: {request.reporter_name}")
    footer.append(f"Opened by NOX (fingerprint {request.fingerprint})")
    if lines:
        lines.append("----")
    lines.extend(footer)
    return "\n".join(lines)
