"""Dramatiq actors for actions (Jira tickets, meetings). Thin: validate the job, call jamono.actions.

Imported by workers/nox.py, so every worker (and the tests' in-process worker) declares them.
Retries are bounded; `RetryLater` carries a server's Retry-After. The last attempt never raises
for an integration failure: it records the dead letter and tells the thread instead.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage

from jamono.actions.models import ActionRef, IncidentDeclaration, MeetingSubmission, ProposalClick, TicketFromMessage
from jamono.jobs import NOX_QUEUE
from jamono.runtime import get_runtime
from jamono.settings import get_settings

_settings = get_settings()
MAX_RETRIES = _settings.job_max_retries
DAY_MS = 24 * 3600 * 1000
_ACTION_JOB: dict[str, Any] = {
    "queue_name": NOX_QUEUE,
    "max_retries": MAX_RETRIES,
    "min_backoff": 500,
    "max_backoff": 60_000,
    "time_limit": _settings.job_time_limit_s * 1000,
    "max_age": DAY_MS,
}


def _final() -> bool:
    message = CurrentMessage.get_current_message()
    return (message.options.get("retries", 0) if message else 0) >= MAX_RETRIES


@dramatiq.actor(actor_name="actions_proposal", **_ACTION_JOB)
def actions_proposal(payload: dict) -> None:
    from jamono.actions.service import proposal_clicked

    proposal_clicked(get_runtime(), ProposalClick.model_validate(payload), final_attempt=_final())


@dramatiq.actor(actor_name="actions_meeting", **_ACTION_JOB)
def actions_meeting(payload: dict) -> None:
    from jamono.actions.service import meeting_submitted

    meeting_submitted(get_runtime(), MeetingSubmission.model_validate(payload), final_attempt=_final())


@dramatiq.actor(actor_name="actions_incident", **_ACTION_JOB)
def actions_incident(payload: dict) -> None:
    from jamono.actions.service import incident_declared

    incident_declared(get_runtime(), IncidentDeclaration.model_validate(payload), final_attempt=_final())


@dramatiq.actor(actor_name="actions_from_message", **_ACTION_JOB)
def actions_from_message(payload: dict) -> None:
    from jamono.actions.service import ticket_from_message

    ticket_from_message(get_runtime(), TicketFromMessage.model_validate(payload), final_attempt=_final())


@dramatiq.actor(actor_name="actions_retry", **_ACTION_JOB)
def actions_retry(payload: dict) -> None:
    from jamono.actions.service import retry_clicked

    retry_clicked(get_runtime(), ActionRef.model_validate(payload), final_attempt=_final())
