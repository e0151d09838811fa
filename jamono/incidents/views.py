"""Block Kit for incidents: the card (one message, edited in place), the notes, the modals and
the list. Text we did not write (titles, updates, notes) is escaped before it reaches mrkdwn."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from jamono.actions.messages import slack_date
from jamono.i18n import t
from jamono.incidents.models import SEVERITIES, Incident
from jamono.slack.blockkit import (
    Block,
    button,
    choice,
    context,
    escape,
    header,
    input_block,
    modal,
    option,
    plain,
    section,
    text_input,
)
from jamono.slack.limits import PLACEHOLDER_MAX, SECTION_TEXT_MAX

CARD_EVENT_TYPE = "nox_incident_card"
NOTE_EVENT_TYPE = "nox_incident_note"
DECLARE_ACTION = "propose_incident"
STATUS_ACTION = "incident_status"  # + ":<status>"
SEVERITY_ACTION = "incident_severity"
LEAD_ACTION = "incident_lead"
UPDATE_ACTION = "incident_update"
UPDATE_CALLBACK = "nox_incident_update"


def sev(incident: Incident, severity: str | None = None) -> str:
    return t(f"severity.{severity or incident.severity}", incident.lang)


def status_label(incident: Incident, status: str | None = None) -> str:
    return t(f"status.{status or incident.status}", incident.lang)


def card_metadata(incident: Incident) -> dict[str, Any]:
    return {"event_type": CARD_EVENT_TYPE, "event_payload": {"incident_id": str(incident.id)}}


def card_text(incident: Incident) -> str:
    return (
        f"{'Resolved' if not incident.open else 'Incident'}: {escape(incident.title)} — {incident.severity}, "
        f"{incident.status}"
    )[:SECTION_TEXT_MAX]


def card_blocks(incident: Incident, *, jira_connected: bool, origin_url: str | None = None) -> list[Block]:
    lang = incident.lang
    head = "card.header" if incident.open else "card.header_resolved"
    blocks: list[Block] = [header(t(head, lang, title=incident.title))]
    blocks.append(
        section(
            t(
                "card.fields",
                lang,
                severity=sev(incident),
                status=status_label(incident),
                lead=f"<@{incident.lead}>" if incident.lead else "—",
            )
        )
    )
    times = t("card.times", lang, started=slack_date(incident.started_at), updated=slack_date(incident.updated_at))
    if incident.resolved_at:
        times += t("card.resolved_at", lang, resolved=slack_date(incident.resolved_at))
    blocks.append(context(times))
    if incident.jira_key and incident.jira_url:
        status = f" ({escape(incident.jira_status)})" if incident.jira_status else ""
        jira = t("card.jira", lang, url=incident.jira_url, ticket=incident.jira_key, status=status)
    else:
        jira = t("card.jira_pending" if jira_connected else "card.jira_off", lang)
    if incident.jira_error:
        jira += "\n" + t("card.jira_error", lang, reason=escape(incident.jira_error[:300]))
    blocks.append(section(jira))
    update = escape(incident.last_update) if incident.last_update else t("card.no_update", lang)
    blocks.append(section(t("card.last_update", lang, text=update)))
    if origin_url:
        blocks.append(context(t("card.origin", lang, url=origin_url)))
    if incident.open:
        blocks.append(card_actions(incident))
    return blocks


def card_actions(incident: Incident) -> Block:
    lang, value = incident.lang, str(incident.id)
    elements: list[Block] = []
    for status, label in (("identified", "btn.identified"), ("monitoring", "btn.monitoring")):
        if status != incident.status:
            elements.append(button(t(label, lang), f"{STATUS_ACTION}:{status}", value=value))
    elements.append(button(t("btn.resolve", lang), f"{STATUS_ACTION}:resolved", value=value, style="primary"))
    elements.append(button(t("btn.update", lang), UPDATE_ACTION, value=value))
    options = [option(t(f"severity.{s}", lang), f"{value}:{s}") for s in SEVERITIES]
    elements.append(choice("static_select", SEVERITY_ACTION, options, placeholder=t("btn.severity", lang)))
    lead: Block = {
        "type": "users_select",
        "action_id": LEAD_ACTION,
        "placeholder": plain(t("btn.lead", lang), PLACEHOLDER_MAX),
    }
    if incident.lead:
        lead["initial_user"] = incident.lead
    elements.append(lead)
    return {"type": "actions", "block_id": f"incident:{incident.id}", "elements": elements}


def note_metadata(incident: Incident, key: str) -> dict[str, Any]:
    return {"event_type": NOTE_EVENT_TYPE, "event_payload": {"incident_id": str(incident.id), "note": key}}


def event_line(incident: Incident, kind: str, user: str, value: str, note: str) -> str:
    lang = incident.lang
    shown_note = f" — {escape(note)}" if note else ""
    if kind == "status":
        return t("ev.status", lang, user=user, value=status_label(incident, value), note=shown_note)
    if kind == "severity":
        return t("ev.severity", lang, user=user, value=sev(incident, value), note=shown_note)
    if kind == "lead":
        return t("ev.lead", lang, user=user, value=value)
    if kind == "update":
        return t("ev.update", lang, user=user, note=escape(note))
    return t("ev.resolved", lang, user=user, note=shown_note)


def mirror_line(incident: Incident, line: str) -> str:
    return t("mirror", incident.lang, title=escape(incident.title), channel=incident.channel_id, line=line)


def topic(incident: Incident) -> str:
    text = t(
        "topic",
        incident.lang,
        sev=sev(incident).upper(),
        status=status_label(incident),
        lead=f"<@{incident.lead}>" if incident.lead else "—",
        title=escape(incident.title),
    )
    return text[:250]


def update_modal(incident_id: str, lang: str) -> dict[str, Any]:
    element = text_input("value", multiline=True, max_length=3000)
    return modal(
        callback_id=UPDATE_CALLBACK,
        private_metadata=json.dumps({"i": incident_id, "l": lang}),
        title=t("modal_update", lang),
        submit=t("modal_post", lang),
        close=t("modal_cancel", lang),
        blocks=[input_block("update", t("f_update", lang), element)],
    )


def list_blocks(incidents: list[Incident], lang: str, card_urls: dict[str, str]) -> list[Block]:
    if not incidents:
        return [section(t("none_open", lang))]
    lines = []
    for incident in incidents[:40]:
        url = card_urls.get(str(incident.id))
        card = t("list_card", lang, url=url) if url else ""
        lines.append(
            t(
                "list_line",
                lang,
                sev=sev(incident).upper(),
                title=escape(incident.title),
                status=status_label(incident),
                lead=incident.lead or incident.reporter,
                channel=incident.channel_id or "",
                card=card,
            )
        )
    return [section(t("list_head", lang, count=len(incidents))), section("\n".join(lines))]


def slug(title: str, limit: int = 40) -> str:
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKD", title.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return (words[:limit].rstrip("-")) or "incident"


def channel_name(moment: datetime, title: str, attempt: int) -> str:
    base = f"inc-{moment:%Y%m%d}-{slug(title)}"
    return base if attempt == 0 else f"{base}-{attempt + 1}"
