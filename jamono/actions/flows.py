"""Entry points of the actions flow, one per Slack surface; each ends in `execution.execute`.
Why and how: docs/design/actions.md."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from dramatiq.middleware import CurrentMessage
from slack_sdk.errors import SlackApiError

from jamono.actions import policy, store
from jamono.actions.execution import Ctx, announce, decided_by, ephemeral, execute, post, retire_proposal
from jamono.actions.incidents import dedup_key, meeting_fingerprint, ticket_fingerprint
from jamono.actions.models import (
    MEETING,
    TICKET,
    Action,
    ActionRef,
    IncidentDeclaration,
    Lang,
    MeetingSubmission,
    ProposalClick,
    TicketFromMessage,
    TicketParams,
)
from jamono.audit.store import record as audit
from jamono.container import Runtime
from jamono.conversation.exchanges import once_recorded
from jamono.home.settings_model import WorkspaceSettings
from jamono.i18n import is_lang, t
from jamono.integrations.priorities import map_priority
from jamono.platform.db import tenant_tx
from jamono.queue.client import enqueue
from jamono.queue.names import Actor
from jamono.slack.escape import escape_link_url as link
from jamono.slack.escape import escape_mrkdwn as esc
from jamono.workspaces.credentials import credential_store

log = logging.getLogger(__name__)
AUTOMATIC = policy.AUTOMATIC


def context(rt: Runtime, team_id: str, enterprise_id: str | None) -> Ctx:
    ws = rt.workspaces.get(team_id, enterprise_id)
    return Ctx(pool=rt.pool, ws=ws, client=rt.slack.get(rt.bot_token(ws)), credentials=credential_store(rt.settings))


def _permalink(ctx: Ctx, channel: str, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        return ctx.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError:
        return None


def _first_line(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "").strip()
    return line[:limit] or "Incident reported in Slack"


# --- tickets -------------------------------------------------------------------------------------


def _ticket_action(
    ctx: Ctx,
    *,
    key: str,
    params: TicketParams,
    interaction_id: UUID | None,
    proposed_by: str,
    channel: str,
    thread_ts: str | None,
) -> Action:
    fingerprint = ticket_fingerprint(ctx.ws.tenant_id, channel, thread_ts, key)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        return store.propose(
            conn,
            workspace_id=ctx.ws.workspace_id,
            type=TICKET,
            key=key,
            fingerprint=fingerprint,
            parameters=params.model_dump(mode="json"),
            interaction_id=interaction_id,
            proposed_by=proposed_by,
            channel_id=channel,
            thread_ts=thread_ts,
        )


def _would_ticket(ctx: Ctx, action: Action, settings: WorkspaceSettings) -> str:
    params = action.ticket()
    return t(
        "act.ticket_would",
        action.lang,
        issue_type=esc(settings.jira.issue_type),
        project=esc(settings.jira.project_key or "?"),
        summary=esc(params.summary),
        label=f"nox-fp-{action.fingerprint}",
        priority=map_priority(params.severity, settings.jira.priorities.as_dict()),
    )


def refusal(ctx: Ctx, user: str, *, requester: str | None, lang: str, settings: WorkspaceSettings) -> str | None:
    """Who may confirm, retry or dismiss: the workspace's policy (`jamono.actions.policy`)."""
    return policy.refusal(ctx.client, user, requester=requester, lang=lang, settings=settings)


