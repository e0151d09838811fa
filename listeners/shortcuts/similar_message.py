"""The "Find similar incidents" message shortcut: works on any message, thread replies included
(slash commands never come from a thread); the answer is ephemeral, in the message's thread."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.brain.language import detect_language
from jamono.memory.models import Ask
from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise, user_of

FIND_SIMILAR = "incident_find_similar"


async def handle_find_similar(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    message = shortcut.get("message") or {}
    team, enterprise = team_and_enterprise(shortcut, context)
    text = str(message.get("text") or "")[:3000]
    thread_ts = message.get("thread_ts") or None
    job = Ask(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(shortcut),
        channel=str((shortcut.get("channel") or {}).get("id") or ""),
        what="similar",
        text=text,
        lang=detect_language(text) if text else "en",
        thread_ts=thread_ts or message.get("ts") or None,
        with_thread=thread_ts is not None,
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_ASK, job.model_dump(mode="json"))
    await ack()
