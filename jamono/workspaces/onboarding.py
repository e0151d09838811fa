"""A workspace's life around NOX: installed, uninstalled, tokens revoked, people joining, channels
appearing. Each handler is idempotent (Dramatiq and Slack both redeliver), and says hello once.
"""

from __future__ import annotations

import logging
import re
import time
from uuid import UUID

from pydantic import Field
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jamono.container import Runtime
from jamono.i18n import Lang, t
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import UnknownWorkspace, WorkspaceContext
from jamono.queue import event_log
from jamono.queue.models import TeamJob
from jamono.slack.routing import set_watched
from jamono.workspaces.installations import deactivate_workspace, revoke_tokens
from jamono.workspaces.onboarding_text import channel_offer_blocks, member_welcome_blocks, welcome_blocks

log = logging.getLogger(__name__)

# Channel names that suggest incidents or operations ("inc-2024-db", "ops-paris", "alerts", "sre"…).
OPS_CHANNEL = re.compile(
    r"(^|[-_.])(inc|incidents?|ops|devops|sre|oncall|on-call|astreinte|alerts?|alertes?|outages?|pannes?|"
    r"prod|production|infra|platform|plateforme|status|warroom|war-room|crise|crisis|monitoring|supervision)"
    r"([-_.]|$)"
)


class InstallJob(TeamJob):
    user_id: str | None = None  # the installer


class TokensRevokedJob(TeamJob):
    bot_user_ids: list[str] = Field(default_factory=list)
    user_ids: list[str] = Field(default_factory=list)


class MemberJoinedJob(TeamJob):
    user_id: str
    locale: str | None = None
    is_bot: bool = False


class ChannelCreatedJob(TeamJob):
    channel_id: str
    name: str = ""
    creator: str | None = None


class WatchChannelJob(TeamJob):
    channel_id: str
    user: str
    watch: bool = True
    response_url: str | None = None


def looks_like_ops_channel(name: str) -> bool:
    return bool(OPS_CHANNEL.search(name.lower()))


def language_of(locale: str | None) -> Lang:
    return "fr" if (locale or "").lower().startswith("fr") else "en"


def _workspace(rt: Runtime, ref: TeamJob) -> WorkspaceContext | None:
    rt.workspaces.forget(ref.team_id, ref.enterprise_id)
    try:
        return rt.workspaces.get(ref.team_id, ref.enterprise_id)
    except UnknownWorkspace:
        log.warning("event for an unknown workspace", extra={"team_id": ref.team_id})
        return None


def _user_language(client: WebClient, user_id: str, fallback: str | None = None) -> Lang:
    try:
        user = client.users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError:
        return language_of(fallback)
    return language_of(user.get("locale") or fallback)


def _once(rt: Runtime, ws: WorkspaceContext, key: str, channel: str, post) -> bool:
    """Post at most once per key, across redeliveries: the event log remembers what was sent."""
    with event_log.event_lock(rt.pool, ws, key):
        state = event_log.claim(rt.pool, ws, key, channel)
        if state.reply_ts:
            return False
        ts = post()
        event_log.set_reply_ts(rt.pool, ws, key, ts)
        return True


# --- install and uninstall -------------------------------------------------------------------
def welcome_installation(rt: Runtime, job: InstallJob) -> None:
    """After "Add to Slack": the team's runbook library is loaded, and the installer hears from NOX."""
    from knowledge.ingest import load_bundled

    ws = _workspace(rt, job)
    if ws is None or not ws.is_active:
        return
    report = load_bundled(rt.pool, ws.tenant_id, rt.embedder)
    log.info(
        "bundled knowledge base loaded for a new install",
        extra={"team_id": job.team_id, "added": getattr(report, "added", None)},
    )
    if not job.user_id:
        return
    user_id = job.user_id
    client = rt.slack.get(rt.bot_token(ws))
    lang = _user_language(client, user_id)

    def post() -> str:
        blocks = welcome_blocks(lang)
        return client.chat_postMessage(channel=user_id, text=t("welcome_text", lang), blocks=blocks)["ts"]

    _once(rt, ws, f"install-welcome:{user_id}", user_id, post)


def uninstall(rt: Runtime, job: TeamJob) -> None:
    """`app_uninstalled`: tokens deleted, the workspace and NOX marked inactive; data kept for a re-install."""
    revoked = deactivate_workspace(rt.pool, job.team_id, job.enterprise_id)
    rt.workspaces.forget(job.team_id, job.enterprise_id)
    log.info(
        "workspace uninstalled", extra={"team_id": job.team_id, "installations_deleted": revoked.installations_deleted}
    )


def tokens_revoked(rt: Runtime, job: TokensRevokedJob) -> None:
    revoked = revoke_tokens(rt.pool, job.team_id, job.enterprise_id, job.bot_user_ids, job.user_ids)
    rt.workspaces.forget(job.team_id, job.enterprise_id)
    log.info("tokens revoked", extra={"team_id": job.team_id, **revoked.model_dump()})


# --- people and channels ---------------------------------------------------------------------
def welcome_member(rt: Runtime, job: MemberJoinedJob) -> None:
    """`team_join`: a short hello in the newcomer's language, pointing at what NOX does."""
    if job.is_bot:
        return
    ws = _workspace(rt, job)
    if ws is None or not ws.is_active:
        return
    client = rt.slack.get(rt.bot_token(ws))
    lang = language_of(job.locale) if job.locale else _user_language(client, job.user_id, ws.settings.get("language"))

    def post() -> str:
        return client.chat_postMessage(
            channel=job.user_id, text=t("member_welcome_text", lang), blocks=member_welcome_blocks(lang)
        )["ts"]

    _once(rt, ws, f"team-join:{job.user_id}", job.user_id, post)


