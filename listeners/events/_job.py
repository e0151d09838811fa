"""Shared by the message listeners: turn a validated event into a queued job."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest

from jamono.queue.client import JobQueue
from jamono.queue.names import Actor
from jamono.slack.payloads import MessageEvent, MessageJob, MessageType, team_and_enterprise


def retry_num(request: AsyncBoltRequest) -> int:
    values = request.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except ValueError:
        return 0


async def enqueue_event(
    body: dict[str, Any],
    context: AsyncBoltContext,
    request: AsyncBoltRequest,
    message_type: MessageType,
    actor_name: str = Actor.HANDLE_MESSAGE,
) -> None:
    # jamono.web.app validated it already (Socket Mode requests come without: validated here).
    event = context.get("message_event") or MessageEvent.model_validate(body["event"])
    team_id, enterprise_id = team_and_enterprise(body, context)  # what Bolt authorized, not the payload
    job = MessageJob(
        event_id=body["event_id"],
        team_id=team_id,
        enterprise_id=enterprise_id,
        message_type=message_type,
        user=event.user or "",
        channel=event.channel,
        text=event.text,
        ts=event.ts,
        thread_ts=event.thread_ts,
        retry_num=retry_num(request),
    )
    jobs: JobQueue = context["jobs"]
    await jobs.enqueue_message_async(job, actor_name)
