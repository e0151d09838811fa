from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.slack.kb_views import KbAddForm, parse_kb_add
from jamono.slack.payloads import KbSaveJob


async def handle_kb_add(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    """Validate in the modal (errors shown there); a valid document is queued, then the modal closes."""
    form = parse_kb_add(view.get("state", {}))
    if not isinstance(form, KbAddForm):
        await ack(response_action="errors", errors=form)
        return
    job = KbSaveJob(
        team_id=(body.get("team") or {}).get("id") or context.team_id or "",
        user=(body.get("user") or {}).get("id", ""), title=form.title, content=form.content, tags=form.tags,
        channel=view.get("private_metadata") or None,
    )
    context["jobs"].enqueue("kb_save", job.model_dump(mode="json"))
    await ack()
