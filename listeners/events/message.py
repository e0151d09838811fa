from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest

from jamono.queue.names import Actor
from jamono.slack.filters import should_answer_message, should_follow_thread, should_watch_message
from jamono.slack.routing import MessageRoutes, addresses_someone_else
from listeners.events._job import enqueue_event


async def handle_message(body: dict[str, Any], context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
    """Direct messages to NOX; channel messages arrive as app_mention when they concern NOX, other
    top-level channel messages go to the worker only in a watched channel (where it answers
    incidents), and thread replies only in a thread NOX answered, unless they address someone
    else (jamono.slack.routing): the rest of the channel's conversation costs no job."""
    event = body["event"]
    bot = context.bot_user_id
    if should_answer_message(event, bot):
        await enqueue_event(body, context, request, "direct_message")
    elif should_watch_message(event, bot):
        if await _worth_a_job(body, context, None):
            await enqueue_event(body, context, request, "watched_channel", Actor.WATCHED_MESSAGE)
    elif (
        should_follow_thread(event, bot)
        and not addresses_someone_else(event.get("text") or "", bot)
        and await _worth_a_job(body, context, event["thread_ts"])
    ):
        await enqueue_event(body, context, request, "thread_reply", Actor.THREAD_FOLLOW_UP)


async def _worth_a_job(body: dict[str, Any], context: AsyncBoltContext, thread_ts: str | None) -> bool:
    routes: MessageRoutes | None = context.get("routes")
    if routes is None:  # no Redis (RabbitMQ alone): the workers decide, as before
        return True
    event = body["event"]
    team_id = body.get("team_id") or event.get("team") or context.team_id or ""
    return await routes.worth_a_job(team_id, event.get("channel") or "", thread_ts)
