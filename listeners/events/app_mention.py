from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest

from jamono.slack.filters import should_answer_mention
from listeners.events._job import enqueue_event


async def handle_app_mention(body: dict[str, Any], context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
    """`@nox` in a channel: queue it (Bolt acks events itself once this returns)."""
    if should_answer_mention(body["event"], context.bot_user_id):
        await enqueue_event(body, context, request, "app_mention")