def channel_created(rt: Runtime, job: ChannelCreatedJob) -> None:
    """Record the channel; if it looks like an incident or ops channel, offer its creator to watch it."""
    ws = _workspace(rt, job)
    if ws is None or not ws.is_active:
        return
    ops = looks_like_ops_channel(job.name)
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        row = conn.execute(
            "INSERT INTO slack_channels (tenant_id, workspace_id, channel_id, name, creator, looks_ops)"
            " VALUES (%s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (workspace_id, channel_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()"
            " RETURNING offered_at",
            [ws.tenant_id, ws.workspace_id, job.channel_id, job.name, job.creator, ops],
        ).fetchone()
    assert row is not None  # an upsert with RETURNING returns its row
    if not ops or not job.creator or row["offered_at"] is not None:
        return
    client = rt.slack.get(rt.bot_token(ws))
    lang = _user_language(client, job.creator, ws.settings.get("language"))
    blocks = channel_offer_blocks(lang, job.channel_id, job.name)
    text = t("offer_text", lang, name=job.name)
    try:
        client.chat_postEphemeral(channel=job.channel_id, user=job.creator, text=text, blocks=blocks)
    except SlackApiError as exc:
        # NOX is not in a channel it did not create: the offer goes to the creator's DM with NOX instead.
        if exc.response.get("error") not in ("not_in_channel", "channel_not_found", "user_not_in_channel"):
            raise
        client.chat_postMessage(channel=job.creator, text=text, blocks=blocks)
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        conn.execute(
            "UPDATE slack_channels SET offered_at = now() WHERE workspace_id = %s AND channel_id = %s",
            [ws.workspace_id, job.channel_id],
        )


def set_channel_watch(rt: Runtime, job: WatchChannelJob) -> None:
    """The creator's answer to the offer: NOX joins and watches the channel (or politely doesn't)."""
    from slack_sdk.webhook import WebhookClient

    ws = _workspace(rt, job)
    if ws is None or not ws.is_active:
        return
    client = rt.slack.get(rt.bot_token(ws))
    lang = _user_language(client, job.user, ws.settings.get("language"))
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        row = conn.execute(
            "INSERT INTO slack_channels (tenant_id, workspace_id, channel_id, watched, watched_by)"
            " VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (workspace_id, channel_id) DO UPDATE SET watched = EXCLUDED.watched,"
            " watched_by = EXCLUDED.watched_by, updated_at = now() RETURNING name",
            [ws.tenant_id, ws.workspace_id, job.channel_id, job.watch, job.user if job.watch else None],
        ).fetchone()
    assert row is not None  # an upsert with RETURNING returns its row
    _watched.pop(ws.workspace_id, None)
    set_watched(rt.cache, ws.team_id, job.channel_id, job.watch)  # the web's copy (jamono.slack.routing)
    if job.watch:
        try:
            client.conversations_join(channel=job.channel_id)
        except SlackApiError as exc:  # private channels must invite NOX themselves
            if exc.response.get("error") not in (
                "method_not_supported_for_channel_type",
                "is_archived",
                "channel_not_found",
                "missing_scope",
            ):
                raise
    message = t("watching" if job.watch else "not_watching", lang, channel=f"<#{job.channel_id}>")
    if job.response_url:
        WebhookClient(job.response_url).send(text=message, replace_original=True)
    else:
        client.chat_postEphemeral(channel=job.channel_id, user=job.user, text=message)
    log.info("channel watch changed", extra={"team_id": job.team_id, "watch": job.watch, "name": row["name"]})


WATCHED_TTL_S = 10.0
_watched: dict[UUID, tuple[float, frozenset[str]]] = {}


def is_watched(rt: Runtime, ws: WorkspaceContext, channel_id: str) -> bool:
    """Asked for every message of every channel NOX is in: the workspace's watched set, kept briefly."""
    now = time.monotonic()
    cached = _watched.get(ws.workspace_id)
    if cached is None or cached[0] <= now:
        with tenant_tx(rt.pool, ws.tenant_id) as conn:
            rows = conn.execute(
                "SELECT channel_id FROM slack_channels WHERE workspace_id = %s AND watched", [ws.workspace_id]
            ).fetchall()
        cached = _watched[ws.workspace_id] = (now + WATCHED_TTL_S, frozenset(r["channel_id"] for r in rows))
    return channel_id in cached[1]


def answer_if_incident(rt: Runtime, job, *, final_attempt: bool) -> bool:
    """A message in a watched channel: NOX speaks only when it reads like an incident."""
    from jamono.brain.analysis import Intent
    from jamono.brain.engine import clean_text
    from jamono.conversation.answering import answer_message

    ws = _workspace_cached(rt, job)
    if ws is None or not ws.is_active or not is_watched(rt, ws, job.channel):
        return False
    if rt.nox.analyzer.analyze(clean_text(job.text)).intent != Intent.INCIDENT:
        return False
    answer_message(rt, job, final_attempt=final_attempt)
    return True


def _workspace_cached(rt: Runtime, ref: TeamJob) -> WorkspaceContext | None:
    try:
        return rt.workspaces.get(ref.team_id, ref.enterprise_id)
    except UnknownWorkspace:
        return None
