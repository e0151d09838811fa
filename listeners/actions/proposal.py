from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.slack.payloads import ProposalJob, team_and_enterprise, user_of

_CHOICES = {"propose_ticket": "ticket", "propose_meeting": "meeting", "propose_dismiss": "dismiss"}


async def handle_proposal(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """Create ticket / Schedule / Dismiss: queue the decision, then ack."""
    team, enterprise = team_and_enterprise(body, context)
    job = ProposalJob(
        team_id=team, enterprise_id=enterprise,
        user=user_of(body),
        channel=(body.get("channel") or {}).get("id", ""),
        interaction_id=action.get("value", ""),
        choice=_CHOICES[action["action_id"]],  # type: ignore[arg-type]
    )
    context["jobs"].enqueue("record_proposal", job.model_dump(mode="json"))
    await ack()