def request(ctx: Ctx, action: Action, user: str, *, final_attempt: bool, ephemeral_channel: str = "") -> Action | None:
    """A person (or automatic mode) asks for this action: confirm it and run it, or say why not."""
    where = ephemeral_channel or action.channel_id or ""
    if action.status == "done":
        told = action.announced_at is not None
        if not told or action.notified_at is None:
            announce(ctx, action)  # an attempt that died half-way through telling people: finish (each note once)
        if told and not _redelivered():  # a second click, not this click's job running again
            _already(ctx, action, where, user)
        return action
    settings = ctx.settings()
    refused = refusal(ctx, user, requester=action.proposed_by, lang=action.lang, settings=settings)
    if refused is not None:
        log.info("action decision refused", extra={"action_id": str(action.id), "user": user})
        ephemeral(ctx, where, user, refused)
        return action
    configured = settings.jira.configured if action.type == TICKET else settings.google.configured
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        undecided = action.status in ("proposed", "failed", "dismissed")  # a confirmed one counts already
        capped = policy.over_cap(conn, action, user, settings.policy) if undecided else None
        if capped is None and configured and store.confirm(conn, action.id, user) is not None:
            # no-op (and no entry) when already confirmed, running or done
            audit(conn, ctx.ws.workspace_id, user, "action.confirmed", str(action.id), {"type": action.type})
    if capped is not None:
        log.info("action over the workspace's cap", extra={"action_id": str(action.id), "user": user})
        if user != AUTOMATIC:
            ephemeral(ctx, where, user, capped)
        return action
    if configured:
        ended = execute(ctx, action.id, final_attempt=final_attempt, user=user)
        if ended is None or ended.status != "proposed":
            return ended
        # proposed again: the settings say connected but no credentials are stored
    if user != AUTOMATIC:  # automatic mode stays quiet: the buttons remain for people
        text = _would_ticket(ctx, action, settings) if action.type == TICKET else _would_meeting(action)
        ephemeral(ctx, where, user, text)
    return action  # stays `proposed`: the same button works once connected


def _redelivered() -> bool:
    message = CurrentMessage.get_current_message()
    return message is not None and message.options.get("retries", 0) > 0


def _already(ctx: Ctx, action: Action, channel: str, user: str) -> None:
    if action.type == TICKET:
        text = t("act.already_ticket", action.lang, ticket=esc(action.external_id), url=link(action.external_url))
    else:
        text = t("act.already_meeting", action.lang, url=link(action.external_url), title=esc(action.meeting().title))
    ephemeral(ctx, channel, user, text)


def _interaction(ctx: Ctx, interaction_id: UUID) -> dict[str, Any]:
    def look() -> dict[str, Any] | None:
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            return conn.execute(
                "SELECT id, user_id, channel_id, thread_ts, message_ts, message, metadata->'analysis' AS analysis"
                " FROM agent_interactions WHERE id = %s",
                [interaction_id],
            ).fetchone()

    return once_recorded(look, interaction_id)  # a quick click can beat the row's commit


def _thread_of(row: dict[str, Any]) -> str | None:
    ts = row.get("thread_ts") or row.get("message_ts")
    return ts if ts and ts != "0.0" else None


def proposal_clicked(rt: Runtime, job: ProposalClick, *, final_attempt: bool) -> None:
    ctx = context(rt, job.team_id, job.enterprise_id)
    row = _interaction(ctx, job.interaction_id)
    analysis = row.get("analysis") or {}
    language = analysis.get("language")
    lang: Lang = language if is_lang(language) else "en"
    channel, thread_ts = row["channel_id"], _thread_of(row)
    summary = analysis.get("summary") or _first_line(row["message"])
    params = TicketParams(
        summary=summary[:300],
        description=row["message"][:20_000],
        severity=analysis.get("severity") or "medium",
        service=analysis.get("service"),
        dedup_key=dedup_key(analysis.get("service"), f"{summary} {row['message']}"),
        reporter=row["user_id"],
        channel=channel,
        permalink=_permalink(ctx, channel, thread_ts),
        lang=lang,
    )

    def ticket() -> Action:
        """The ticket this answer proposes (created once, dismissed or requested)."""
        return _ticket_action(
            ctx,
            key=f"ticket:{job.interaction_id}",
            params=params,
            interaction_id=job.interaction_id,
            proposed_by=row["user_id"],
            channel=channel,
            thread_ts=thread_ts,
        )

    if job.choice == "dismiss":
        refused = (
            None
            if job.automatic
            else refusal(ctx, job.user, requester=row["user_id"], lang=lang, settings=ctx.settings())
        )
        if refused is not None:  # dismissing decides too: the same people may
            ephemeral(ctx, job.channel, job.user, refused)
            return
        _dismiss(ctx, job, analysis.get("intent") == "incident", ticket, lang)
        return
    action = ticket()
    request(
        ctx,
        action,
        AUTOMATIC if job.automatic else job.user,
        final_attempt=final_attempt,
        ephemeral_channel=job.channel,
    )


