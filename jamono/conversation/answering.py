"""Answering one message, exactly once, with something visible whatever happens.
Why and how: docs/design/conversation.md."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from jamono.actions.flows import after_answer
from jamono.brain.engine import Reply
from jamono.brain.language import detect_language
from jamono.container import Runtime
from jamono.conversation.exchanges import interaction_id, record_interaction
from jamono.conversation.thread_context import remember, thread_context
from jamono.fairness.admission import record_tokens, refusal
from jamono.i18n import Lang
from jamono.observability.metrics import record_response
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import WorkspaceContext
from jamono.queue import event_log
from jamono.slack.blocks import answer_blocks, failure_blocks, fallback_text, placeholder_blocks
from jamono.slack.payloads import CommandJob, MessageJob
from jamono.slack.rate_limit import ChannelBusy, channel_post_limiter
from jamono.slack.routing import mark_thread

log = logging.getLogger(__name__)

REPLY_EVENT_TYPE = "nox_reply"


def find_existing_reply(client: WebClient, job: MessageJob) -> str | None:
    """A placeholder an earlier, crashed attempt posted: found by the event id in its metadata."""
    try:
        replies = client.conversations_replies(
            channel=job.channel, ts=job.reply_thread_ts, include_all_metadata=True, limit=200
        )
    except SlackApiError:
        return None
    message: dict[str, Any]
    for message in replies.get("messages", []):
        metadata: dict[str, Any] = message.get("metadata") or {}
        if (
            metadata.get("event_type") == REPLY_EVENT_TYPE
            and (metadata.get("event_payload") or {}).get("event_id") == job.event_id
        ):
            return message["ts"]
    return None


def post_placeholder(client: WebClient, job: MessageJob, lang: Lang) -> str:
    response = client.chat_postMessage(
        channel=job.channel,
        thread_ts=job.reply_thread_ts,
        text=placeholder_blocks(lang)[0]["elements"][0]["text"],
        blocks=placeholder_blocks(lang),
        metadata={
            "event_type": REPLY_EVENT_TYPE,
            "event_payload": {
                "event_id": job.event_id,
                **({"follow_up": True} if job.message_type == "thread_reply" else {}),
            },
        },
    )
    return response["ts"]


def answer_message(rt: Runtime, job: MessageJob, *, final_attempt: bool) -> None:
    ws: WorkspaceContext = rt.workspaces.get(job.team_id, job.enterprise_id)
    if not ws.is_active:
        log.info("ignoring event of inactive workspace", extra={"team_id": job.team_id})
        return
    with event_log.event_lock(rt.pool, ws, job.event_id):
        state = event_log.claim(rt.pool, ws, job.event_id, job.channel)
        if state.status == "answered":
            log.info("event already answered", extra={"event_id": job.event_id})
            return
        client = rt.slack.get(rt.bot_token(ws))
        lang = detect_language(job.text)
        reply_ts = state.reply_ts  # an earlier attempt's placeholder, if any
        try:
            if _refused_by_plan(rt, client, ws, job, state.reply_ts, lang):
                return
            if reply_ts is None and state.attempts > 1:
                reply_ts = find_existing_reply(client, job)
            if reply_ts is None:
                _wait_for_channel(rt, job, final_attempt)
                mark_thread(rt.cache, job.team_id, job.channel, job.reply_thread_ts)  # replies in it: worth a job
                reply_ts = post_placeholder(client, job, lang)
            if reply_ts != state.reply_ts:
                event_log.set_reply_ts(rt.pool, ws, job.event_id, reply_ts)
            _think_and_reply(rt, client, ws, job, reply_ts)
        except Exception as exc:
            if final_attempt and reply_ts is not None:  # the placeholder never stays: it says what failed
                _report_failure(rt, client, ws, job, reply_ts, lang, exc)
            elif final_attempt:  # nothing visible in Slack: at least the interaction says what happened
                _record_failure(rt, ws, job, None, type(exc).__name__)
            raise


def _wait_for_channel(rt: Runtime, job: MessageJob, final_attempt: bool) -> None:
    """Slack allows ~1 post/s per channel. The last attempt posts even when the budget stays spent:
    a late answer beats none, and Slack's own 429s are retried by the client."""
    try:
        channel_post_limiter(rt.settings).wait(job.team_id, job.channel)
    except ChannelBusy:
        if not final_attempt:
            raise
        log.warning(
            "channel post budget still spent on the last attempt: posting anyway", extra={"channel": job.channel}
        )


