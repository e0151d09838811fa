from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest

from jamono.brain.language import detect_language
from jamono.i18n import Lang
from jamono.memory.models import Ask
from jamono.memory.text import similar_request
from jamono.queue.names import Actor
from jamono.slack.filters import should_answer_mention
from jamono.slack.payloads import team_and_enterprise
from listeners.events._job import enqueue_event


async def handle_app_mention(body: dict[str, Any], context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
    """`@nox` in a channel: queue it (Bolt acks events itself once this returns)."""
    event = body["event"]
    if not should_answer_mention(event, context.bot_user_id):
        return
    words = similar_request(str(event.get("text") or ""))
    if words is not None and str(event.get("channel") or "")[:1] in ("C", "G"):
        await _queue_similar(body, event, words, context)
        return
    await enqueue_event(body, context, request, "app_mention")


async def _queue_similar(body: dict[str, Any], event: dict[str, Any], words: str, context: AsyncBoltContext) -> None:
    """`@nox similar` (slash commands never come from a thread): the thread is the report."""
    team, enterprise = team_and_enterprise(body, context)
    thread_ts = str(event.get("thread_ts") or event.get("ts") or "")
    job = Ask(
        team_id=team,
        enterprise_id=enterprise,
        user=str(event.get("user") or ""),
        channel=str(event["channel"]),
        what="similar",
        text=words,
        lang=_lang(str(event.get("text") or ""), words),
        thread_ts=thread_ts or None,
        event_id=str(body.get("event_id") or "") or None,
        with_thread=bool(event.get("thread_ts")),
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_ASK, job.model_dump(mode="json"))


def _lang(text: str, words: str) -> Lang:
    """French when asked in French (`@nox similaire(s)`), else the words' language."""
    if "similaire" in text.lower():
        return "fr"
    return detect_language(words) if words else "en"
