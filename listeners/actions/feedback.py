from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.queue.names import Actor
from jamono.slack.payloads import FeedbackJob, team_and_enterprise, user_of


async def handle_feedback(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    """👍 / 👎 on an answer: queue the vote, then ack (the vote is written by a worker)."""
    team, enterprise = team_and_enterprise(body, context)
    job = FeedbackJob(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        channel=(body.get("channel") or {}).get("id", ""),
        interaction_id=action.get("value", ""),
        vote=1 if action["action_id"] == "feedback_up" else -1,
    )
    await context["jobs"].enqueue_async(Actor.RECORD_FEEDBACK, job.model_dump(mode="json"))
    await ack()
