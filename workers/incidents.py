"""Dramatiq actors for incidents. Thin: validate the job, call jamono.incidents.flows.

Imported by workers/nox.py, so every worker declares them. Reminders are delayed messages on the
same queue (they live in the broker, so they survive worker restarts); the flow decides whether
one is still due, and a conditional UPDATE makes sure it is sent once.
"""

from __future__ import annotations

import dramatiq

from jamono.incidents.flows import REMIND_QUEUE
from jamono.incidents.models import Change, Declaration, IncidentRef, ListRequest
from jamono.jobs import NOX_QUEUE
from jamono.runtime import get_runtime
from workers.actions import _ACTION_JOB, _final

WEEK_MS = 7 * 24 * 3600 * 1000


@dramatiq.actor(actor_name="incidents_declare", **_ACTION_JOB)
def incidents_declare(payload: dict) -> None:
    from jamono.incidents.flows import declare

    declare(get_runtime(), Declaration.model_validate(payload), final_attempt=_final())


@dramatiq.actor(actor_name="incidents_change", **_ACTION_JOB)
def incidents_change(payload: dict) -> None:
    from jamono.incidents.flows import change

    change(get_runtime(), Change.model_validate(payload), final_attempt=_final())


@dramatiq.actor(actor_name="incidents_jira", **_ACTION_JOB)
def incidents_jira(payload: dict) -> None:
    from jamono.incidents.flows import sync_jira

    sync_jira(get_runtime(), IncidentRef.model_validate(payload), final_attempt=_final())


# A reminder may wait hours in the broker before it is due: max_age counts from its enqueue. Its own
# queue (every `jamono worker` consumes it too), so waiting reminders are no backlog of the answers.
@dramatiq.actor(actor_name="incidents_remind", **{**_ACTION_JOB, "max_age": WEEK_MS, "queue_name": REMIND_QUEUE})
def incidents_remind(payload: dict) -> None:
    from jamono.incidents.flows import remind

    remind(get_runtime(), IncidentRef.model_validate(payload))


@dramatiq.actor(actor_name="incidents_list", queue_name=NOX_QUEUE, max_retries=2, time_limit=60_000)
def incidents_list(payload: dict) -> None:
    from jamono.incidents.flows import list_open

    list_open(get_runtime(), ListRequest.model_validate(payload))


# --- NOX's incident memory (jamono.memory.flows) -----------------------------------------------


@dramatiq.actor(actor_name="incidents_mark", **_ACTION_JOB)
def incidents_mark(payload: dict) -> None:
    from jamono.memory.flows import mark
    from jamono.memory.models import Mark

    mark(get_runtime(), Mark.model_validate(payload))


@dramatiq.actor(actor_name="incidents_joined", **_ACTION_JOB)
def incidents_joined(payload: dict) -> None:
    from jamono.memory.flows import joined
    from jamono.memory.models import Joined

    joined(get_runtime(), Joined.model_validate(payload))


@dramatiq.actor(actor_name="incidents_ask", queue_name=NOX_QUEUE, max_retries=2, time_limit=120_000)
def incidents_ask(payload: dict) -> None:
    from jamono.memory.flows import ask
    from jamono.memory.models import Ask

    ask(get_runtime(), Ask.model_validate(payload))


@dramatiq.actor(actor_name="incidents_postmortem", **_ACTION_JOB)
def incidents_postmortem(payload: dict) -> None:
    from jamono.memory.flows import write_postmortem

    write_postmortem(get_runtime(), IncidentRef.model_validate(payload))


@dramatiq.actor(actor_name="incidents_item_ticket", **_ACTION_JOB)
def incidents_item_ticket(payload: dict) -> None:
    from jamono.memory.flows import item_ticket
    from jamono.memory.models import ItemTicket

    item_ticket(get_runtime(), ItemTicket.model_validate(payload), final_attempt=_final())
