"""Dramatiq actors for actions (Jira tickets, meetings). Thin: validate the job, call jamono.actions.
Why and how: docs/design/workers.md."""

from __future__ import annotations

import dramatiq

from jamono.actions.models import ActionRef, IncidentDeclaration, MeetingSubmission, ProposalClick, TicketFromMessage
from jamono.container import get_runtime
from jamono.queue.names import Actor
from workers.options import ACTION_JOB, is_final_attempt


@dramatiq.actor(actor_name=Actor.ACTIONS_PROPOSAL, **ACTION_JOB)
def actions_proposal(payload: dict) -> None:
    from jamono.actions.flows import proposal_clicked

    proposal_clicked(get_runtime(), ProposalClick.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.ACTIONS_MEETING, **ACTION_JOB)
def actions_meeting(payload: dict) -> None:
    from jamono.actions.flows import meeting_submitted

    meeting_submitted(get_runtime(), MeetingSubmission.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.ACTIONS_INCIDENT, **ACTION_JOB)
def actions_incident(payload: dict) -> None:
    from jamono.actions.flows import incident_declared

    incident_declared(get_runtime(), IncidentDeclaration.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.ACTIONS_FROM_MESSAGE, **ACTION_JOB)
def actions_from_message(payload: dict) -> None:
    from jamono.actions.flows import ticket_from_message

    ticket_from_message(get_runtime(), TicketFromMessage.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.ACTIONS_RETRY, **ACTION_JOB)
def actions_retry(payload: dict) -> None:
    from jamono.actions.flows import retry_clicked

    retry_clicked(get_runtime(), ActionRef.model_validate(payload), final_attempt=is_final_attempt())
