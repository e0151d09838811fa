"""NOX's incident memory, the entry points the workers call: marks, catch-ups, answers to
`/nox …`, the postmortem on resolve, the lesson learned. Why and how: docs/design/incidents.md."""

from __future__ import annotations

import contextlib
import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from jamono.actions.execution import Ctx, ephemeral
from jamono.actions.failpoints import hit
from jamono.container import Runtime
from jamono.i18n import t
from jamono.incidents import slackops
from jamono.incidents import store as incidents
from jamono.incidents.flows import context, incident_lock, incident_settings, may_change
from jamono.incidents.models import Incident, IncidentEvent, IncidentRef
from jamono.memory import digest, store, writer
from jamono.memory.material import Entry, Said, sentences
from jamono.memory.models import Ask, ItemTicket, Joined, Mark, Publish
from jamono.memory.similar import Index, PastIncident
from jamono.memory.text import ago, plain, quote, similar_request
from jamono.platform.db import tenant_tx

log = logging.getLogger(__name__)

AFTER_MARK = "memory.after_mark"
AFTER_UPLOAD = "memory.after_upload"
ITEM_ACTION = "incident_pm_ticket"
PUBLISH_ACTION = "incident_publish_lesson"
PM_EVENT_TYPE = "nox_incident_postmortem"
SIMILAR_EVENT_TYPE = "nox_similar_incidents"
HIDDEN = ("catchup", "jira")
MAX_HISTORY = 1000
SIMILAR_MIN_SCORE = 0.12
_MENTIONED = re.compile(r"<@([UW][A-Z0-9]+)")


def llm_of(rt: Runtime) -> Any:
    """The LLM that writes incident prose: the runtime's (None offline)."""
    chosen = getattr(rt, "memory_llm", None)
    return chosen if chosen is not None else rt.nox.llm


# --- material ------------------------------------------------------------------------------------


def _entry(incident: Incident, event: IncidentEvent) -> Entry | None:
    if event.kind in HIDDEN:
        return None
    lang, data = incident.lang, event.data
    value, note = str(data.get("value") or ""), str(data.get("note") or "")
    shown_note = f" — {note}" if note else ""
    if event.kind == "declared":
        text = t(
            "tl.declared",
            lang,
            severity=t(f"severity.{data.get('severity') or incident.severity}", lang),
            title=data.get("title") or incident.title,
        )
    elif event.kind in ("status", "severity"):
        label = t(f"{event.kind}.{value}", lang) if value else value
        text = t(f"tl.{event.kind}", lang, value=label, note=shown_note)
    elif event.kind == "lead":
        text = t("tl.lead", lang, value=f"<@{value}>")
    elif event.kind == "update":
        text = t("tl.update", lang, note=note)
    elif event.kind == "resolved":
        text = t("tl.resolved", lang, note=shown_note)
    elif event.kind == "marked":
        text = t("tl.marked", lang, author=f"<@{data.get('author') or event.actor}>", text=data.get("text") or "")
    elif event.kind == "answer":
        text = t("tl.answer", lang, text=str(data.get("text") or "")[:300])
    elif event.kind == "action" and isinstance(data.get("meeting"), dict):
        text = _meeting_entry(data["meeting"], lang)
    elif event.kind in ("action", "postmortem"):
        text = str(data.get("text") or t("tl.postmortem", lang))
    else:
        text = t("tl.reminder", lang)
    return Entry(at=event.created_at, kind=event.kind, actor=event.actor, text=text)


def _meeting_entry(meeting: dict[str, Any], lang: str) -> str:
    """A booked meeting: its title, when (UTC) and its links (bare URLs: the text is quoted)."""
    when = ""
    with contextlib.suppress(ValueError):
        when = datetime.fromisoformat(str(meeting.get("start"))).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    links = " ".join(str(u) for u in (meeting.get("url"), meeting.get("meet")) if u)
    return t("tl.meeting", lang, title=meeting.get("title") or "", when=when, links=links).strip()


