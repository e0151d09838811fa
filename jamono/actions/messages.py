"""What users see about actions: thread messages, the Retry button. No secrets, reasons only."""

from __future__ import annotations

from datetime import datetime

from jamono.actions.models import Action, Lang
from jamono.i18n import t
from jamono.slack.blockkit import Block, actions, button, context, section
from jamono.slack.escape import escape_link_url as link
from jamono.slack.escape import escape_mrkdwn as esc

RETRY_ACTION = "action_retry"


def people(user_ids: list[str]) -> str:
    return ", ".join(f"<@{u}>" for u in user_ids) or "—"


def slack_date(moment: datetime) -> str:
    """Rendered in each reader's own time zone by Slack; the fallback is UTC."""
    epoch = int(moment.timestamp())
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{moment:%Y-%m-%d %H:%M} UTC>"


def failure_blocks(action: Action, reason: str) -> tuple[str, list[Block]]:
    key = "act.failed_ticket" if action.type == "jira.create_ticket" else "act.failed_meeting"
    # Reasons are ours, but some carry a name or code another system gave: text, never markup.
    text = t(key, action.lang, reason=esc(reason.rstrip(".")))
    retry = button(t("act.retry", action.lang), RETRY_ACTION, value=str(action.id), style="primary", emoji=None)
    return text, [section(text), actions([retry], block_id=f"action:{action.id}")]


def ticket_done_text(lang: Lang, *, key: str, url: str, summary: str, priority: str) -> str:
    # The summary is a person's words, the key and URL another system's: none may ping or link.
    return t("act.ticket_done", lang, ticket=esc(key), url=link(url), summary=esc(summary), priority=esc(priority))


def meeting_done_text(action: Action, *, start: datetime, html_link: str, meet_link: str | None) -> str:
    params = action.meeting()
    links = [t("act.meet_link", action.lang, url=link(meet_link))] if meet_link else []
    if html_link:
        links.append(t("act.calendar_link", action.lang, url=link(html_link)))
    return t(
        "act.meeting_done",
        action.lang,
        title=esc(params.title),
        when=slack_date(start),
        duration=params.duration_min,
        people=people(params.attendees),
        links=" · ".join(links),
    )


PROPOSAL_BUTTONS = ("propose_ticket", "propose_meeting", "propose_incident")


def retired_blocks(blocks: list[Block], interaction_id: str, done: str | None, note: str) -> list[Block] | None:
    """NOX's reply once a proposal is decided: the decided button (`done`, or every button when
    None: dismissed) gives way to a line saying what happened; a proposal left with nothing to
    decide loses its Dismiss too. None when there is nothing to change (already retired)."""
    block_id = f"proposal:{interaction_id}"
    at = next((i for i, b in enumerate(blocks) if b.get("block_id") == block_id), None)
    if at is None:
        return None
    elements = [e for e in blocks[at].get("elements") or [] if done is not None and e.get("action_id") != done]
    if not any(e.get("action_id") in PROPOSAL_BUTTONS for e in elements):
        elements = []
    if done is not None and len(elements) == len(blocks[at].get("elements") or []):
        return None  # that button was already retired
    line = context(note)
    kept = [{**blocks[at], "elements": elements}] if elements else []
    return [*blocks[:at], *kept, line, *blocks[at + 1 :]]
