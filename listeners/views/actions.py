from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from jamono.actions.modals import IncidentForm, MeetingForm, ModalContext, parse_incident, parse_meeting
from jamono.actions.models import MeetingParams, MeetingSubmission
from jamono.incidents.models import Declaration
from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise, user_of


async def handle_meeting_submission(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Validate inside the modal (errors shown there); a valid request is queued and the modal closes."""
    ctx = ModalContext.load(view.get("private_metadata"))
    form = parse_meeting(view.get("state", {}), ctx.lang)
    if not isinstance(form, MeetingForm):
        await ack(response_action="errors", errors=form)
        return
    team, enterprise = team_and_enterprise(body, context)
    user = user_of(body)
    job = MeetingSubmission(
        team_id=team,
        enterprise_id=enterprise,
        user=user,
        view_id=view.get("id", ""),
        interaction_id=ctx.interaction_id or None,  # type: ignore[arg-type]  # pydantic parses the UUID
        channel=ctx.channel,
        thread_ts=ctx.thread_ts,
        params=MeetingParams(
            title=form.title,
            duration_min=form.duration_min,
            attendees=form.attendees,
            description=form.agenda,
            requester=user,
            lang=ctx.lang,
        ),
    )
    await context["jobs"].enqueue_async(Actor.ACTIONS_MEETING, job.model_dump(mode="json"))
    await ack()


async def handle_incident_submission(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    ctx = ModalContext.load(view.get("private_metadata"))
    form = parse_incident(view.get("state", {}), ctx.lang)
    if not isinstance(form, IncidentForm):
        await ack(response_action="errors", errors=form)
        return
    team, enterprise = team_and_enterprise(body, context)
    user = user_of(body)
    job = Declaration(
        team_id=team,
        enterprise_id=enterprise,
        user=user,
        view_id=view.get("id", ""),
        channel=ctx.channel or user,
        title=form.summary,
        severity=form.severity,  # type: ignore[arg-type]  # IncidentForm keeps it in SEVERITIES
        service=form.service,
        details=form.details,
        lead=form.lead,
        lang=ctx.lang,
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_DECLARE, job.model_dump(mode="json"))
    await ack()
