"""Incidents end to end — the entry points the workers call.
Why and how: docs/design/incidents.md."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from slack_sdk.errors import SlackApiError

from jamono.actions import store as actions_store
from jamono.actions.execution import Ctx, RetryLater, ephemeral
from jamono.actions.models import TICKET, TicketParams
from jamono.container import Runtime
from jamono.home.admin import is_workspace_admin
from jamono.home.settings_model import WorkspaceSettings
from jamono.i18n import is_lang, t
from jamono.incidents import slackops, store
from jamono.incidents.models import (
    SEVERITIES,
    STATUSES,
    Change,
    Declaration,
    Incident,
    IncidentEvent,
    IncidentRef,
    IncidentSettings,
    Lang,
    ListRequest,
)
from jamono.incidents.views import event_line, list_blocks, mirror_line
from jamono.integrations.base import IntegrationError
from jamono.integrations.priorities import map_priority
from jamono.platform.db import Connection, tenant_tx
from jamono.queue.client import enqueue
from jamono.queue.names import REMIND_QUEUE, Actor
from jamono.slack.blockkit import divider, escape, section

log = logging.getLogger(__name__)

# Reminders wait minutes to hours as delayed messages: on a queue of their own, so they never count
# as the answering queue's backlog (its depth, autoscaling on it, tests joining it).
JIRA_STATUS = {
    "investigating": "In Progress",
    "identified": "In Progress",
    "monitoring": "In Progress",
    "resolved": "Done",
}


def context(rt: Runtime, team_id: str, enterprise_id: str | None) -> Ctx:
    from jamono.actions.flows import context as actions_context

    return actions_context(rt, team_id, enterprise_id)


def incident_settings(ctx: Ctx) -> tuple[IncidentSettings, WorkspaceSettings]:
    from jamono.home.settings_model import parse_stored

    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        row = conn.execute("SELECT settings FROM workspaces WHERE id = %s", [ctx.ws.workspace_id]).fetchone()
    raw = (row or {}).get("settings") or {}
    return IncidentSettings.of(raw), parse_stored(raw)


incident_lock = slackops.incident_lock


def _ref(ctx: Ctx, incident: Incident, user: str, **extra: Any) -> dict[str, Any]:
    return IncidentRef(
        team_id=ctx.ws.team_id, enterprise_id=ctx.ws.enterprise_id, user=user, incident_id=incident.id, **extra
    ).model_dump(mode="json")


def _origin_url(ctx: Ctx, incident: Incident) -> str | None:
    return slackops.permalink(ctx, incident.origin_channel, incident.origin_thread_ts)


def _jira_connected(settings: WorkspaceSettings) -> bool:
    return settings.jira.configured


# --- declare -------------------------------------------------------------------------------------


def _interaction(ctx: Ctx, interaction_id: UUID) -> dict[str, Any]:
    from jamono.actions.flows import _interaction as look

    return look(ctx, interaction_id)


def _runbooks(ctx: Ctx, row: dict[str, Any]) -> list[dict[str, Any]]:
    ids = [s for s in (row.get("sources") or []) if isinstance(s, str)][:5]
    if not ids:
        return []
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        found = conn.execute(
            "SELECT id::text AS id, title, url FROM knowledge_documents WHERE id::text = ANY(%s)", [ids]
        ).fetchall()
    return [{"title": r["title"], "url": r["url"]} for r in found]


def _profile(ctx: Ctx, user: str) -> dict[str, Any] | None:
    try:
        return ctx.client.users_info(user=user)["user"]
    except SlackApiError:
        return None


def _guest(profile: dict[str, Any] | None) -> bool:
    """Guests (and deleted accounts, bots) never declare or change an incident (invariant 6)."""
    return profile is None or bool(
        profile.get("is_restricted")
        or profile.get("is_ultra_restricted")
        or profile.get("deleted")
        or profile.get("is_bot")
    )


def declare(rt: Runtime, job: Declaration, *, final_attempt: bool = False) -> Incident | None:
    ctx = context(rt, job.team_id, job.enterprise_id)
    if not job.automatic and _guest(_profile(ctx, job.user)):
        ephemeral(ctx, job.channel, job.user, t("guest", job.lang or "en"))
        return None
    inc_settings, settings = incident_settings(ctx)
    if job.interaction_id is not None:
        row = _interaction(ctx, job.interaction_id)
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            extra = (
                conn.execute(
                    "SELECT message_type, metadata->'sources' AS sources FROM agent_interactions WHERE id = %s",
                    [job.interaction_id],
                ).fetchone()
                or {}
            )
        if job.automatic and (extra.get("message_type") != "watched_channel" or settings.action_mode != "automatic"):
            return None  # automatic declaration: only in a watched channel of a workspace that chose it
        analysis = row.get("analysis") or {}
        language = analysis.get("language")
        lang: Lang = language if is_lang(language) else "en"
        from jamono.actions.flows import _first_line

        title = (analysis.get("summary") or _first_line(row["message"]))[:200]
        severity: str = analysis["severity"] if analysis.get("severity") in SEVERITIES else "high"
        key = f"incident:{job.interaction_id}"
        reporter = row["user_id"]
        origin_channel = row["channel_id"]
        origin_ts = row.get("thread_ts") or row.get("message_ts")
        service = analysis.get("service")
        runbooks = _runbooks(ctx, {"sources": extra.get("sources")})
    else:
        key = f"incident:view:{job.view_id}"
        lang = job.lang or "en"
        title = (job.title or "Incident")[:200]
        severity = job.severity or "medium"
        reporter = job.user
        origin_channel = job.channel if job.channel[:1] in ("C", "G") else None
        origin_ts = None
        service = job.service
        runbooks = []
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        existing = store.by_key(conn, key)
        incident = existing or store.create(
            conn,
            workspace_id=ctx.ws.workspace_id,
            key=key,
            title=title,
            severity=severity,
            reporter=reporter,
            lead=job.lead,
            lang=lang,
            service=service,
            interaction_id=job.interaction_id,
            origin_channel=origin_channel,
            origin_thread_ts=origin_ts if origin_ts and origin_ts != "0.0" else None,
            runbooks=runbooks,
        )
    if existing is not None and existing.steps.get("declared"):
        _tell_already(ctx, job, existing)
        return existing
    with incident_lock(ctx, f"declare:{incident.id}"):
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            incident = store.get(conn, incident.id) or incident
        if incident.steps.get("declared"):  # the other click's run finished it while we waited
            _tell_already(ctx, job, incident)
            return incident
        incident = _furnish(ctx, incident, inc_settings, settings, job)
    return incident


def _tell_already(ctx: Ctx, job: Declaration, incident: Incident) -> None:
    from jamono.actions.flows import _redelivered

    if job.automatic or _redelivered() or not incident.channel_id:
        return
    ephemeral(
        ctx,
        job.channel or incident.origin_channel or "",
        job.user,
        t("already", incident.lang, channel=incident.channel_id),
    )


def _furnish(
    ctx: Ctx, incident: Incident, inc_settings: IncidentSettings, settings: WorkspaceSettings, job: Declaration
) -> Incident:
    incident = slackops.ensure_channel(ctx, incident, inc_settings)
    slackops.invite(
        ctx,
        incident,
        [
            incident.reporter,
            incident.lead or "",
            job.user if not job.automatic else "",
            *slackops.responders(ctx, inc_settings),
        ],
    )
    slackops.set_topic(ctx, incident)
    if incident.interaction_id is not None:  # the triage reply stops offering Declare, and says where it went
        from jamono.actions.execution import decided_by, retire_proposal

        retire_proposal(
            ctx,
            incident.interaction_id,
            "propose_incident",
            f":rotating_light: <#{incident.channel_id}>{decided_by(incident.lang, job.user if not job.automatic else 'automatic')}",
        )
    origin_url = _origin_url(ctx, incident)
    incident = slackops.ensure_card(ctx, incident, jira_connected=_jira_connected(settings), origin_url=origin_url)
    marks: list[tuple[str, str]] = []
    if origin_url:
        marks.append((t("bm.origin", incident.lang), origin_url))
    marks += [(r.get("title") or "Runbook", r.get("url") or "") for r in incident.runbooks]
    slackops.add_bookmarks(ctx, incident, marks)
    since = incident.started_at.timestamp() - 60
    slackops.note_once(
        ctx,
        incident,
        "welcome",
        channel=incident.channel_id or "",
        thread_ts=None,
        text=t("welcome", incident.lang, title=escape(incident.title)),
        claim=lambda conn: store.mark_step(conn, incident.id, "welcome"),
        since=since,
    )
    if incident.origin_channel:
        from jamono.incidents.views import sev

        link = t(
            "linked",
            incident.lang,
            user=job.user if not job.automatic else incident.reporter,
            channel=incident.channel_id,
            severity=sev(incident),
            title=escape(incident.title),
        )
        posted = slackops.note_once(
            ctx,
            incident,
            "linked",
            channel=incident.origin_channel,
            thread_ts=incident.origin_thread_ts,
            text=link,
            claim=lambda conn: store.mark_step(conn, incident.id, "linked"),
            since=since,
        )
        if posted and not incident.origin_thread_ts:  # from the modal: that note is the origin thread
            with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
                conn.execute("UPDATE incidents SET origin_thread_ts = %s WHERE id = %s", [posted, incident.id])
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        store.record_event(
            conn,
            incident_id=incident.id,
            key=f"declared:{incident.id}",
            kind="declared",
            actor="automatic" if job.automatic else job.user,
            data={"severity": incident.severity, "title": incident.title, "lead": incident.lead},
        )
        store.mark_step(conn, incident.id, "declared")
        incident = store.get(conn, incident.id) or incident
    if settings.jira.configured:
        enqueue(Actor.INCIDENTS_JIRA, _ref(ctx, incident, job.user))
    schedule_reminder(ctx, incident, inc_settings)
    return incident


# --- changes -------------------------------------------------------------------------------------


def _find(ctx: Ctx, job: Change) -> Incident | None:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        if job.incident_id is not None:
            return store.get(conn, job.incident_id)
        return store.by_channel(conn, job.channel) if job.channel else None


def may_change(
    ctx: Ctx, incident: Incident, user: str, inc_settings: IncidentSettings, settings: WorkspaceSettings
) -> bool:
    """The lead, the responders (the workspace's group, and who declared it) and NOX's admins;
    never a guest, whatever group they are in."""
    profile = _profile(ctx, user)
    if _guest(profile):
        return False
    if user in (incident.lead, incident.reporter) or user in slackops.responders(ctx, inc_settings):
        return True
    return is_workspace_admin(profile or {}, settings)


ALIASES = {
    "investigation": "investigating",
    "identifié": "identified",
    "identifie": "identified",
    "surveillance": "monitoring",
    "résolu": "resolved",
    "resolu": "resolved",
    "critique": "critical",
    "élevée": "high",
    "elevee": "high",
    "haute": "high",
    "moyenne": "medium",
    "faible": "low",
    "basse": "low",
}


def _parse(job: Change) -> tuple[str, str, str] | None:
    """(kind, value, note) validated; None when the value is not understood. French words too."""
    kind, value, note = job.kind, job.value.strip(), job.note.strip()
    if kind in ("status", "severity"):
        value = ALIASES.get(value.lower(), value.lower())
    if kind == "status":
        if value == "resolved":
            return "resolved", "resolved", note
        return (kind, value, note) if value in STATUSES else None
    if kind == "severity":
        return (kind, value, note) if value in SEVERITIES else None
    if kind == "lead":
        user = value.strip("<>@").split("|")[0]
        return (kind, user, note) if user[:1] in ("U", "W") and user[1:].isalnum() else None
    if kind == "update":
        return (kind, "", note or value) if (note or value) else None
    if kind == "resolved":
        return kind, "resolved", note or value
    return None


def _may_make(ctx: Ctx, incident: Incident, job: Change, where: str, settings: tuple[Any, Any]) -> bool:
    """A change not seen before needs a person allowed to make it, on an open incident (a redelivered
    one is finished whatever changed since)."""
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        if store.event_by_key(conn, f"change:{job.key}") is not None:
            return True
    lang = incident.lang
    if not may_change(ctx, incident, job.user, *settings):
        ephemeral(ctx, where, job.user, t("not_allowed", lang, lead=incident.lead or incident.reporter))
        return False
    if not incident.open:
        ephemeral(ctx, where, job.user, t("closed", lang))
        return False
    return True


def change(rt: Runtime, job: Change, *, final_attempt: bool = False) -> IncidentEvent | None:
    ctx = context(rt, job.team_id, job.enterprise_id)
    incident = _find(ctx, job)
    where = job.channel or (incident.channel_id if incident else "") or ""
    if incident is None:
        ephemeral(ctx, where, job.user, t("not_here", "en"))
        return None
    lang = incident.lang
    if job.kind == "help":
        ephemeral(ctx, where, job.user, t("usage", lang))
        return None
    parsed = _parse(job)
    if parsed is None:
        ephemeral(ctx, where, job.user, t("bad_value", lang, value=escape(job.value[:60]), usage=t("usage", lang)))
        return None
    kind, value, note = parsed
    current = {"status": incident.status, "severity": incident.severity, "lead": incident.lead}.get(kind)
    if current is not None and current == value:  # a double click, or nothing to change
        return None
    inc_settings, settings = incident_settings(ctx)
    if not _may_make(ctx, incident, job, where, (inc_settings, settings)):
        return None
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        incident = store.get(conn, incident.id, lock=True) or incident  # concurrent changes queue up here
        if store.event_by_key(conn, f"change:{job.key}") is None:
            now_value = {"status": incident.status, "severity": incident.severity, "lead": incident.lead}.get(kind)
            if (now_value is not None and now_value == value) or not incident.open:
                return None  # a double click's second request, or a change that arrived after resolution
        event, created = store.record_event(
            conn,
            incident_id=incident.id,
            key=f"change:{job.key}",
            kind=kind,
            actor=job.user,
            data={"value": value, "note": note},
        )
        if created:
            _apply(conn, incident, kind, value, note)
        incident = store.get(conn, incident.id) or incident
    tell(ctx, incident, event, settings)
    if created and kind in ("update", "status", "resolved") and incident.open:
        schedule_reminder(ctx, incident, inc_settings)
    if kind == "resolved" and not incident.open:  # the draft, the action items, the lesson (each once)
        enqueue(Actor.INCIDENTS_POSTMORTEM, _ref(ctx, incident, job.user))
    return event


def _apply(conn: Connection, incident: Incident, kind: str, value: str, note: str) -> None:
    now = datetime.now(UTC)
    if kind == "status":
        store.update(conn, incident.id, status=value, last_update_at=now, **({"last_update": note} if note else {}))
    elif kind == "severity":
        store.update(conn, incident.id, severity=value, **({"last_update": note} if note else {}))
    elif kind == "lead":
        store.update(conn, incident.id, lead=value)
    elif kind == "update":
        store.update(conn, incident.id, last_update=note, last_update_at=now)
    elif kind == "resolved":
        store.update(
            conn,
            incident.id,
            status="resolved",
            resolved_at=now,
            last_update_at=now,
            **({"last_update": note} if note else {}),
        )


def tell(ctx: Ctx, incident: Incident, event: IncidentEvent, settings: WorkspaceSettings) -> None:
    """The change in the channel, the origin thread and the incidents channel (each once), the
    card and topic brought up to date, Jira queued."""
    line = event_line(
        incident, event.kind, event.actor, str(event.data.get("value") or ""), str(event.data.get("note") or "")
    )
    since = event.created_at.timestamp() - 60
    key = f"event:{event.id}"
    if incident.channel_id:
        slackops.note_once(
            ctx,
            incident,
            f"{key}:channel",
            channel=incident.channel_id,
            thread_ts=None,
            text=line,
            claim=lambda conn: store.mark_effect(conn, event.id, "channel"),
            since=since,
        )
    mirrored = mirror_line(incident, line)
    if incident.origin_channel:
        slackops.note_once(
            ctx,
            incident,
            f"{key}:origin",
            channel=incident.origin_channel,
            thread_ts=incident.origin_thread_ts,
            text=mirrored,
            claim=lambda conn: store.mark_effect(conn, event.id, "origin"),
            since=since,
        )
    feed = settings.incident_channel
    if feed and feed not in (incident.channel_id, incident.origin_channel):
        slackops.note_once(
            ctx,
            incident,
            f"{key}:feed",
            channel=feed,
            thread_ts=None,
            text=mirrored,
            claim=lambda conn: store.mark_effect(conn, event.id, "feed"),
            since=since,
        )
    slackops.refresh_card(
        ctx, incident, jira_connected=_jira_connected(settings), origin_url=_origin_url(ctx, incident)
    )
    if event.kind in ("status", "severity", "lead", "resolved"):
        slackops.set_topic(ctx, incident)
    if event.kind == "lead":
        slackops.invite(ctx, incident, [incident.lead or ""])
    if settings.jira.configured and event.jira_synced_at is None:
        enqueue(Actor.INCIDENTS_JIRA, _ref(ctx, incident, event.actor, event_id=event.id))


# --- Jira ----------------------------------------------------------------------------------------


def _ticket_action(ctx: Ctx, incident: Incident) -> Any:
    from jamono.actions.incidents import dedup_key, ticket_fingerprint

    key = f"ticket:{incident.interaction_id}" if incident.interaction_id else f"ticket:incident:{incident.id}"
    channel = incident.origin_channel or incident.channel_id or ""
    thread = incident.origin_thread_ts if incident.origin_channel else None
    params = TicketParams(
        summary=incident.title,
        description=incident.last_update or incident.title,
        severity=incident.severity,
        service=incident.service,
        dedup_key=dedup_key(incident.service, incident.title),
        reporter=incident.reporter,
        channel=channel,
        permalink=slackops.permalink(ctx, incident.channel_id, incident.card_ts),
        lang=incident.lang,
    )
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        return actions_store.propose(
            conn,
            workspace_id=ctx.ws.workspace_id,
            type=TICKET,
            key=key,
            fingerprint=ticket_fingerprint(ctx.ws.tenant_id, channel, thread, key),
            parameters=params.model_dump(mode="json"),
            interaction_id=incident.interaction_id,
            proposed_by=incident.reporter,
            channel_id=channel or None,
            thread_ts=thread,
        )


def _show_jira_error(ctx: Ctx, incident_id: UUID, reason: str | None, settings: WorkspaceSettings) -> Incident | None:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        store.update(conn, incident_id, jira_error=reason)
        incident = store.get(conn, incident_id)
    if incident is not None:
        slackops.refresh_card(ctx, incident, jira_connected=True, origin_url=_origin_url(ctx, incident))
    return incident


def sync_jira(rt: Runtime, job: IncidentRef, *, final_attempt: bool = False) -> Incident | None:
    """Open the ticket (once, through the actions table) and mirror every change not yet in Jira."""
    from jamono.actions.flows import request

    ctx = context(rt, job.team_id, job.enterprise_id)
    _, settings = incident_settings(ctx)
    if not settings.jira.configured:
        return None
    with incident_lock(ctx, f"jira:{job.incident_id}"):
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            incident = store.get(conn, job.incident_id)
        if incident is None:
            return None
        try:
            if not incident.jira_key:
                action = _ticket_action(ctx, incident)
                ended = (
                    action
                    if action.status == "done"
                    else request(ctx, action, action.confirmed_by or incident.reporter, final_attempt=final_attempt)
                )
                if ended is None or ended.status != "done":
                    reason = (ended.last_error if ended else None) or "the ticket could not be opened"
                    _show_jira_error(ctx, incident.id, reason, settings)
                    return incident
                with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
                    store.update(
                        conn,
                        incident.id,
                        ticket_action_id=ended.id,
                        jira_key=ended.external_id,
                        jira_url=ended.external_url,
                    )
                    store.record_event(  # on the timeline, with the key: once
                        conn,
                        incident_id=incident.id,
                        key=f"action:jira:{incident.id}",
                        kind="action",
                        actor=incident.reporter,
                        data={"text": f"Jira {ended.external_id} opened"},
                    )
                    incident = store.get(conn, incident.id) or incident
                slackops.add_bookmarks(
                    ctx, incident, [(t("bm.jira", incident.lang, ticket=incident.jira_key), incident.jira_url or "")]
                )

            jira_status = _mirror_events(ctx, incident, settings)
        except RetryLater as exc:
            _show_jira_error(ctx, incident.id, str(exc) or "Jira is unavailable", settings)
            raise
        except IntegrationError as exc:
            _show_jira_error(ctx, incident.id, exc.reason, settings)
            if exc.retryable and not final_attempt:
                raise RetryLater(exc.reason, exc.retry_after_s) from None
            return incident
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            store.update(conn, incident.id, jira_error=None, **({"jira_status": jira_status} if jira_status else {}))
            incident = store.get(conn, incident.id) or incident
        slackops.refresh_card(ctx, incident, jira_connected=True, origin_url=_origin_url(ctx, incident))
        return incident


def _mirror_events(ctx: Ctx, incident: Incident, settings: WorkspaceSettings) -> str | None:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        tracker = ctx.credentials.tracker(conn, ctx.ws.workspace_id, settings)
        pending = store.unsynced_events(conn, incident.id)
    status: str | None = None
    with tracker:  # type: ignore[attr-defined]
        key = incident.jira_key or ""
        for event in pending:
            value = str(event.data.get("value") or "")
            if event.kind == "severity" and hasattr(tracker, "set_priority"):
                tracker.set_priority(key, map_priority(value, settings.jira.priorities.as_dict()))
            if event.kind in ("status", "resolved") and hasattr(tracker, "transition_to"):
                status = tracker.transition_to(key, JIRA_STATUS.get(value, "In Progress")) or status
            line = event_line(incident, event.kind, event.actor, value, str(event.data.get("note") or ""))
            tracker.comment(
                key, t("jira_comment", incident.lang, line=_plain(line)), marker=f"nox-incident-event-{event.id}"
            )
            with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
                store.mark_synced(conn, event.id)
        if status is None and hasattr(tracker, "status"):
            status = tracker.status(key)
    return status


def _plain(line: str) -> str:
    """A Slack line for Jira: emoji codes and mrkdwn bold dropped, mentions kept as ids."""
    import re

    line = re.sub(r":[a-z_]+: ", "", line).replace("*", "")
    return re.sub(r"<@([A-Z0-9]+)>", r"@\1", line)


# --- reminders -----------------------------------------------------------------------------------


def _base(incident: Incident) -> datetime:
    return max(incident.last_update_at, incident.reminded_at or incident.last_update_at)


def schedule_reminder(ctx: Ctx, incident: Incident, inc_settings: IncidentSettings) -> None:
    """A delayed queue message for when the silence would reach the severity's minutes."""
    if not incident.open:
        return
    minutes = inc_settings.reminder_minutes[incident.severity]
    base = _base(incident)
    due = base + timedelta(minutes=minutes)
    delay = max(int((due - datetime.now(UTC)).total_seconds() * 1000) + 1000, 0)
    enqueue(
        Actor.INCIDENTS_REMIND,
        _ref(ctx, incident, incident.lead or incident.reporter, due_for=base.isoformat()),
        delay_ms=delay,
        queue_name=REMIND_QUEUE,
    )


def remind(rt: Runtime, job: IncidentRef, *, now: datetime | None = None) -> bool:
    """Nudge the lead once per silence; a reminder superseded by an update (another one is
    scheduled) does nothing; one that comes early (clock skew) waits for its time again."""
    now = now or datetime.now(UTC)
    ctx = context(rt, job.team_id, job.enterprise_id)
    inc_settings, _ = incident_settings(ctx)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        incident = store.get(conn, job.incident_id)
    if incident is None or not incident.open or not incident.channel_id:
        return False
    base = _base(incident)
    if job.due_for is not None and abs((base - job.due_for).total_seconds()) > 0.001:
        return False  # an update (or a reminder) since: its own reminder is scheduled
    minutes = inc_settings.reminder_minutes[incident.severity]
    if now < base + timedelta(minutes=minutes):
        schedule_reminder(ctx, incident, inc_settings)
        return False
    lead = incident.lead or incident.reporter
    incident_id = incident.id
    sent = slackops.note_once(
        ctx,
        incident,
        f"reminder:{base.isoformat()}",
        channel=incident.channel_id,
        thread_ts=None,
        text=t("reminder", incident.lang, lead=lead, minutes=minutes),
        claim=lambda conn: store.claim_reminder(conn, incident_id, now, minutes),
        since=base.timestamp() - 60,
    )
    if sent is None:
        return False
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        store.record_event(
            conn,
            incident_id=incident.id,
            key=f"reminder:{incident.id}:{base.isoformat()}",
            kind="reminder",
            actor="nox",
            data={"lead": lead, "minutes": minutes},
        )
        incident = store.get(conn, incident.id) or incident
    schedule_reminder(ctx, incident, inc_settings)
    return True


# --- listing -------------------------------------------------------------------------------------


def open_incidents(pool: Any, tenant_id: UUID) -> list[Incident]:
    with tenant_tx(pool, tenant_id) as conn:
        return store.open_incidents(conn)


def list_open(rt: Runtime, job: ListRequest) -> None:
    ctx = context(rt, job.team_id, job.enterprise_id)
    incidents = open_incidents(ctx.pool, ctx.ws.tenant_id)
    urls = {str(i.id): url for i in incidents if (url := slackops.permalink(ctx, i.channel_id, i.card_ts))}
    blocks = list_blocks(incidents, job.lang, urls)
    text = t("list_head", job.lang, count=len(incidents)) if incidents else t("none_open", job.lang)
    try:
        ctx.client.chat_postEphemeral(channel=job.channel or job.user, user=job.user, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("could not list the incidents: %s", exc.response.get("error"))


def home_blocks(pool: Any, tenant_id: UUID, lang: str) -> list[dict[str, Any]]:
    """The App Home's open incidents (no Slack calls: links to the channels)."""
    incidents = open_incidents(pool, tenant_id)
    if not incidents:
        return []
    body = list_blocks(incidents, lang, {})[1:]
    return [divider(), section(t("home_head", lang)), *body]


__all__ = ["change", "declare", "list_open", "remind", "sync_jira"]
