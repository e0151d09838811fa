from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest

from jamono.queue.names import Actor
from jamono.slack.filters import should_answer_message, should_follow_thread, should_watch_message
from listeners.events._job import enqueue_event


async def handle_message(body: dict[str, Any], context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
    """Direct messages to NOX; channel messages arrive as app_mention when they concern NOX, other
    top-level channel messages go to the worker, which speaks only in watched channels, and thread
    replies go to the worker, which answers only follow-ups in threads it answered."""
    event = body["event"]
    if should_answer_message(event, context.bot_user_id):
        await enqueue_event(body, context, request, "direct_message")
    elif should_watch_message(event, context.bot_user_id):
        await enqueue_event(body, context, request, "watched_channel", Actor.WATCHED_MESSAGE)
    elif should_follow_thread(event, context.bot_user_id):
        await enqueue_event(body, context, request, "thread_reply", Actor.THREAD_FOLLOW_UP)