def _dismiss(ctx: Ctx, job: ProposalClick, incident: bool, ticket_action: Any, lang: Lang) -> None:
    """Dismiss records the decision on every action of the proposal (the ticket's, once an incident)."""
    if incident:
        ticket_action()
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        actions = store.for_interaction(conn, job.interaction_id)
        results = []
        for a in actions:
            dismissed = store.dismiss(conn, a.id, job.user)
            if dismissed:
                audit(conn, ctx.ws.workspace_id, job.user, "action.dismissed", str(a.id), {"type": a.type})
            results.append(dismissed or a.status == "dismissed")
    ok = all(results)
    ephemeral(ctx, job.channel, job.user, t("act.dismissed" if ok else "act.cannot_dismiss", lang))
    if ok:
        retire_proposal(ctx, job.interaction_id, None, t("act.done_dismissed", lang, by=decided_by(lang, job.user)))


def incident_declared(rt: Runtime, job: IncidentDeclaration, *, final_attempt: bool) -> None:
    """`/nox incident`: post the declaration in the channel (once), then open its ticket there."""
    ctx = context(rt, job.team_id, job.enterprise_id)
    key = f"ticket:view:{job.view_id}"
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        existing = store.by_key(conn, key)
    thread_ts = existing.thread_ts if existing else None
    if thread_ts is None:
        # The declarer's words: shown as typed, never as mentions, broadcasts or links.
        service = f"\n*Service:* {esc(job.service)}" if job.service else ""
        details = f"\n{esc(job.details)}" if job.details else ""
        text = t(
            "act.declared",
            job.lang,
            user=job.user,
            severity=t(f"severity.{job.severity}", job.lang),
            summary=esc(job.summary),
            service=service,
            details=details,
        )
        thread_ts = ctx.client.chat_postMessage(channel=job.channel, text=text)["ts"]
    params = TicketParams(
        summary=job.summary,
        description=job.details or job.summary,
        severity=job.severity,
        service=job.service,
        dedup_key=dedup_key(job.service, f"{job.summary} {job.details}"),
        reporter=job.user,
        channel=job.channel,
        permalink=_permalink(ctx, job.channel, thread_ts),
        lang=job.lang,
    )
    action = _ticket_action(
        ctx, key=key, params=params, interaction_id=None, proposed_by=job.user, channel=job.channel, thread_ts=thread_ts
    )
    request(ctx, action, job.user, final_attempt=final_attempt)


def ticket_from_message(rt: Runtime, job: TicketFromMessage, *, final_attempt: bool) -> None:
    """The message shortcut: the message's own words, NOX's reading of its severity and service."""
    from jamono.brain.language import detect_language

    ctx = context(rt, job.team_id, job.enterprise_id)
    thread_ts = job.thread_ts or job.message_ts
    try:
        analysis = rt.nox.analyzer.analyze(job.text)
        severity = analysis.severity.value if analysis.severity else "medium"
        summary, service = analysis.summary or _first_line(job.text), analysis.service
    except Exception:  # noqa: BLE001 - a ticket with the message's own first line beats no ticket
        log.exception("could not analyse the message for a ticket")
        severity, summary, service = "medium", _first_line(job.text), None
    lang = detect_language(job.text) if job.text else "en"
    params = TicketParams(
        summary=summary[:300],
        description=job.text or summary,
        severity=severity,
        service=service,
        dedup_key=dedup_key(service, f"{summary} {job.text}"),
        reporter=job.author or job.user,
        channel=job.channel,
        permalink=_permalink(ctx, job.channel, job.message_ts),
        lang=lang,
    )
    action = _ticket_action(
        ctx,
        key=f"ticket:msg:{job.channel}:{job.message_ts}",
        params=params,
        interaction_id=None,
        proposed_by=job.user,
        channel=job.channel,
        thread_ts=thread_ts,
    )
    request(ctx, action, job.user, final_attempt=final_attempt)


