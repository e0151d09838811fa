"""Dramatiq actors for incidents. Thin: validate the job, call jamono.incidents.flows.
Why and how: docs/design/workers.md."""

from __future__ import annotations

import dramatiq

from jamono.container import get_runtime
from jamono.incidents.models import Change, Declaration, IncidentRef, ListRequest
from jamono.queue.names import NOX_QUEUE, REMIND_QUEUE, Actor
from workers.options import ACTION_JOB, WEEK_MS, is_final_attempt


@dramatiq.actor(actor_name=Actor.INCIDENTS_DECLARE, **ACTION_JOB)
def incidents_declare(payload: dict) -> None:
    from jamono.incidents.flows import declare

    declare(get_runtime(), Declaration.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.INCIDENTS_CHANGE, **ACTION_JOB)
def incidents_change(payload: dict) -> None:
    from jamono.incidents.flows import change

    change(get_runtime(), Change.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.INCIDENTS_JIRA, **ACTION_JOB)
def incidents_jira(payload: dict) -> None:
    from jamono.incidents.flows import sync_jira

    sync_jira(get_runtime(), IncidentRef.model_validate(payload), final_attempt=is_final_attempt())


# A reminder may wait hours in the broker before it is due: max_age counts from its enqueue. Its own
# queue (every `jamono worker` consumes it too), so waiting reminders are no backlog of the answers.
@dramatiq.actor(actor_name=Actor.INCIDENTS_REMIND, **{**ACTION_JOB, "max_age": WEEK_MS, "queue_name": REMIND_QUEUE})
def incidents_remind(payload: dict) -> None:
    from jamono.incidents.flows import remind

    remind(get_runtime(), IncidentRef.model_validate(payload))


@dramatiq.actor(actor_name=Actor.INCIDENTS_LIST, queue_name=NOX_QUEUE, max_retries=2, time_limit=60_000)
def incidents_list(payload: dict) -> None:
    from jamono.incidents.flows import list_open

    list_open(get_runtime(), ListRequest.model_validate(payload))


# --- NOX's incident memory (jamono.memory.flows) -----------------------------------------------


@dramatiq.actor(actor_name=Actor.INCIDENTS_MARK, **ACTION_JOB)
def incidents_mark(payload: dict) -> None:
    from jamono.memory.flows import mark
    from jamono.memory.models import Mark

    mark(get_runtime(), Mark.model_validate(payload))


@dramatiq.actor(actor_name=Actor.INCIDENTS_JOINED, **ACTION_JOB)
def incidents_joined(payload: dict) -> None:
    from jamono.memory.flows import joined
    from jamono.memory.models import Joined

    joined(get_runtime(), Joined.model_validate(payload))


@dramatiq.actor(actor_name=Actor.INCIDENTS_ASK, queue_name=NOX_QUEUE, max_retries=2, time_limit=120_000)
def incidents_ask(payload: dict) -> None:
    from jamono.memory.flows import ask
    from jamono.memory.models import Ask

    ask(get_runtime(), Ask.model_validate(payload))


@dramatiq.actor(actor_name=Actor.INCIDENTS_POSTMORTEM, **ACTION_JOB)
def incidents_postmortem(payload: dict) -> None:
    from jamono.memory.flows import write_postmortem

    write_postmortem(get_runtime(), IncidentRef.model_validate(payload))


@dramatiq.actor(actor_name=Actor.INCIDENTS_ITEM_TICKET, **ACTION_JOB)
def incidents_item_ticket(payload: dict) -> None:
    from jamono.memory.flows import item_ticket
    from jamono.memory.models import ItemTicket

    item_ticket(get_runtime(), ItemTicket.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.INCIDENTS_PUBLISH, **ACTION_JOB)
def incidents_publish(payload: dict) -> None:
    from jamono.memory.flows import publish
    from jamono.memory.models import Publish

    publish(get_runtime(), Publish.model_validate(payload))