def _refused_by_plan(
    rt: Runtime, client: WebClient, ws: WorkspaceContext, job: MessageJob, reply_ts: str | None, lang: Lang
) -> bool:
    """Beyond the plan (a newcomer past its monthly people, or the tenant's daily budget spent): one
    clear notice in the thread, no answer; a person told once today about the budget hears nothing more."""
    refused = refusal(rt, ws, job.user, lang, job.event_id)
    if refused is None:
        return False
    if reply_ts is None and refused.notify:
        reply_ts = client.chat_postMessage(channel=job.channel, thread_ts=job.reply_thread_ts, text=refused.text)["ts"]
        event_log.set_reply_ts(rt.pool, ws, job.event_id, reply_ts)
    event_log.close_without_interaction(rt.pool, ws, job.event_id)
    return True


def think(
    rt: Runtime, ws: WorkspaceContext, text: str, context: Sequence[str] = (), channel: str | None = None
) -> Reply:
    """NOX's reply to one message of a workspace: the one path for mentions, DMs, `/nox ask` and
    `jamono eval answers`, so what is measured is what people read."""
    return rt.nox.think(
        text,
        # A past incident is its own "Looks like INC-n" line (jamono.memory), not a runbook to quote.
        lambda q: rt.search(ws, q, channel=channel, past_incidents=False),
        documents=lambda ids: rt.documents(ws, ids),
        context=context,
        bot_user_id=ws.bot_user_id,
    )


def record_reply(
    rt: Runtime, ws: WorkspaceContext, job: MessageJob, reply: Reply, *, reply_ts: str | None, elapsed_ms: int
) -> None:
    """The exchange's row, alike for every path that answers (what the App Home and metrics read)."""
    with tenant_tx(rt.pool, ws.tenant_id) as conn:
        record_interaction(
            conn,
            ws,
            job,
            reply_ts=reply_ts,
            response=reply.answer.text or reply.answer.first_checks,
            response_time_ms=elapsed_ms,
            success=True,
            intent=reply.analysis.intent.value,
            severity=reply.analysis.severity.value if reply.analysis.severity else None,
            metadata={
                "brain": reply.brain,
                "tokens": reply.tokens,
                "timings_ms": reply.timings_ms,
                "analysis": reply.analysis.model_dump(mode="json"),
                "sources": [str(s.document_id) for s in reply.answer.sources],
                **reply.metadata,
            },
        )


def _think_and_reply(rt: Runtime, client: WebClient, ws: WorkspaceContext, job: MessageJob, reply_ts: str) -> None:
    context: list[str] = []
    if job.in_thread or job.message_type == "direct_message" and job.thread_ts:
        context = thread_context(
            client,
            rt.cache,
            team_id=ws.team_id,
            channel=job.channel,
            thread_ts=job.reply_thread_ts,
            current_ts=job.ts,
            bot_user_id=ws.bot_user_id,
        )
    reply = think(rt, ws, job.text, context, channel=job.channel)
    record_tokens(rt, ws, reply.tokens)
    row_id = interaction_id(ws, job.event_id)
    blocks = with_memory(rt, ws, job, reply, answer_blocks(reply, str(row_id)))
    client.chat_update(channel=job.channel, ts=reply_ts, text=fallback_text(reply), blocks=blocks)
    elapsed_ms = int((time.time() - job.received_at) * 1000)
    record_response(ws.team_id, elapsed_ms / 1000, success=True)
    record_reply(rt, ws, job, reply, reply_ts=reply_ts, elapsed_ms=elapsed_ms)
    if job.channel[:1] in ("C", "G"):  # after the answer's own row: an incident channel's timeline gets it
        from jamono.memory.flows import record_answer

        with tenant_tx(rt.pool, ws.tenant_id) as conn:
            record_answer(conn, ws, job.channel, reply_ts, fallback_text(reply))
    after_answer(rt, ws, row_id, reply.analysis.intent.value)  # automatic mode: open the incident's ticket
    remember(
        rt.cache,
        team_id=ws.team_id,
        channel=job.channel,
        thread_ts=job.reply_thread_ts,
        texts=[*context, job.text, "NOX: " + fallback_text(reply)[:500]],
    )