# --- meetings ------------------------------------------------------------------------------------


def _would_meeting(action: Action) -> str:
    from jamono.actions.messages import people

    params = action.meeting()
    return t(
        "act.meeting_would",
        action.lang,
        duration=params.duration_min,
        title=esc(params.title),
        people=people(params.attendees),
    )


def meeting_submitted(rt: Runtime, job: MeetingSubmission, *, final_attempt: bool) -> None:
    """One meeting per proposal (or per modal when opened with `/nox meeting`)."""
    ctx = context(rt, job.team_id, job.enterprise_id)
    key = f"meeting:{job.interaction_id}" if job.interaction_id else f"meeting:view:{job.view_id}"
    params = job.params.model_dump(mode="json")
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        action = store.propose(
            conn,
            workspace_id=ctx.ws.workspace_id,
            type=MEETING,
            key=key,
            fingerprint=meeting_fingerprint(ctx.ws.tenant_id, key),
            parameters=params,
            interaction_id=job.interaction_id,
            proposed_by=job.user,
            channel_id=job.channel or None,
            thread_ts=job.thread_ts,
        )
        if action.parameters != params and action.status in ("proposed", "failed", "dismissed"):
            store.update_parameters(conn, action.id, params)  # the latest form wins until it is booked
            action = store.get(conn, action.id) or action
    request(ctx, action, job.user, final_attempt=final_attempt, ephemeral_channel=job.channel or job.user)


# --- retry ---------------------------------------------------------------------------------------


def retry_clicked(rt: Runtime, job: ActionRef, *, final_attempt: bool) -> None:
    ctx = context(rt, job.team_id, job.enterprise_id)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        action = store.get(conn, job.action_id)
    if action is None:
        return
    if action.status == "failed":
        ephemeral(ctx, job.channel, job.user, t("act.retrying", action.lang))
    request(ctx, action, job.user, final_attempt=final_attempt, ephemeral_channel=job.channel)


def retry_failed(rt: Runtime, team_id: str, action_id: UUID) -> Action | None:
    """The operator's `jamono actions retry`: as if someone clicked Retry (runs in this process)."""
    ctx = context(rt, team_id, None)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        action = store.get(conn, action_id)
    if action is None:
        return None
    return request(ctx, action, "operator", final_attempt=True)


def after_answer(rt: Runtime, ws: Any, interaction_id: UUID, intent: str) -> None:
    """The answering path's one hook: in automatic mode, an incident's ticket is opened at once."""
    from jamono.home.settings_model import parse_stored

    if intent != "incident" or parse_stored(ws.settings).action_mode != "automatic":
        return
    try:
        job = ProposalClick(
            team_id=ws.team_id,
            enterprise_id=ws.enterprise_id,
            user=AUTOMATIC,
            channel="",
            interaction_id=interaction_id,
            choice="ticket",
            automatic=True,
        )
        enqueue(Actor.ACTIONS_PROPOSAL, job.model_dump(mode="json"))
        # And, in a watched channel, the incident itself (the declaration job checks the channel).
        from jamono.incidents.models import Declaration

        declaration = Declaration(
            team_id=ws.team_id,
            enterprise_id=ws.enterprise_id,
            user=AUTOMATIC,
            interaction_id=interaction_id,
            automatic=True,
        )
        enqueue(Actor.INCIDENTS_DECLARE, declaration.model_dump(mode="json"))
    except Exception:  # noqa: BLE001 - the answer is out; the buttons remain if this fails
        log.exception("could not queue the automatic ticket")


__all__ = [
    "after_answer",
    "incident_declared",
    "meeting_submitted",
    "post",
    "proposal_clicked",
    "retry_clicked",
    "ticket_from_message",
]
