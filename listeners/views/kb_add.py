from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.kb.views import KbAddForm, parse_kb_add
from jamono.queue.names import Actor
from jamono.slack.payloads import KbSaveJob, team_and_enterprise, user_of


async def handle_kb_add(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    """Validate in the modal (errors shown there); a valid document is queued, then the modal closes."""
    form = parse_kb_add(view.get("state", {}))
    if not isinstance(form, KbAddForm):
        await ack(response_action="errors", errors=form)
        return
    team, enterprise = team_and_enterprise(body, context)
    job = KbSaveJob(
        team_id=team,
        enterprise_id=enterprise,
        user=user_of(body),
        title=form.title,
        content=form.content,
        tags=form.tags,
        channel=view.get("private_metadata") or None,
    )
    await context["jobs"].enqueue_async(Actor.KB_SAVE, job.model_dump(mode="json"))
    await ack()
