"""Running one confirmed action against Jira or Google Calendar, exactly once.
Why and how: docs/design/actions.md."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from dramatiq.errors import Retry
from dramatiq.middleware import CurrentMessage
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jamono.actions import failpoints, store
from jamono.actions.incidents import DEFAULT_WINDOW_MIN
from jamono.actions.messages import failure_blocks, meeting_done_text, people, retired_blocks, ticket_done_text
from jamono.actions.models import MEETING, TICKET, Action, Lang
from jamono.home.settings_model import WorkspaceSettings, load_settings
from jamono.i18n import t
from jamono.integrations.base import IntegrationError, MeetingRequest, TicketRequest
from jamono.integrations.priorities import map_priority
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import WorkspaceContext
from jamono.slack.blockkit import section
from jamono.slack.escape import escape_link_url as link
from jamono.slack.escape import escape_mrkdwn as esc
from jamono.workspaces.credentials import CredentialStore, NotConnected

log = logging.getLogger(__name__)

AFTER_CREATE = "actions.after_external_create"
# Slack (or Jira) has the note, NOX has not recorded it yet: + ":announced_at", ":notified_at", ":comment"
AFTER_NOTE = "actions.after_note_posted"
NOTE_EVENT_TYPE = "nox_action_note"
# Longer than a job may run (JOB_TIME_LIMIT_S, 120 s by default): a live lease means a live attempt.
LEASE = timedelta(minutes=3)


class RetryLater(Retry):
    """Hand the action back to the queue (with the server's Retry-After when it gave one)."""

    def __init__(self, reason: str, delay_s: float | None = None) -> None:
        super().__init__(reason, delay=int(delay_s * 1000) if delay_s is not None else None)


@dataclass
class Ctx:
    """One job's view of a workspace: fresh settings, its Slack client, the credential store."""

    pool: Any
    ws: WorkspaceContext
    client: WebClient
    credentials: CredentialStore

    def settings(self) -> WorkspaceSettings:
        with tenant_tx(self.pool, self.ws.tenant_id) as conn:
            return load_settings(conn, self.ws.workspace_id)


# --- Slack output --------------------------------------------------------------------------------


def post(
    ctx: Ctx,
    action: Action,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """In the action's thread; with no thread, in its channel; with no channel, to the person."""
    ctx.client.chat_postMessage(
        channel=_target(action) or "",  # never empty: every action has a proposer
        thread_ts=action.thread_ts,
        text=text,
        metadata=metadata,
        blocks=blocks or [section(text)],
    )


def _target(action: Action) -> str | None:
    return action.channel_id or action.confirmed_by or action.proposed_by


def note_metadata(action: Action, column: str) -> dict[str, Any]:
    """Slack message metadata naming the action and which note this is: how a retry finds it."""
    return {"event_type": NOTE_EVENT_TYPE, "event_payload": {"action_id": str(action.id), "note": column}}


def already_noted(ctx: Ctx, action: Action, channel: str | None, thread_ts: str | None, column: str) -> bool:
    """A note an earlier attempt posted but died before recording (Slack accepted, no commit).
    Looked up by its metadata in the thread, or in the channel since the action was created."""
    if not channel:
        return False
    payload = note_metadata(action, column)["event_payload"]
    since = f"{action.created_at.timestamp() - 60:.6f}"
    try:
        if channel[0] in "UW":  # a DM addressed by user id: look in that DM
            channel = ctx.client.conversations_open(users=channel)["channel"]["id"]
        if thread_ts:
            found = ctx.client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=since, include_all_metadata=True, limit=200
            )
        else:
            found = ctx.client.conversations_history(
                channel=channel, oldest=since, include_all_metadata=True, limit=200
            )
    except SlackApiError as exc:  # cannot look: post (a rare double beats a lost note)
        log.info("could not look for an earlier note: %s", exc.response.get("error"))
        return False
    return any(
        (m.get("metadata") or {}).get("event_type") == NOTE_EVENT_TYPE
        and (m["metadata"].get("event_payload") or {}) == payload
        for m in found.get("messages") or []
    )


def post_once(ctx: Ctx, action: Action, column: str, text: str, *, channel: str | None = None) -> None:
    """Post a note at most once per action. The flag commits only after Slack accepted the
    message; a worker that dies in between leaves the message in Slack and the flag unset, so
    the next attempt looks for the message (by its metadata) before posting again.
    `channel` None: the action's own thread (see `post`)."""
    metadata = note_metadata(action, column)
    target, thread = (_target(action), action.thread_ts) if channel is None else (channel, None)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        if not store.mark(conn, action.id, column) or already_noted(ctx, action, target, thread, column):
            return
        if channel is None:
            post(ctx, action, text, metadata=metadata)
        else:
            ctx.client.chat_postMessage(channel=channel, text=text, metadata=metadata)
        failpoints.hit(f"{AFTER_NOTE}:{column}")


def retire_proposal(ctx: Ctx, interaction_id: UUID | None, done: str | None, note: str) -> None:
    """NOX's reply stops offering what was decided (see messages.retired_blocks). Idempotent;
    cosmetic, so a Slack refusal is logged and never fails the job."""
    if interaction_id is None:
        return
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        row = conn.execute(
            "SELECT channel_id, reply_ts FROM agent_interactions WHERE id = %s", [interaction_id]
        ).fetchone()
    if row is None or not row["reply_ts"]:
        return
    channel, ts = row["channel_id"], row["reply_ts"]
    try:
        found = ctx.client.conversations_replies(channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=1)
        message = next((m for m in found.get("messages") or [] if m.get("ts") == ts), None)
        blocks = retired_blocks(message.get("blocks") or [], str(interaction_id), done, note) if message else None
        if message and blocks is not None:
            ctx.client.chat_update(channel=channel, ts=ts, text=message.get("text") or note, blocks=blocks)
    except SlackApiError as exc:
        log.info("could not retire the proposal's buttons: %s", exc.response.get("error"))


def decided_by(lang: Lang, user: str | None) -> str:
    """The " by <@user>" of the line that replaces a decided proposal (nothing for automatic mode)."""
    return t("act.by", lang, user=user) if user and user != "automatic" else ""


def ephemeral(ctx: Ctx, channel: str, user: str, text: str, *, thread_ts: str | None = None) -> None:
    if not channel or not user or user == "automatic":
        return
    try:
        ctx.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
    except SlackApiError as exc:
        log.warning("could not answer the click: %s", exc.response.get("error"))


# --- running -------------------------------------------------------------------------------------


def _owner() -> str:
    """Who claims: the queue message being processed (its redelivery is the same message)."""
    message = CurrentMessage.get_current_message()
    return f"msg:{message.message_id}" if message is not None else f"call:{uuid.uuid4()}"


def execute(ctx: Ctx, action_id: UUID, *, final_attempt: bool, user: str = "") -> Action | None:
    """Run a confirmed action once; returns the row as it ends (None when it does not exist)."""
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        action = store.claim(conn, action_id, LEASE, _owner())
        current = action or store.get(conn, action_id)
    if current is None:
        return None
    if action is None:
        if current.status == "done":
            announce(ctx, current)
        elif current.status == "running":  # a double click: the other job is on it
            ephemeral(ctx, current.channel_id or "", user, t("act.in_progress", current.lang))
        return current
    settings = ctx.settings()
    try:
        outcome = _run_ticket(ctx, action, settings) if action.type == TICKET else _run_meeting(ctx, action, settings)
        failpoints.hit(AFTER_CREATE)
    except NotConnected:
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            conn.execute("UPDATE actions SET status = 'proposed', lease_until = NULL WHERE id = %s", [action.id])
        return action.model_copy(update={"status": "proposed"})
    except IntegrationError as exc:
        if exc.retryable and not final_attempt:
            with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
                store.release(conn, action.id, exc.reason)
            raise RetryLater(exc.reason, exc.retry_after_s) from None
        return _give_up(ctx, action, exc.reason)
    except Exception as exc:
        reason = f"unexpected error ({type(exc).__name__})"
        if not final_attempt:
            with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
                store.release(conn, action.id, reason)
            raise
        log.exception("action %s failed", action.id)
        return _give_up(ctx, action, reason)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        store.done(conn, action.id, **outcome)
        if action.type == MEETING:  # with the same commit: on the incident's timeline exactly once
            meeting_on_timeline(conn, action, outcome)
        finished = store.get(conn, action.id)
    assert finished is not None
    announce(ctx, finished, settings)
    return finished


def _give_up(ctx: Ctx, action: Action, reason: str) -> Action:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        store.fail(conn, action.id, reason)
        failed = store.get(conn, action.id)
    assert failed is not None
    text, blocks = failure_blocks(failed, reason)
    try:
        post(ctx, failed, text, blocks)
    except SlackApiError as exc:
        log.warning("could not report a failed action in Slack: %s", exc.response.get("error"))
    return failed


# --- tickets -------------------------------------------------------------------------------------


def _window(ctx: Ctx) -> timedelta:
    raw = (ctx.ws.settings or {}).get("incident_dedup_window_min")
    return timedelta(minutes=raw if isinstance(raw, int) and raw > 0 else DEFAULT_WINDOW_MIN)


def ticket_request(
    action: Action, settings: WorkspaceSettings, reporter_name: str | None, channel_name: str | None
) -> TicketRequest:
    params = action.ticket()
    lines = [params.summary]
    if params.description and params.description.strip() != params.summary:
        lines += ["", params.description.strip()]
    lines += ["", f"Severity: {params.severity}"]
    if params.service:
        lines.append(f"Service: {params.service}")
    lines.append(f"Reporter: {reporter_name or params.reporter}")
    if params.channel:
        lines.append(f"Channel: #{channel_name}" if channel_name else f"Channel: {params.channel}")
    return TicketRequest(
        project_key=settings.jira.project_key or "",
        issue_type=settings.jira.issue_type,
        summary=params.summary,
        description="\n".join(lines),
        priority=map_priority(params.severity, settings.jira.priorities.as_dict()),
        labels=["nox"],
        fingerprint=action.fingerprint,
        reporter_name=reporter_name,
        slack_permalink=params.permalink,
    )


def _names(ctx: Ctx, action: Action) -> tuple[str | None, str | None]:
    params = action.ticket()
    reporter = channel = None
    try:
        if params.reporter:
            user = ctx.client.users_info(user=params.reporter)["user"]
            reporter = (user.get("profile") or {}).get("real_name") or user.get("real_name") or user.get("name")
        if params.channel:
            channel = ctx.client.conversations_info(channel=params.channel)["channel"].get("name")
    except SlackApiError as exc:
        log.info("names for the ticket unavailable: %s", exc.response.get("error"))
    return reporter, channel


def _run_ticket(ctx: Ctx, action: Action, settings: WorkspaceSettings) -> dict[str, Any]:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        tracker = ctx.credentials.tracker(conn, ctx.ws.workspace_id, settings)
        earlier = store.same_incident(conn, action, _window(ctx))
    with tracker:  # type: ignore[attr-defined]
        if earlier is not None:
            if earlier.status != "done":
                raise IntegrationError(
                    "the first report of this incident is still being filed", retryable=True, retry_after_s=1
                )
            return _comment_instead(ctx, action, earlier, tracker)
        reporter, channel = _names(ctx, action)
        request = ticket_request(action, settings, reporter, channel)
        ticket = tracker.create(request)
    return {
        "external_id": ticket.key,
        "external_url": ticket.url,
        "result": {"priority": request.priority, "project": request.project_key, "reporter_name": reporter},
    }


def _comment_instead(ctx: Ctx, action: Action, earlier: Action, tracker: Any) -> dict[str, Any]:
    params = action.ticket()
    why = "thread" if (earlier.channel_id, earlier.thread_ts) == (action.channel_id, action.thread_ts) else "symptom"
    reporter, _ = _names(ctx, action)
    body = t(
        "act.jira_comment",
        "en",
        reporter=reporter or params.reporter,
        summary=params.summary,
        permalink=params.permalink or "",
    )
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        # The flag commits only once Jira accepted the comment; a worker dying in between is
        # covered by the marker: the comment is find-or-create on it.
        flagged = (
            conn.execute(
                "UPDATE actions SET result = result || '{\"commented\": true}'"
                " WHERE id = %s AND NOT (result ? 'commented')",
                [action.id],
            ).rowcount
            == 1
        )
        if flagged:
            tracker.comment(earlier.external_id, body, marker=f"nox-action-{action.id}")
            failpoints.hit(f"{AFTER_NOTE}:comment")
    return {
        "external_id": earlier.external_id or "",
        "external_url": earlier.external_url or "",
        "result": {"duplicate_of": str(earlier.id), "why": why},
    }


# --- meetings ------------------------------------------------------------------------------------


def _profile(ctx: Ctx, user_id: str) -> dict[str, Any]:
    return ctx.client.users_info(user=user_id)["user"]


def meeting_request(ctx: Ctx, action: Action, settings: WorkspaceSettings, now: datetime) -> MeetingRequest:
    """Emails and time zones from the attendees' Slack profiles (users.info)."""
    params = action.meeting()
    emails: list[str] = []
    zones: dict[str, str] = {}
    missing: list[str] = []
    requester_tz = "UTC"
    for user_id in dict.fromkeys([*params.attendees]):
        user = _profile(ctx, user_id)
        if user.get("is_bot") or user.get("deleted"):
            continue
        email = (user.get("profile") or {}).get("email")
        if not email:
            missing.append(user_id)
            continue
        emails.append(email)
        if user.get("tz"):
            zones[email.lower()] = user["tz"]
    if params.requester:
        requester_tz = _profile(ctx, params.requester).get("tz") or "UTC"
    if missing:
        raise IntegrationError(t("act.no_email", action.lang, people=people(missing)))
    organizer = settings.google.organizer_email or ""
    try:
        found = ctx.client.users_lookupByEmail(email=organizer)["user"]
        if found.get("tz"):
            zones.setdefault(organizer.lower(), found["tz"])
    except SlackApiError:
        pass  # a calendar robot outside Slack: it keeps the requester's hours
    return MeetingRequest(
        title=params.title,
        duration_min=params.duration_min,
        attendee_emails=emails,
        attendee_timezones=zones,
        organizer_email=organizer,
        description=params.description,
        fingerprint=action.fingerprint,
        earliest=now,
        default_timezone=requester_tz,
    )


def _run_meeting(ctx: Ctx, action: Action, settings: WorkspaceSettings) -> dict[str, Any]:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        calendar = ctx.credentials.calendar(conn, ctx.ws.workspace_id, settings)
    now = datetime.now(UTC)
    with calendar:  # type: ignore[attr-defined]
        request = meeting_request(ctx, action, settings, now)
        meeting = calendar.find_by_fingerprint(action.fingerprint, now)
        if meeting is None:
            start, end = calendar.first_free_slot(request)
            meeting = calendar.create(request, start, end)
    return {
        "external_id": meeting.event_id,
        "external_url": meeting.html_link,
        "result": {
            "start": meeting.start.isoformat(),
            "end": meeting.end.isoformat(),
            "meet_link": meeting.meet_link,
            "attendees": request.attendee_emails,
        },
    }


def meeting_on_timeline(conn: Any, action: Action, outcome: dict[str, Any]) -> bool:
    """A meeting booked from an incident's channel (or its threads) goes on that incident's timeline,
    under the action's own key: a retry or a redelivery lands on the same row."""
    from jamono.incidents import store as incidents_store

    incident = incidents_store.by_channel(conn, action.channel_id) if action.channel_id else None
    if incident is None:
        return False
    result = outcome.get("result") or {}
    meeting = {
        "title": action.meeting().title,
        "start": result.get("start"),
        "url": outcome.get("external_url"),
        "meet": result.get("meet_link"),
    }
    _, created = incidents_store.record_event(
        conn,
        incident_id=incident.id,
        key=f"action:meeting:{action.id}",
        kind="action",
        actor=action.confirmed_by or action.proposed_by or "nox",
        data={"text": f"Meeting: {meeting['title']}", "meeting": meeting},
    )
    return created


# --- telling people ------------------------------------------------------------------------------


def announce(ctx: Ctx, action: Action, settings: WorkspaceSettings | None = None) -> None:
    """The result in the thread, and a new ticket in the incident channel — each once."""
    lang = action.lang
    if action.type == TICKET:
        params = action.ticket()
        if "duplicate_of" in action.result:
            why = t("act.why_thread" if action.result.get("why") == "thread" else "act.why_symptom", lang)
            text = t(
                "act.ticket_duplicate", lang, ticket=esc(action.external_id), url=link(action.external_url), why=why
            )
        else:
            text = ticket_done_text(
                lang,
                key=action.external_id or "",
                url=action.external_url or "",
                summary=params.summary,
                priority=action.result.get("priority") or "?",
            )
        post_once(ctx, action, "announced_at", text)
        note = t(
            "act.done_duplicate" if "duplicate_of" in action.result else "act.done_ticket",
            lang,
            ticket=esc(action.external_id),
            url=link(action.external_url),
            by=decided_by(lang, action.confirmed_by),
        )
        retire_proposal(ctx, action.interaction_id, "propose_ticket", note)
        settings = settings or ctx.settings()
        channel = settings.incident_channel
        if channel and "duplicate_of" not in action.result and channel != action.channel_id:
            note = t(
                "act.incident_channel",
                lang,
                ticket=esc(action.external_id),
                url=link(action.external_url),
                summary=esc(params.summary),
                permalink=params.permalink or "",
            )
            post_once(ctx, action, "notified_at", note, channel=channel)
    elif action.type == MEETING:
        start = datetime.fromisoformat(action.result["start"])
        text = meeting_done_text(
            action, start=start, html_link=action.external_url or "", meet_link=action.result.get("meet_link")
        )
        post_once(ctx, action, "announced_at", text)
        note = t(
            "act.done_meeting",
            lang,
            url=link(action.external_url),
            title=esc(action.meeting().title),
            by=decided_by(lang, action.confirmed_by),
        )
        retire_proposal(ctx, action.interaction_id, "propose_meeting", note)
