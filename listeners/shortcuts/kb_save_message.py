from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.queue.names import Actor
from jamono.slack.payloads import KbSaveJob, team_and_enterprise, user_of


async def handle_kb_save_message(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    """ "Save to NOX knowledge base" on a message: the worker reads the thread and saves it."""
    message = shortcut.get("message") or {}
    team, enterprise = team_and_enterprise(shortcut, context)
    job = KbSaveJob(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(shortcut),
        channel=(shortcut.get("channel") or {}).get("id"),
        message_ts=message.get("thread_ts") or message.get("ts"),
    )
    await context["jobs"].enqueue_async(Actor.KB_SAVE, job.model_dump(mode="json"))
    await ack()
