from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from jamono.actions.buttons import parse_meeting_value
from jamono.actions.modals import ModalContext, meeting_modal
from jamono.actions.models import ActionRef, ProposalClick
from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise, user_of

_CHOICES = {"propose_ticket": "ticket", "propose_dismiss": "dismiss"}


def _channel(body: dict[str, Any]) -> str:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id", "")


async def handle_proposal(
    ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Create Jira ticket / Dismiss: queue the decision, then ack (the worker decides what happens)."""
    team, enterprise = team_and_enterprise(body, context)
    job = ProposalClick(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        channel=_channel(body),
        interaction_id=action.get("value", ""),
        choice=_CHOICES[action["action_id"]],  # type: ignore[arg-type]
    )
    await context["jobs"].enqueue_async(Actor.ACTIONS_PROPOSAL, job.model_dump(mode="json"))
    await ack()


async def ack_schedule(ack: AsyncAck) -> None:
    await ack()


async def open_schedule_modal(body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient) -> None:
    """After the ack (lazy): the scheduling modal, pre-filled from the proposal's button."""
    prefill = parse_meeting_value(action.get("value", ""))
    message = body.get("message") or {}
    ctx = ModalContext(
        interaction_id=prefill.interaction_id,
        channel=_channel(body),
        thread_ts=message.get("thread_ts") or (body.get("container") or {}).get("thread_ts") or message.get("ts"),
        lang=prefill.lang,
    )
    attendees = [*prefill.attendees, user_of(body)]
    await client.views_open(
        trigger_id=body["trigger_id"],
        view=meeting_modal(ctx, title=prefill.title, duration_min=prefill.duration_min, attendees=attendees),
    )


async def handle_retry(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """Retry on a failed action: queue it, then ack."""
    team, enterprise = team_and_enterprise(body, context)
    job = ActionRef(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        channel=_channel(body),
        action_id=action.get("value", ""),
    )
    await context["jobs"].enqueue_async(Actor.ACTIONS_RETRY, job.model_dump(mode="json"))
    await ack()
