from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.slack.payloads import ProposalJob

_CHOICES = {"propose_ticket": "ticket", "propose_meeting": "meeting", "propose_dismiss": "dismiss"}


async def handle_proposal(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """Create ticket / Schedule / Dismiss: queue the decision, then ack."""
    job = ProposalJob(
        team_id=(body.get("team") or {}).get("id") or context.team_id or "",
        user=(body.get("user") or {}).get("id", ""),
        channel=(body.get("channel") or {}).get("id", ""),
        interaction_id=action.get("value", ""),
        choice=_CHOICES[action["action_id"]],  # type: ignore[arg-type]
    )
    context["jobs"].enqueue("record_proposal", job.model_dump(mode="json"))
    await ack()
