from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.actions.models import TicketFromMessage
from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise, user_of

JIRA_FROM_MESSAGE = "jira_from_message"


async def handle_jira_from_message(ack: AsyncAck, shortcut: dict[str, Any], context: AsyncBoltContext) -> None:
    """ "Create Jira ticket from this message": the person's click is the decision; a worker files it."""
    message = shortcut.get("message") or {}
    team, enterprise = team_and_enterprise(shortcut, context)
    job = TicketFromMessage(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(shortcut),
        channel=(shortcut.get("channel") or {}).get("id", ""),
        message_ts=message.get("ts") or shortcut.get("message_ts", ""),
        thread_ts=message.get("thread_ts"),
        text=(message.get("text") or "")[:40_000],
        author=message.get("user"),
    )
    await context["jobs"].enqueue_async(Actor.ACTIONS_FROM_MESSAGE, job.model_dump(mode="json"))
    await ack()
