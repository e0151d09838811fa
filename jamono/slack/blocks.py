"""Block Kit for NOX's messages, within Slack's limits (sections ≤ 3,000 chars, ≤ 50 blocks)."""

from __future__ import annotations

from jamono.brain.analysis import Intent
from jamono.brain.engine import Reply
from jamono.i18n import Lang, t
from jamono.slack import blockkit
from jamono.slack.blockkit import Block, button, context, split_sections
from jamono.slack.escape import escape_link_url, escape_mrkdwn
from jamono.slack.limits import MESSAGE_BLOCKS_MAX


def placeholder_blocks(lang: Lang) -> list[Block]:
    return [context(t("placeholder", lang))]


def failure_blocks(lang: Lang, reason: str) -> list[Block]:
    return split_sections(t("failure", lang, reason=reason))


def _sources_line(reply: Reply) -> str | None:
    sources = reply.answer.sources
    if not sources:
        return None
    items = []
    for number, s in enumerate(sources, start=1):
        label = escape_mrkdwn(s.title + (f" › {s.heading}" if s.heading else ""))  # the author's words
        items.append(f"[{number}] " + (f"<{escape_link_url(s.url)}|{label}>" if s.url else label))
    return f"{t('sources', reply.analysis.language)} " + " · ".join(items)


def feedback_block(interaction_id: str, lang: Lang) -> Block:
    label = t("feedback_prompt", lang)
    return blockkit.actions(
        [
            button("👍", "feedback_up", value=interaction_id, accessibility_label=label),
            button("👎", "feedback_down", value=interaction_id, accessibility_label=label),
        ],
        block_id=f"feedback:{interaction_id}",
    )


def proposal_block(reply: Reply, interaction_id: str) -> Block | None:
    """A human decides: actions are proposed with buttons, never taken on a message's say-so."""
    lang = reply.analysis.language
    elements: list[Block] = []
    if reply.analysis.intent is Intent.INCIDENT:
        elements.append(button(t("create_ticket", lang), "propose_ticket", value=interaction_id, style="primary"))
        elements.append(button(t("declare_incident", lang), "propose_incident", value=interaction_id, style="danger"))
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
        elements.append(button(t("schedule", lang), "propose_meeting", value=value))
    if not elements:
        return None
    elements.append(button(t("dismiss", lang), "propose_dismiss", value=interaction_id))
    return blockkit.actions(elements, block_id=f"proposal:{interaction_id}")


def answer_blocks(reply: Reply, interaction_id: str | None = None) -> list[Block]:
    analysis, lang = reply.analysis, reply.analysis.language
    blocks: list[Block] = []
    if analysis.intent is Intent.INCIDENT:
        severity = t(f"severity.{analysis.severity.value}", lang) if analysis.severity else "?"
        blocks.append(blockkit.header(t("incident_header", lang, severity=severity)))
        facts = []
        if analysis.summary:  # the person's own words: never a ping or a disguised link
            facts.append(t("incident_summary", lang, summary=escape_mrkdwn(analysis.summary)))
        if analysis.service:
            facts.append(t("incident_service", lang, service=escape_mrkdwn(analysis.service)))
        if facts:
            blocks += split_sections("\n".join(facts))
        if reply.answer.first_checks:
            blocks += split_sections(f"{t('first_checks', lang)}\n{reply.answer.first_checks}")
    if analysis.meeting.needed:
        details = f" ({analysis.meeting.duration_min} min)" if analysis.meeting.duration_min else ""
        blocks.append(context(t("meeting_noted", lang, details=details)))
    if reply.answer.text:
        blocks += split_sections(reply.answer.text)
    sources = _sources_line(reply)
    if sources:
        blocks.append(context(sources))
    if interaction_id:
        proposal = proposal_block(reply, interaction_id)
        if proposal:
            blocks.append(proposal)
        blocks.append(feedback_block(interaction_id, lang))
    return blocks[:MESSAGE_BLOCKS_MAX]


def fallback_text(reply: Reply) -> str:
    """The notification / screen-reader text that accompanies blocks."""
    text = reply.answer.text or reply.answer.first_checks or ""
    if reply.analysis.intent is Intent.INCIDENT and reply.analysis.summary:
        text = f"Incident: {escape_mrkdwn(reply.analysis.summary)}"
    return text[:3000] or "NOX"
