"""Block Kit for NOX's messages, within Slack's limits (sections ≤ 3,000 chars, ≤ 50 blocks)."""

from __future__ import annotations

from typing import Any

from jamono.brain.analysis import Intent
from jamono.brain.engine import Reply
from jamono.i18n import Lang, t
from jamono.slack.escape import escape_link_url, escape_mrkdwn

SECTION_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50
Block = dict[str, Any]


def section(text: str) -> list[Block]:
    """One or more mrkdwn sections: long text is split at line boundaries, never mid-code-fence."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > SECTION_LIMIT - 10:
            chunks.append(line[: SECTION_LIMIT - 10])
            line = line[SECTION_LIMIT - 10 :]
        if len(current) + len(line) > SECTION_LIMIT - 10:
            if current.count("```") % 2 == 1:
                current += "```"
                line = "```\n" + line
            chunks.append(current)
            current = ""
        current += line
    if current.strip():
        chunks.append(current)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c.rstrip()}} for c in chunks if c.strip()]


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def placeholder_blocks(lang: Lang) -> list[Block]:
    return [context(t("placeholder", lang))]


def failure_blocks(lang: Lang, reason: str) -> list[Block]:
    return section(t("failure", lang, reason=reason))


def _sources_line(reply: Reply) -> str | None:
    sources = reply.answer.sources
    if not sources:
        return None
    items = []
    for number, s in enumerate(sources, start=1):
        label = escape_mrkdwn(s.title + (f" › {s.heading}" if s.heading else ""))  # the author's words
        items.append(f"[{number}] " + (f"<{escape_link_url(s.url)}|{label}>" if s.url else label))
    return f"{t('sources', reply.analysis.language)} " + " · ".join(items)


def _button(
    action_id: str, label: str, value: str, style: str | None = None, *, accessibility_label: str | None = None
) -> Block:
    button: Block = {
        "type": "button",
        "action_id": action_id,
        "value": value,
        "text": {"type": "plain_text", "text": label, "emoji": True},
    }
    if style:
        button["style"] = style
    if accessibility_label:
        button["accessibility_label"] = accessibility_label
    return button


def feedback_block(interaction_id: str, lang: Lang) -> Block:
    label = t("feedback_prompt", lang)
    return {
        "type": "actions",
        "block_id": f"feedback:{interaction_id}",
        "elements": [
            _button("feedback_up", "👍", interaction_id, accessibility_label=label),
            _button("feedback_down", "👎", interaction_id, accessibility_label=label),
        ],
    }


def proposal_block(reply: Reply, interaction_id: str) -> Block | None:
    """A human decides: actions are proposed with buttons, never taken on a message's say-so."""
    lang = reply.analysis.language
    elements = []
    if reply.analysis.intent is Intent.INCIDENT:
        elements.append(_button("propose_ticket", t("create_ticket", lang), interaction_id, "primary"))
        elements.append(_button("propose_incident", t("declare_incident", lang), interaction_id, "danger"))
    if reply.analysis.meeting.needed:
        from jamono.actions.buttons import meeting_value

        meeting = reply.analysis.meeting
        value = meeting_value(
            interaction_id,
            title=meeting.title or reply.analysis.summary,
            duration_min=meeting.duration_min,
            attendees=meeting.attendees,
            lang=lang,
        )
        elements.append(_button("propose_meeting", t("schedule", lang), value))
    if not elements:
        return None
    elements.append(_button("propose_dismiss", t("dismiss", lang), interaction_id))
    return {"type": "actions", "block_id": f"proposal:{interaction_id}", "elements": elements}


def answer_blocks(reply: Reply, interaction_id: str | None = None) -> list[Block]:
    analysis, lang = reply.analysis, reply.analysis.language
    blocks: list[Block] = []
    if analysis.intent is Intent.INCIDENT:
        severity = t(f"severity.{analysis.severity.value}", lang) if analysis.severity else "?"
        blocks.append(
            {
                "type": "header",
                "text": {
                    "type": "plain_text",
                    "text": t("incident_header", lang, severity=severity)[:150],
                    "emoji": True,
                },
            }
        )
        facts = []
        if analysis.summary:  # the person's own words: never a ping or a disguised link
            facts.append(t("incident_summary", lang, summary=escape_mrkdwn(analysis.summary)))
        if analysis.service:
            facts.append(t("incident_service", lang, service=escape_mrkdwn(analysis.service)))
        if facts:
            blocks += section("\n".join(facts))
        if reply.answer.first_checks:
            blocks += section(f"{t('first_checks', lang)}\n{reply.answer.first_checks}")
    if analysis.meeting.needed:
        details = f" ({analysis.meeting.duration_min} min)" if analysis.meeting.duration_min else ""
        blocks.append(context(t("meeting_noted", lang, details=details)))
    if reply.answer.text:
        blocks += section(reply.answer.text)
    sources = _sources_line(reply)
    if sources:
        blocks.append(context(sources))
    if interaction_id:
        proposal = proposal_block(reply, interaction_id)
        if proposal:
            blocks.append(proposal)
        blocks.append(feedback_block(interaction_id, lang))
    return blocks[:MESSAGE_BLOCK_LIMIT]


def fallback_text(reply: Reply) -> str:
    """The notification / screen-reader text that accompanies blocks."""
    text = reply.answer.text or reply.answer.first_checks or ""
    if reply.analysis.intent is Intent.INCIDENT and reply.analysis.summary:
        text = f"Incident: {escape_mrkdwn(reply.analysis.summary)}"
    return text[:3000] or "NOX"
