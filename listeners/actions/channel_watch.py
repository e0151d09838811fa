from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise, user_of
from jamono.workspaces.onboarding import WatchChannelJob
from jamono.workspaces.onboarding_text import WATCH_ACTION


async def handle_channel_watch(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    """ "Watch this channel" / "No thanks" on NOX's offer: queued, then acked."""
    team, enterprise = team_and_enterprise(body, context)
    job = WatchChannelJob(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        channel_id=str(action.get("value", ""))[:40],
        watch=action["action_id"] == WATCH_ACTION,
        response_url=body.get("response_url"),
    )
    await context["jobs"].enqueue_async(Actor.SET_CHANNEL_WATCH, job.model_dump(mode="json"))
    await ack()
