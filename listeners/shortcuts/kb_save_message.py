from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.slack.payloads import KbSaveJob


async def handle_kb_save_message(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    """"Save to NOX knowledge base" on a message: the worker reads the thread and saves it."""
    message = shortcut.get("message") or {}
    job = KbSaveJob(
        team_id=(shortcut.get("team") or {}).get("id") or context.team_id or "",
        user=(shortcut.get("user") or {}).get("id", ""),
        channel=(shortcut.get("channel") or {}).get("id"),
        message_ts=message.get("thread_ts") or message.get("ts"),
    )
    context["jobs"].enqueue("kb_save", job.model_dump(mode="json"))
    await ack()
