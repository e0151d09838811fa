"""The Slack side of an incident, each step safe to repeat: the channel (reserved name, adopted
after a crash, renamed on a real collision), invitations, topic, bookmarks, the card and its pin,
and notes posted at most once (found again by their message metadata after a crash)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk.errors import SlackApiError

from jamono.actions import failpoints
from jamono.actions.execution import Ctx
from jamono.incidents import store
from jamono.incidents.models import Incident, IncidentSettings
from jamono.incidents.views import (
    CARD_EVENT_TYPE,
    NOTE_EVENT_TYPE,
    card_blocks,
    card_metadata,
    card_text,
    channel_name,
    note_metadata,
    topic,
)
from jamono.platform.db import Connection, tenant_tx
from jamono.slack.blockkit import section

log = logging.getLogger(__name__)

AFTER_CHANNEL_CREATE = "incidents.after_channel_create"
AFTER_CARD_POST = "incidents.after_card_post"
MAX_NAME_ATTEMPTS = 20
LOCK_TIMEOUT = "60s"


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error") or "")


def find_channel(ctx: Ctx, name: str) -> dict[str, Any] | None:
    cursor = None
    while True:
        page = ctx.client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=200, cursor=cursor
        )
        for channel in page.get("channels") or []:
            if channel.get("name") == name:
                return channel
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None


def ensure_channel(ctx: Ctx, incident: Incident, settings: IncidentSettings) -> Incident:
    """The incident's channel, created once. The name is reserved in the database first, so a
    `name_taken` for a channel NOX created can only be this incident's own (an attempt that died
    before recording it): adopted, never created twice. A person's channel of that name: next name."""
    if incident.channel_id:
        return incident
    attempt = 0
    name = incident.channel_name
    while attempt < MAX_NAME_ATTEMPTS:
        if name is None:
            name = channel_name(incident.started_at, incident.title, attempt)
            with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
                if not store.reserve_name(conn, incident.id, name):
                    attempt, name = attempt + 1, None
                    continue
        try:
            created = ctx.client.conversations_create(name=name, is_private=settings.private_channels)["channel"]
            failpoints.hit(AFTER_CHANNEL_CREATE)
            channel_id = created["id"]
        except SlackApiError as exc:
            if _error(exc) != "name_taken":
                raise
            found = find_channel(ctx, name)
            if found is None or found.get("creator") != ctx.ws.bot_user_id:
                attempt, name = attempt + 1, None  # someone else's channel: the next name
                continue
            channel_id = found["id"]  # ours, from an attempt that died before recording it
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            store.update(conn, incident.id, channel_id=channel_id, channel_name=name)
            return store.get(conn, incident.id) or incident
    raise RuntimeError("no free channel name for the incident")


def invite(ctx: Ctx, incident: Incident, users: list[str]) -> None:
    """Everyone not yet in the channel, in one call (already_in_channel is success)."""
    if not incident.channel_id:
        return
    members = set(ctx.client.conversations_members(channel=incident.channel_id, limit=1000).get("members") or [])
    missing = [u for u in dict.fromkeys(users) if u and u not in members and u != ctx.ws.bot_user_id]
    if not missing:
        return
    try:
        ctx.client.conversations_invite(channel=incident.channel_id, users=",".join(missing))
    except SlackApiError as exc:
        if _error(exc) not in ("already_in_channel", "user_not_found", "cant_invite"):
            raise
        log.info("invitation partly refused: %s", _error(exc))


def responders(ctx: Ctx, settings: IncidentSettings) -> list[str]:
    if not settings.responders_group:
        return []
    try:
        return list(ctx.client.usergroups_users_list(usergroup=settings.responders_group).get("users") or [])
    except SlackApiError as exc:
        log.warning("responders group unavailable: %s", _error(exc))
        return []


def set_topic(ctx: Ctx, incident: Incident) -> None:
    if not incident.channel_id:
        return
    try:
        ctx.client.conversations_setTopic(channel=incident.channel_id, topic=topic(incident))
    except SlackApiError as exc:  # cosmetic: never fails the job
        log.info("could not set the topic: %s", _error(exc))


def add_bookmarks(ctx: Ctx, incident: Incident, wanted: list[tuple[str, str]]) -> None:
    """(title, link) bookmarks not yet in the channel (looked up first: once, even after a crash)."""
    wanted = [(title[:100], link) for title, link in wanted if link.startswith(("https://", "http://"))]
    if not incident.channel_id or not wanted:
        return
    present = {b.get("link") for b in ctx.client.bookmarks_list(channel_id=incident.channel_id).get("bookmarks") or []}
    for title, link in wanted:
        if link not in present:
            ctx.client.bookmarks_add(channel_id=incident.channel_id, title=title, type="link", link=link)
            present.add(link)


