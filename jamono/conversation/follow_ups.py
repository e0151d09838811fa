"""Replies in a thread NOX answered, answered without a new @mention when they are meant for NOX.
Why and how: docs/design/conversation.md."""

from __future__ import annotations

import logging
from typing import Any, cast

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from jamono.brain.analysis import Intent
from jamono.brain.engine import clean_text
from jamono.container import Runtime
from jamono.i18n import t
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import WorkspaceContext
from jamono.slack.payloads import CommandJob, MessageJob
from jamono.slack.routing import addresses_someone_else

log = logging.getLogger(__name__)

REPLY_EVENT_TYPE = "nox_reply"  # the metadata NOX's answers carry (jamono.conversation.answering)


def worth_a_look(rt: Runtime, ws: WorkspaceContext, channel: str, thread_ts: str) -> bool:
    """NOX answered in this thread and the channel allows follow-ups: decided in PostgreSQL, so a
    reply in one of the many threads NOX never joined costs no call to Slack."""
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        row = conn.execute(
            "SELECT coalesce((SELECT follow_ups FROM slack_channels WHERE workspace_id = %(ws)s"
            "                 AND channel_id = %(channel)s), true)"
            " AND EXISTS (SELECT 1 FROM agent_interactions WHERE workspace_id = %(ws)s AND channel_id = %(channel)s"
            "             AND reply_ts IS NOT NULL AND coalesce(thread_ts, message_ts) = %(thread)s) AS ok",
            {"ws": ws.workspace_id, "channel": channel, "thread": thread_ts},
        ).fetchone()
    return bool(cast(dict[str, Any], row)["ok"])


def _is_nox(message: dict[str, Any], bot_user_id: str | None) -> bool:
    return bool(message.get("user") == bot_user_id or message.get("bot_id"))


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    metadata = message.get("metadata") or {}
    return metadata.get("event_payload") or {} if metadata.get("event_type") == REPLY_EVENT_TYPE else {}


def replying_to_nox(messages: list[dict[str, Any]], current_ts: str, bot_user_id: str | None) -> bool:
    """NOX answered in the thread, its message is the one before this reply, and it was asked for."""
    earlier = [m for m in messages if _ts(m.get("ts")) < _ts(current_ts)]
    if not earlier or not _is_nox(earlier[-1], bot_user_id):
        return False
    return not _payload(earlier[-1]).get("follow_up")


def _ts(value: object) -> float:
    try:
        return float(str(value))
    except ValueError:
        return 0.0


def answer_follow_up(rt: Runtime, job: MessageJob, *, final_attempt: bool) -> bool:
    """Answer a thread reply as NOX would answer a mention, when it is meant for NOX."""
    from jamono.conversation.answering import answer_message

    ws = rt.workspaces.get(job.team_id, job.enterprise_id)
    if not ws.is_active or not job.thread_ts or addresses_someone_else(job.text, ws.bot_user_id):
        return False
    if not worth_a_look(rt, ws, job.channel, job.thread_ts):
        return False
    client = rt.slack.get(rt.bot_token(ws))
    try:
        replies = client.conversations_replies(
            channel=job.channel, ts=job.thread_ts, include_all_metadata=True, limit=200
        )
    except SlackApiError as exc:
        log.warning("conversations.replies failed: %s", exc.response.get("error"))
        return False
    messages: list[dict[str, Any]] = list(replies.get("messages", []))
    if not replying_to_nox(messages, job.ts, ws.bot_user_id):
        return False
    context = [m.get("text") or "" for m in messages if _ts(m.get("ts")) < _ts(job.ts)][-3:]
    if rt.nox.analyzer.analyze(clean_text(job.text, ws.bot_user_id), context).intent is Intent.OTHER:
        return False
    answer_message(rt, job, final_attempt=final_attempt)
    return True


def set_follow_ups(rt: Runtime, command: CommandJob, enabled: bool) -> None:
    """`/nox followups on|off` in a channel: remembered per channel, confirmed to the person."""
    ws = rt.workspaces.get(command.team_id, command.enterprise_id)
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        conn.execute(
            "INSERT INTO slack_channels (tenant_id, workspace_id, channel_id, follow_ups) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (workspace_id, channel_id) DO UPDATE SET follow_ups = EXCLUDED.follow_ups, updated_at = now()",
            [ws.tenant_id, ws.workspace_id, command.channel, enabled],
        )
    key = "follow_ups_on" if enabled else "follow_ups_off"
    WebhookClient(command.response_url).send(response_type="ephemeral", text=t(key, command.lang))
