"""The "Add to timeline" message shortcut: the message (text and author as the payload has them)
queued for its incident's timeline."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.memory.models import Mark
from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise, user_of

ADD_TO_TIMELINE = "incident_timeline_add"


async def handle_add_to_timeline(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    message = shortcut.get("message") or {}
    team, enterprise = team_and_enterprise(shortcut, context)
    ts = str(message.get("ts") or shortcut.get("message_ts") or "")
    if not ts:
        await ack()
        return
    job = Mark(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(shortcut),
        channel=str((shortcut.get("channel") or {}).get("id") or ""),
        ts=ts,
        author=message.get("user") or None,
        text=str(message.get("text") or "")[:4000],
        thread_ts=message.get("thread_ts") or None,
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_MARK, job.model_dump(mode="json"))
    await ack()