def with_memory(rt: Runtime, ws: WorkspaceContext, job: MessageJob, reply: Reply, blocks: list) -> list:
    """An incident report's triage also names the most similar past incident of the workspace."""
    if reply.analysis.intent.value != "incident":
        return blocks
    from jamono.memory.flows import triage_lines

    lines = triage_lines(rt, ws, job.text, job.channel, reply.analysis.language)
    if not lines:
        return blocks
    section = {"type": "section", "block_id": "similar_incident", "text": {"type": "mrkdwn", "text": lines[0][:3000]}}
    at = next((i for i, b in enumerate(blocks) if str(b.get("block_id", "")).startswith("proposal:")), len(blocks))
    return [*blocks[:at], section, *blocks[at:]]


def _report_failure(
    rt: Runtime, client: WebClient, ws: WorkspaceContext, job: MessageJob, reply_ts: str, lang: Lang, exc: Exception
) -> None:
    """The worst failure is silence: the thread always ends with a visible message."""
    reason = type(exc).__name__
    try:
        client.chat_update(
            channel=job.channel,
            ts=reply_ts,
            text=failure_blocks(lang, reason)[0]["text"]["text"],
            blocks=failure_blocks(lang, reason),
        )
    except SlackApiError:
        log.exception("could not report the failure in Slack")
    _record_failure(rt, ws, job, reply_ts, reason)


def _record_failure(rt: Runtime, ws: WorkspaceContext, job: MessageJob, reply_ts: str | None, reason: str) -> None:
    record_response(ws.team_id, time.time() - job.received_at, success=False)
    try:
        with tenant_tx(rt.pool, ws.tenant_id) as conn:
            record_interaction(
                conn,
                ws,
                job,
                reply_ts=reply_ts,
                response=None,
                response_time_ms=int((time.time() - job.received_at) * 1000),
                success=False,
                metadata={"error": reason},
            )
    except Exception:  # the database may be what failed; the job's own error is the one to raise
        log.exception("could not record the failed interaction")


def answer_command(rt: Runtime, command: CommandJob) -> None:
    """`/nox ask …`: answered through the command's response_url (ephemeral unless shared)."""
    ws = rt.workspaces.get(command.team_id, command.enterprise_id)
    job = MessageJob(
        event_id=f"cmd:{command.trigger_id or command.response_url[-24:]}",
        team_id=command.team_id,
        enterprise_id=command.enterprise_id,
        message_type="slash_command",
        user=command.user,
        channel=command.channel,
        text=command.text,
        ts="0.0",
    )
    refused = refusal(rt, ws, command.user, command.lang, job.event_id)
    if refused is not None:  # the same plan limits and budgets as a mention (ephemeral, to the asker only)
        if refused.notify:
            WebhookClient(command.response_url).send(response_type="ephemeral", text=refused.text)
        return
    reply = think(rt, ws, command.text, channel=command.channel)
    record_tokens(rt, ws, reply.tokens)
    row_id = interaction_id(ws, job.event_id)
    WebhookClient(command.response_url).send(
        response_type="in_channel" if command.share else "ephemeral",
        text=fallback_text(reply),
        blocks=answer_blocks(reply, str(row_id)),
    )
    record_response(ws.team_id, time.time() - job.received_at, success=True)
    record_reply(rt, ws, job, reply, reply_ts=None, elapsed_ms=int((time.time() - job.received_at) * 1000))
