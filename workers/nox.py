"""Dramatiq actors for NOX. Thin: validate the job, hand it to the business logic in jamono/."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import CurrentMessage

from jamono.fairness.scheduler import later_for_fairness
from jamono.home.jobs import FILL_SETTINGS_MODAL, PUBLISH_HOME, SAVE_SETTINGS
from jamono.jobs import HANDLE_MESSAGE, NOX_QUEUE
from jamono.logs import guard_root_handlers
from jamono.runtime import WorkspaceNotInstalled, get_runtime
from jamono.settings import get_settings
from jamono.slack.payloads import CommandJob, FeedbackJob, KbSaveJob, MessageJob, ProposalJob
from workers.broker import setup_broker

log = logging.getLogger(__name__)

# Dramatiq's CLI configures each worker process's logging before importing this module: its
# handlers get the filter that keeps job arguments (people's messages) out of failure lines.
guard_root_handlers()
setup_broker()
_settings = get_settings()
MAX_RETRIES = _settings.job_max_retries
MINUTES = 60 * 1000

# Slack-facing jobs: bounded retries with short backoff (people wait minutes, not days).
_SLACK_JOB = {
    "queue_name": NOX_QUEUE,
    "max_retries": MAX_RETRIES,
    "min_backoff": 250,
    "max_backoff": 5_000,
    "time_limit": _settings.job_time_limit_s * 1000,
    # Uninstalled or revoked: no retry can bring the token back.
    "throws": (WorkspaceNotInstalled,),
}


def _is_final_attempt() -> bool:
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message else 0
    return retries >= MAX_RETRIES


@dramatiq.actor(actor_name=HANDLE_MESSAGE, max_age=30 * MINUTES, **_SLACK_JOB)
def handle_message(payload: dict) -> None:
    from jamono.answering import answer_message

    if later_for_fairness(get_runtime(), payload):
        return
    answer_message(get_runtime(), MessageJob.model_validate(payload), final_attempt=_is_final_attempt())


@dramatiq.actor(actor_name="answer_command", max_age=30 * MINUTES, **_SLACK_JOB)
def answer_command(payload: dict) -> None:
    from jamono.answering import answer_command as answer

    if later_for_fairness(get_runtime(), payload):
        return
    answer(get_runtime(), CommandJob.model_validate(payload))


@dramatiq.actor(actor_name="record_feedback", max_age=24 * 60 * MINUTES, **_SLACK_JOB)
def record_feedback(payload: dict) -> None:
    from jamono.feedback import handle_feedback

    handle_feedback(get_runtime(), FeedbackJob.model_validate(payload))


@dramatiq.actor(actor_name="record_proposal", max_age=24 * 60 * MINUTES, **_SLACK_JOB)
def record_proposal(payload: dict) -> None:
    from jamono.feedback import handle_proposal

    handle_proposal(get_runtime(), ProposalJob.model_validate(payload))


@dramatiq.actor(actor_name="kb_search", max_age=30 * MINUTES, **_SLACK_JOB)
def kb_search(payload: dict) -> None:
    from jamono.kb_slack import search_and_respond

    if later_for_fairness(get_runtime(), payload):
        return
    search_and_respond(get_runtime(), CommandJob.model_validate(payload))


@dramatiq.actor(actor_name="kb_save", max_age=24 * 60 * MINUTES, **_SLACK_JOB)
def kb_save(payload: dict) -> None:
    from jamono.kb_slack import save_document

    save_document(get_runtime(), KbSaveJob.model_validate(payload))


@dramatiq.actor(actor_name=PUBLISH_HOME, max_age=10 * MINUTES, **_SLACK_JOB)
def publish_home(payload: dict) -> None:
    from jamono.home.service import run_publish_home

    run_publish_home(get_runtime(), payload)


@dramatiq.actor(actor_name=FILL_SETTINGS_MODAL, max_age=2 * MINUTES, **_SLACK_JOB)
def fill_settings_modal(payload: dict) -> None:
    from jamono.home.service import run_fill_settings_modal

    run_fill_settings_modal(get_runtime(), payload)


@dramatiq.actor(actor_name=SAVE_SETTINGS, max_age=24 * 60 * MINUTES, **_SLACK_JOB)
def save_settings(payload: dict) -> None:
    from jamono.credentials import credential_store
    from jamono.home.service import run_save_settings

    runtime = get_runtime()
    run_save_settings(runtime, payload, store=credential_store(runtime.settings))


import workers.actions  # noqa: E402,F401 - declares the action actors on the same broker
import workers.incidents  # noqa: E402,F401 - and the incident actors
import workers.workspaces  # noqa: E402,F401 — a workspace's lifecycle actors, on the same broker