def _find_card(ctx: Ctx, incident: Incident, channel: str) -> str | None:
    found = ctx.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
    for message in found.get("messages") or []:
        meta = message.get("metadata") or {}
        if meta.get("event_type") == CARD_EVENT_TYPE and (meta.get("event_payload") or {}).get("incident_id") == str(
            incident.id
        ):
            return str(message["ts"])
    return None


def ensure_card(ctx: Ctx, incident: Incident, *, jira_connected: bool, origin_url: str | None) -> Incident:
    """The card posted once and pinned (a crash after posting: found by its metadata)."""
    channel = incident.channel_id
    if not channel:
        return incident
    blocks = card_blocks(incident, jira_connected=jira_connected, origin_url=origin_url)
    ts = incident.card_ts or _find_card(ctx, incident, channel)
    if ts is None:
        ts = ctx.client.chat_postMessage(
            channel=channel, text=card_text(incident), blocks=blocks, metadata=card_metadata(incident)
        )["ts"]
        failpoints.hit(AFTER_CARD_POST)
    if incident.card_ts is None:
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            store.update(conn, incident.id, card_ts=ts)
            incident = store.get(conn, incident.id) or incident
    if not incident.steps.get("pinned"):
        try:
            ctx.client.pins_add(channel=channel, timestamp=ts)
        except SlackApiError as exc:
            if _error(exc) != "already_pinned":
                raise
        with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
            store.mark_step(conn, incident.id, "pinned")
    return incident


@contextmanager
def incident_lock(ctx: Ctx, name: str) -> Iterator[Connection]:
    """One holder at a time per (tenant, name); waits for the other, released on crash (the lock
    dies with its connection). Yields that connection (tenant set) for reads under the lock: with
    the one more a holder's steps take, a worker thread never needs more than two."""
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{ctx.ws.tenant_id}:{name}"])
        yield conn


def refresh_card(ctx: Ctx, incident: Incident, *, jira_connected: bool, origin_url: str | None = None) -> None:
    """chat.update of the card with the incident as it is now (idempotent; logged, never fatal).
    Edits are serialised per incident and each reads the row inside the lock, so a slow editor
    holding an older state can never overwrite a newer card."""
    if not incident.channel_id or not incident.card_ts:
        return
    with incident_lock(ctx, f"card:{incident.id}") as conn:
        incident = store.get(conn, incident.id) or incident
        _update_card(ctx, incident, jira_connected=jira_connected, origin_url=origin_url)


def _update_card(ctx: Ctx, incident: Incident, *, jira_connected: bool, origin_url: str | None) -> None:
    channel, ts = incident.channel_id, incident.card_ts
    if not channel or not ts:  # refresh_card checked both; the row read under the lock keeps them
        return
    try:
        ctx.client.chat_update(
            channel=channel,
            ts=ts,
            text=card_text(incident),
            blocks=card_blocks(incident, jira_connected=jira_connected, origin_url=origin_url),
        )
    except SlackApiError as exc:
        log.warning("could not update the incident card: %s", _error(exc))


def _already_noted(ctx: Ctx, channel: str, thread_ts: str | None, payload: dict[str, Any], since: float) -> bool:
    try:
        if thread_ts:
            found = ctx.client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=f"{since:.6f}", include_all_metadata=True, limit=200
            )
        else:
            found = ctx.client.conversations_history(
                channel=channel, oldest=f"{since:.6f}", include_all_metadata=True, limit=200
            )
    except SlackApiError:
        return False
    return any(
        (m.get("metadata") or {}).get("event_type") == NOTE_EVENT_TYPE
        and (m["metadata"].get("event_payload") or {}) == payload
        for m in found.get("messages") or []
    )


def note_once(
    ctx: Ctx,
    incident: Incident,
    key: str,
    *,
    channel: str,
    thread_ts: str | None,
    text: str,
    claim: Callable[[Connection], bool],
    since: float,
    blocks: list[dict[str, Any]] | None = None,
) -> str | None:
    """Post a note at most once: the claim commits only once Slack accepted the message; a worker
    dying in between leaves the claim unset, and the retry finds the message by its metadata."""
    metadata = note_metadata(incident, key)
    with tenant_tx(ctx.pool, ctx.ws.tenant_id) as conn:
        if not claim(conn) or _already_noted(ctx, channel, thread_ts, metadata["event_payload"], since):
            return None
        posted = ctx.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=text,
            metadata=metadata,
            blocks=blocks or [section(text)],
        )
        return str(posted["ts"])


def permalink(ctx: Ctx, channel: str | None, ts: str | None) -> str | None:
    if not channel or not ts:
        return None
    try:
        return ctx.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except SlackApiError:
        return None