def timeline(ctx: Ctx, incident: Incident) -> list[Entry]:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        events = incidents.events(conn, incident.id)
    return [e for e in (_entry(incident, ev) for ev in events) if e is not None]


def channel_messages(ctx: Ctx, channel: str, oldest: float = 0.0) -> list[Said]:
    """People's messages of a channel (conversations.history, newest pages first), oldest first."""
    said: list[Said] = []
    cursor = None
    while len(said) < MAX_HISTORY:
        try:
            page = ctx.client.conversations_history(channel=channel, oldest=f"{oldest:.6f}", limit=200, cursor=cursor)
        except SlackApiError as exc:
            log.warning("could not read the channel: %s", exc.response.get("error"))
            break
        for m in page.get("messages") or []:
            if m.get("bot_id") or m.get("subtype") or not m.get("user") or m.get("user") == ctx.ws.bot_user_id:
                continue
            said.append(Said(ts=m["ts"], user=m["user"], text=str(m.get("text") or "")))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return sorted(said, key=lambda s: float(s.ts))


def names(ctx: Ctx, users: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for user in sorted(u for u in users if u)[:50]:
        try:
            profile = ctx.client.users_info(user=user)["user"]
        except SlackApiError:
            continue
        found[user] = str(profile.get("real_name") or profile.get("name") or user)
    return found


def material(ctx: Ctx, incident: Incident) -> digest.Material:
    entries = timeline(ctx, incident)
    said = (
        channel_messages(ctx, incident.channel_id or "", incident.started_at.timestamp() - 60)
        if incident.channel_id
        else []
    )
    found = sentences(said)
    people = {e.actor for e in entries} | {s.user for s in said} | {incident.lead or "", incident.reporter}
    for s in found:
        people.update(s.mentions)
    return digest.Material(incident=incident, entries=entries, said=found, names=names(ctx, people))


def _by_channel(ctx: Ctx, channel: str) -> Incident | None:
    if not channel:
        return None
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        return incidents.by_channel(conn, channel)


# --- timeline ------------------------------------------------------------------------------------


def _message_text(ctx: Ctx, job: Mark) -> tuple[str, str]:
    """(author, text) of the marked message, read from Slack (a reaction event carries neither)."""
    try:
        if job.thread_ts and job.thread_ts != job.ts:
            page = ctx.client.conversations_replies(
                channel=job.channel, ts=job.thread_ts, latest=job.ts, inclusive=True, limit=200
            )
        else:
            page = ctx.client.conversations_history(channel=job.channel, latest=job.ts, inclusive=True, limit=1)
    except SlackApiError as exc:
        log.info("marked message unreadable: %s", exc.response.get("error"))
        return job.author or "", ""
    found = next((m for m in page.get("messages") or [] if m.get("ts") == job.ts), None) or {}
    return str(found.get("user") or job.author or ""), str(found.get("text") or "")


def mark(rt: Runtime, job: Mark) -> IncidentEvent | None:
    ctx = context(rt, job.team_id, job.enterprise_id)
    incident = _by_channel(ctx, job.channel)
    if incident is None:
        if job.reaction is None:  # the shortcut: say why nothing happened
            ephemeral(ctx, job.channel, job.user, t("tl.not_incident", "en"))
        return None
    if job.reaction is not None:
        inc_settings, _ = incident_settings(ctx)
        if job.reaction.split("::")[0] not in inc_settings.timeline_reactions:
            return None
    author, text = (job.author or "", job.text) if job.text is not None else _message_text(ctx, job)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        event, created = incidents.record_event(
            conn,
            incident_id=incident.id,
            key=f"marked:{job.channel}:{job.ts}",
            kind="marked",
            actor=job.user,
            data={"ts": job.ts, "author": author, "text": text[:1000]},
        )
    hit(AFTER_MARK)
    if created and job.reaction is None:
        ephemeral(ctx, job.channel, job.user, t("tl.added", incident.lang, channel=job.channel))
    return event


def record_answer(conn: Any, ws: Any, channel: str, ts: str, text: str) -> None:
    """NOX answered in an incident's channel: that answer goes on its timeline (once per reply), in
    the transaction that records the answer itself."""
    incident = incidents.by_channel(conn, channel)
    if incident is None:
        return
    incidents.record_event(
        conn,
        incident_id=incident.id,
        key=f"answer:{channel}:{ts}",
        kind="answer",
        actor=ws.bot_user_id or "nox",
        data={"ts": ts, "text": text[:1000]},
    )


def record_action(ctx: Ctx, incident: Incident, key: str, actor: str, text: str) -> None:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        incidents.record_event(conn, incident_id=incident.id, key=key, kind="action", actor=actor, data={"text": text})


def _zone(profile: dict[str, Any] | None) -> tuple[timezone | ZoneInfo, str]:
    tz = (profile or {}).get("tz")
    if tz:
        try:
            return ZoneInfo(str(tz)), str((profile or {}).get("tz_label") or tz)
        except (KeyError, ValueError):
            pass
    offset = int((profile or {}).get("tz_offset") or 0)
    return timezone(timedelta(seconds=offset)), f"UTC{offset / 3600:+g}"


def timeline_text(
    incident: Incident, entries: list[Entry], profile: dict[str, Any] | None, names_: dict[str, str]
) -> str:
    zone, label = _zone(profile)
    lines = [t("tl.head", incident.lang, title=quote(incident.title), zone=label)]
    for e in entries[-80:]:
        utc, local = e.at.astimezone(UTC), e.at.astimezone(zone)
        day = local.strftime("%d/%m ") if local.date() != utc.date() else ""
        lines.append(f"`{utc:%H:%M}` · `{day}{local:%H:%M}` — {quote(e.text, names_)}")
    if len(lines) == 1:
        lines.append(t("tl.empty", incident.lang))
    return "\n".join(lines)[:3900]


def _profile(ctx: Ctx, user: str) -> dict[str, Any] | None:
    try:
        return ctx.client.users_info(user=user)["user"]
    except SlackApiError:
        return None


def ask(rt: Runtime, job: Ask) -> None:
    """`/nox incident timeline`, `/nox summary`, `/nox similar`."""
    ctx = context(rt, job.team_id, job.enterprise_id)
    incident = _by_channel(ctx, job.channel)
    if job.what == "timeline":
        if incident is None:
            ephemeral(ctx, job.channel, job.user, t("not_incident", job.lang))
            return
        entries = timeline(ctx, incident)
        people = {e.actor for e in entries} | {u for e in entries for u in _MENTIONED.findall(e.text)}
        ephemeral(
            ctx, job.channel, job.user, timeline_text(incident, entries, _profile(ctx, job.user), names(ctx, people))
        )
    elif job.what == "summary":
        _post_summary(rt, ctx, job, incident)
    else:
        _answer_similar(ctx, job, incident)


# --- catch-up and summary ------------------------------------------------------------------------


def catch_up(rt: Runtime, ctx: Ctx, incident: Incident, *, head: str = "cu.head") -> str:
    """The LLM's grounded catch-up when there is one, else (or when it fails) the extractive one."""
    m = material(ctx, incident)
    written = writer.catch_up_prose(llm_of(rt), m)
    offline = digest.catch_up(m, head=head)
    if not written:
        return offline
    inc = m.incident
    lead = f"<@{inc.lead}>" if inc.lead else "—"
    status = t(f"status.{inc.status}", inc.lang)
    return "\n\n".join(
        [
            t(head, inc.lang, title=quote(inc.title)),
            quote(written, m.names),
            t("cu.now", inc.lang, status=status, lead=lead, update=""),
            t("cu.llm_note", inc.lang),
        ]
    )[:3900]


def joined(rt: Runtime, job: Joined) -> bool:
    """A catch-up for someone who joined an incident's channel late (once per join event)."""
    ctx = context(rt, job.team_id, job.enterprise_id)
    incident = _by_channel(ctx, job.channel)
    if incident is None or job.user in (ctx.ws.bot_user_id, incident.reporter, incident.lead):
        return False
    if not incident.steps.get("declared"):  # invited while NOX sets the channel up: nothing to catch up on
        return False
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        _, created = incidents.record_event(
            conn, incident_id=incident.id, key=f"catchup:{job.event_id}", kind="catchup", actor=job.user, data={}
        )
    if not created:
        return False
    ephemeral(ctx, job.channel, job.user, catch_up(rt, ctx, incident))
    return True


def _post_summary(rt: Runtime, ctx: Ctx, job: Ask, incident: Incident | None) -> None:
    if incident is not None:
        text = catch_up(rt, ctx, incident, head="sum.head")
    else:
        said = channel_messages(ctx, job.channel, (datetime.now(UTC) - timedelta(days=2)).timestamp())
        found = sentences(said)
        text = digest.channel_summary(found, names(ctx, {s.user for s in said}), job.lang)
    try:
        ctx.client.chat_postMessage(channel=job.channel, text=text, blocks=[_section(text)])
    except SlackApiError as exc:  # NOX not in the channel: the asker still gets it
        log.info("summary not posted: %s", exc.response.get("error"))
        ephemeral(ctx, job.channel, job.user, text)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


# --- postmortem ----------------------------------------------------------------------------------


def _filename(incident: Incident) -> str:
    return f"postmortem-{incident.channel_name or incident.id}.md"


def _find_upload(ctx: Ctx, incident: Incident) -> str | None:
    """The draft's file if an earlier attempt uploaded it (a crash before recording it)."""
    try:
        page = ctx.client.conversations_history(
            channel=incident.channel_id or "", oldest=f"{incident.started_at.timestamp() - 60:.6f}", limit=200
        )
    except SlackApiError:
        return None
    for message in page.get("messages") or []:
        for f in message.get("files") or []:
            if message.get("user") == ctx.ws.bot_user_id and f.get("name") == _filename(incident):
                return str(f.get("id"))
    return None


def _draft(rt: Runtime, ctx: Ctx, incident: Incident) -> tuple[dict[str, Any], digest.Material]:
    m = material(ctx, incident)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        row = store.postmortem(conn, incident.id)
    if row is not None:
        return row, m
    prose = writer.postmortem_prose(llm_of(rt), m)
    markdown = digest.postmortem(m, prose)
    items = [i.model_dump() for i in digest.items(m)]
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        return store.save_postmortem(
            conn, incident.id, lang=incident.lang, writer="llm" if prose else "offline", markdown=markdown, items=items
        ), m


def write_postmortem(rt: Runtime, job: IncidentRef) -> dict[str, Any] | None:
    """The draft on resolve: stored, uploaded, its items offered, the incident remembered."""
    ctx = context(rt, job.team_id, job.enterprise_id)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        incident = incidents.get(conn, job.incident_id)
    if incident is None or incident.open or not incident.channel_id:
        return None
    with incident_lock(ctx, f"postmortem:{incident.id}"):
        row, m = _draft(rt, ctx, incident)
        if not row.get("file_id"):
            file_id = _find_upload(ctx, incident) or _upload(ctx, incident, row["markdown"])
            hit(AFTER_UPLOAD)
            with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
                store.set_posted(conn, incident.id, file_id=file_id)
                incidents.record_event(
                    conn,
                    incident_id=incident.id,
                    key=f"postmortem:{incident.id}",
                    kind="postmortem",
                    actor=ctx.ws.bot_user_id or "nox",
                    data={"file_id": file_id},
                )
        _offer_items(ctx, incident, row)
        learn(rt, ctx, incident, m)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        return store.postmortem(conn, incident.id)


def _upload(ctx: Ctx, incident: Incident, markdown: str) -> str:
    done = ctx.client.files_upload_v2(
        channel=incident.channel_id,
        content=markdown,
        filename=_filename(incident),
        title=t("pm.title", incident.lang, title=incident.title)[:250],
        initial_comment=t("pm.comment", incident.lang),
    )
    return str(done["file"]["id"])


def item_blocks(incident: Incident, row: dict[str, Any], names_: dict[str, str]) -> list[dict[str, Any]]:
    lang = incident.lang
    items = row.get("items") or []
    head = t("pm.posted" if items else "pm.posted_no_items", lang, title=quote(incident.title))
    blocks: list[dict[str, Any]] = [_section(head)]
    for item in items[:20]:
        owner = "@" + names_.get(item["owner"], item["owner"])
        blocks.append(
            {
                "type": "section",
                "block_id": f"pm_item:{incident.id}:{item['n']}",
                "text": {
                    "type": "mrkdwn",
                    "text": f"{item['n']}. {quote(item['text'])} — {t('pm.owner', lang, owner=quote(owner))}"[:3000],
                },
                "accessory": {
                    "type": "button",
                    "action_id": ITEM_ACTION,
                    "value": f"{incident.id}:{item['n']}",
                    "text": {"type": "plain_text", "text": t("pm.ticket_btn", lang)},
                },
            }
        )
    return blocks


def _offer_items(ctx: Ctx, incident: Incident, row: dict[str, Any]) -> None:
    """The message with one button per action item, posted once (found by its metadata after a crash)."""
    if row.get("message_ts"):
        return
    owners = {i["owner"] for i in row.get("items") or []}
    blocks = item_blocks(incident, row, names(ctx, owners))
    posted = slackops.note_once(
        ctx,
        incident,
        "postmortem_items",
        channel=incident.channel_id or "",
        thread_ts=None,
        text=blocks[0]["text"]["text"],
        claim=lambda conn: incidents.mark_step(conn, incident.id, "postmortem_items"),
        since=incident.started_at.timestamp() - 60,
        blocks=blocks,
    )
    if posted:
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            store.set_posted(conn, incident.id, message_ts=posted)


def item_ticket(rt: Runtime, job: ItemTicket, *, final_attempt: bool = False) -> Any:
    """One action item → one Jira ticket, through the actions table (its key is the item)."""
    from jamono.actions import store as actions_store
    from jamono.actions.flows import request
    from jamono.actions.incidents import ticket_fingerprint
    from jamono.actions.models import TICKET, TicketParams

    ctx = context(rt, job.team_id, job.enterprise_id)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        incident = incidents.get(conn, job.incident_id)
        row = store.postmortem(conn, job.incident_id)
    item = next((i for i in (row or {}).get("items") or [] if i.get("n") == job.n), None)
    if incident is None or row is None or item is None:
        ephemeral(ctx, job.channel, job.user, t("pm.item_missing", "en"))
        return None
    inc_settings, settings = incident_settings(ctx)
    if not may_change(ctx, incident, job.user, inc_settings, settings):
        ephemeral(ctx, job.channel, job.user, t("not_allowed", incident.lang, lead=incident.lead or incident.reporter))
        return None
    key = f"pm:{incident.id}:{job.n}"
    params = TicketParams(
        summary=f"[{incident.title[:150]}] {plain(item['text'])}"[:300],
        description=f"{plain(item['text'])}\n\nOwner: {item['owner']}\nIncident: {incident.title}\n{incident.jira_key or ''}",
        severity="low",
        service=incident.service,
        reporter=item["owner"],
        channel=incident.channel_id or "",
        permalink=slackops.permalink(ctx, incident.channel_id, row.get("message_ts")),
        lang=incident.lang,
    )
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        action = actions_store.propose(
            conn,
            workspace_id=ctx.ws.workspace_id,
            type=TICKET,
            key=key,
            fingerprint=ticket_fingerprint(ctx.ws.tenant_id, incident.channel_id or "", None, key),
            parameters=params.model_dump(mode="json"),
            interaction_id=None,
            proposed_by=job.user,
            channel_id=incident.channel_id,
            thread_ts=row.get("message_ts"),
        )
    ended = request(ctx, action, job.user, final_attempt=final_attempt, ephemeral_channel=job.channel)
    if ended is not None and ended.status == "done":
        record_action(
            ctx, incident, f"action:{key}", job.user, f"Jira {ended.external_id}: {plain(item['text'])[:200]}"
        )
    return ended


# --- learning ------------------------------------------------------------------------------------


def _is_private(ctx: Ctx, channel: str) -> bool:
    try:
        return bool(ctx.client.conversations_info(channel=channel)["channel"].get("is_private"))
    except SlackApiError:
        return True  # unknown: keep it to the channel's members


def learn(rt: Runtime, ctx: Ctx, incident: Incident, m: digest.Material) -> bool:
    """The resolved incident as a memory of its workspace (and a KB document when public)."""
    lesson = digest.lesson(m)
    private = _is_private(ctx, incident.channel_id or "")
    links = [
        link
        for link in (
            slackops.permalink(ctx, incident.channel_id, incident.card_ts),
            incident.jira_url,
        )
        if link
    ]
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        ref = f"INC-{store.number(conn, incident.started_at)}"
        created = store.remember(
            conn,
            incident.id,
            ref=ref,
            title=incident.title,
            symptoms=lesson.symptoms,
            cause=lesson.cause,
            fix=lesson.fix,
            links=links,
            lang=incident.lang,
            channel_id=incident.channel_id,
            private=private,
            resolved_at=incident.resolved_at or datetime.now(UTC),
        )
    if created and not private:
        _to_knowledge_base(rt, ctx, incident, ref, lesson, links)
    if private:  # a retry after a crash still offers it (once: the note's claim)
        _offer_publishing(ctx, incident, ref)
    return created


def _offer_publishing(ctx: Ctx, incident: Incident, ref: str) -> None:
    """In a private incident's channel: its lesson stays with its members unless an admin publishes it."""
    text = t("pub.offer", incident.lang, ref=ref)
    button = {
        "type": "button",
        "action_id": PUBLISH_ACTION,
        "value": ref,
        "text": {"type": "plain_text", "text": t("pub.button", incident.lang)},
    }
    slackops.note_once(
        ctx,
        incident,
        "lesson_private",
        channel=incident.channel_id or "",
        thread_ts=None,
        text=text,
        claim=lambda conn: incidents.mark_step(conn, incident.id, "lesson_private"),
        since=incident.started_at.timestamp() - 60,
        blocks=[{**_section(text), "block_id": f"pub:{incident.id}", "accessory": button}],
    )


def _to_knowledge_base(
    rt: Runtime, ctx: Ctx, incident: Incident, ref: str, lesson: digest.Lesson, links: list[str]
) -> None:
    from knowledge.documents import SourceDocument
    from knowledge.ingest import ingest_documents

    unknown = t("pm.unknown_cause", incident.lang)
    content = "\n\n".join(
        [
            f"## Symptoms\n{lesson.symptoms}",
            f"## Cause\n{lesson.cause or unknown}",
            f"## Fix\n{lesson.fix or '-'}",
            "## Links\n" + "\n".join(f"- {link}" for link in links),
        ]
    )
    doc = SourceDocument(
        source=f"incident://{incident.id}",
        title=f"{ref}: {incident.title}"[:500],
        content=content,
        url=links[0] if links else None,
        tags=["incident"],
        lang=incident.lang,
    )
    try:
        report = ingest_documents(rt.pool, ctx.ws.tenant_id, [doc], rt.embedder, origin="incident")
    except Exception:  # the memory stands without its KB copy; logged, never fatal
        log.exception("incident learning: KB document not written")
        return
    if report.failed:
        log.warning("incident learning: KB document refused")


# --- publishing a private lesson -----------------------------------------------------------------


def publish(rt: Runtime, job: Publish) -> bool:
    """An admin makes a private incident's lesson the workspace's: a KB document first (idempotent by
    its source), then the memory made public and the audit entry in one transaction — a retry after a
    crash redoes the first and finds the second done, so the audit log holds one entry."""
    from jamono.audit.store import record
    from jamono.kb.ownership import is_admin

    ctx = context(rt, job.team_id, job.enterprise_id)
    if not is_admin(ctx.client, job.user, ctx.settings()):
        ephemeral(ctx, job.channel, job.user, t("pub.admins_only", job.lang))
        return False
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        row = store.memory_by_ref(conn, job.ref)
        incident = incidents.get(conn, row["incident_id"]) if row else None
    if row is None or incident is None:
        ephemeral(ctx, job.channel, job.user, t("pub.unknown", job.lang, ref=quote(job.ref[:40])))
        return False
    if not row["private"]:
        ephemeral(ctx, job.channel, job.user, t("pub.already", job.lang, ref=row["ref"]))
        return False
    lesson = digest.Lesson(symptoms=row["symptoms"], cause=row["cause"], fix=row["fix"])
    _to_knowledge_base(rt, ctx, incident, row["ref"], lesson, list(row.get("links") or []))
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        done = store.publish(conn, incident.id, job.user)
        if done:
            record(conn, ctx.ws.workspace_id, job.user, "incident.lesson_published", row["ref"], {"key": job.key})
    ephemeral(ctx, job.channel, job.user, t("pub.done", job.lang, ref=row["ref"], title=quote(incident.title[:120])))
    return done


# --- similar -------------------------------------------------------------------------------------


def _visible(ctx: Ctx, rows: list[dict[str, Any]], channel: str, user: str | None) -> list[dict[str, Any]]:
    """Public memories, and a private one only where its own members are (its channel, or the asker)."""
    shown = []
    members: dict[str, set[str]] = {}
    for row in rows:
        if not row["private"] or row["channel_id"] == channel:
            shown.append(row)
            continue
        if user is None:
            continue
        cid = row["channel_id"] or ""
        if cid not in members:
            try:
                members[cid] = set(ctx.client.conversations_members(channel=cid, limit=1000).get("members") or [])
            except SlackApiError:
                members[cid] = set()
        if user in members[cid]:
            shown.append(row)
    return shown


def find_similar(
    ctx: Ctx, text: str, channel: str, user: str | None, *, exclude: UUID | None = None, limit: int = 3
) -> list[dict[str, Any]]:
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        rows = [r for r in store.memories(conn) if r["incident_id"] != exclude]
    rows = _visible(ctx, rows, channel, user)
    if not rows or not text.strip():
        return []
    index = Index(
        [
            PastIncident(
                id=str(r["incident_id"]), title=r["title"], text=r["symptoms"] + " " + r["cause"], resolution=r["fix"]
            )
            for r in rows
        ]
    )
    by_id = {str(r["incident_id"]): r for r in rows}
    return [by_id[match.id] for match in index.rank(text, limit=limit, min_score=SIMILAR_MIN_SCORE)]


def similar_line(row: dict[str, Any], lang: str, now: datetime | None = None) -> str:
    days = ((now or datetime.now(UTC)) - row["resolved_at"]).total_seconds() / 86400
    fix = quote(row["fix"][:200]) if row["fix"] else t("sim.no_fix", lang)
    links = [
        f"<{url}|{t('sim.thread', lang) if i == 0 else t('sim.ticket', lang)}>"
        for i, url in enumerate(row.get("links") or [])
    ][:2]
    return t(
        "sim.looks_like",
        lang,
        ref=row["ref"],
        ago=ago(days, lang),
        title=quote(row["title"][:120]),
        fix=fix,
        links=(" — " + ", ".join(links)) if links else "",
    )


def triage_lines(rt: Runtime, ws: Any, text: str, channel: str, lang: str) -> list[str]:
    """For a new incident report's triage: "Looks like INC-12 (…)" for its most similar past one."""
    ctx = context(rt, ws.team_id, ws.enterprise_id)
    exclude = None
    incident = _by_channel(ctx, channel)
    if incident is not None:
        exclude = incident.id
    try:
        found = find_similar(ctx, text, channel, None, exclude=exclude, limit=1)
    except Exception:  # triage never fails for want of a memory
        log.exception("similar incidents unavailable")
        return []
    return [similar_line(row, lang) for row in found]


def thread_report(ctx: Ctx, channel: str, thread_ts: str) -> str:
    """A thread's people's words (parent and replies, conversations.replies) as one report."""
    said: list[str] = []
    cursor = None
    while len(said) < MAX_HISTORY:
        try:
            page = ctx.client.conversations_replies(channel=channel, ts=thread_ts, limit=200, cursor=cursor)
        except SlackApiError as exc:
            log.info("thread unreadable: %s", exc.response.get("error"))
            break
        for m in page.get("messages") or []:
            if m.get("bot_id") or not m.get("user") or m.get("user") == ctx.ws.bot_user_id:
                continue
            text = str(m.get("text") or "")
            if similar_request(text) is None:  # the `@nox similar` itself says nothing of the incident
                said.append(text)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return " ".join(said)[-6000:]


def _report(ctx: Ctx, job: Ask, incident: Incident | None) -> str:
    text = job.text
    if job.with_thread and job.thread_ts:
        text = f"{thread_report(ctx, job.channel, job.thread_ts)} {text}".strip()
    if not text and incident is not None:
        text = f"{incident.title} {incident.last_update or ''}"
    if not text:
        said = channel_messages(ctx, job.channel, (datetime.now(UTC) - timedelta(days=1)).timestamp())
        text = " ".join(s.text for s in said[-10:])
    return text


def _answer_similar(ctx: Ctx, job: Ask, incident: Incident | None) -> None:
    if job.event_id:
        _answer_similar_in_thread(ctx, job, incident)
        return
    text = _report(ctx, job, incident)
    found = find_similar(ctx, text, job.channel, job.user, exclude=incident.id if incident else None)
    if not found:
        ephemeral(ctx, job.channel, job.user, t("sim.none", job.lang), thread_ts=job.thread_ts)
        return
    lines = [t("sim.head", job.lang), *(similar_line(row, job.lang) for row in found)]
    ephemeral(ctx, job.channel, job.user, "\n".join(lines), thread_ts=job.thread_ts)


def _answered(ctx: Ctx, channel: str, thread_ts: str, event_id: str) -> bool:
    """An earlier attempt's answer, found in the thread by its metadata (a crash after posting)."""
    try:
        page = ctx.client.conversations_replies(channel=channel, ts=thread_ts, include_all_metadata=True, limit=200)
    except SlackApiError:
        return False
    return any(
        (m.get("metadata") or {}).get("event_type") == SIMILAR_EVENT_TYPE
        and ((m.get("metadata") or {}).get("event_payload") or {}).get("event_id") == event_id
        for m in page.get("messages") or []
    )


def _answer_similar_in_thread(ctx: Ctx, job: Ask, incident: Incident | None) -> None:
    """`@nox similar`: the answer in the thread, once per event, for everyone in the channel — so a
    private incident's lesson only in its own channel; one the asker may see is told to them alone."""
    from jamono.queue import event_log

    assert job.event_id and job.thread_ts
    with event_log.event_lock(ctx.pool, ctx.ws, f"similar:{job.event_id}"):
        if _answered(ctx, job.channel, job.thread_ts, job.event_id):
            return
        text = _report(ctx, job, incident)
        exclude = incident.id if incident else None
        shared = find_similar(ctx, text, job.channel, None, exclude=exclude)
        lines = [t("sim.head", job.lang), *(similar_line(row, job.lang) for row in shared)] if shared else []
        said = "\n".join(lines) or t("sim.none", job.lang)
        ctx.client.chat_postMessage(
            channel=job.channel,
            thread_ts=job.thread_ts,
            text=said,
            blocks=[_section(said)],
            metadata={"event_type": SIMILAR_EVENT_TYPE, "event_payload": {"event_id": job.event_id}},
        )
    shown = {r["incident_id"] for r in shared}
    mine = [r for r in find_similar(ctx, text, job.channel, job.user, exclude=exclude) if r["incident_id"] not in shown]
    if mine:
        lines = [t("sim.private_head", job.lang), *(similar_line(row, job.lang) for row in mine)]
        ephemeral(ctx, job.channel, job.user, "\n".join(lines), thread_ts=job.thread_ts)
