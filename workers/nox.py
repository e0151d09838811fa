"""Dramatiq actors for NOX. Thin: validate the job, hand it to jamono.answering."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.middleware import CurrentMessage

from jamono.answering import answer_message
from jamono.event_log import EventBusy
from jamono.jobs import HANDLE_MESSAGE, NOX_QUEUE
from jamono.runtime import get_runtime
from jamono.settings import get_settings
from jamono.slack.payloads import FeedbackJob, MessageJob
from workers.broker import setup_broker

log = logging.getLogger(__name__)

setup_broker()
_settings = get_settings()
MAX_RETRIES = _settings.job_max_retries


def _is_final_attempt() -> bool:
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message else 0
    return retries >= MAX_RETRIES


@dramatiq.actor(
    actor_name=HANDLE_MESSAGE,
    queue_name=NOX_QUEUE,
    max_retries=MAX_RETRIES,
    min_backoff=250,
    max_backoff=5_000,
    time_limit=_settings.job_time_limit_s * 1000,
    max_age=30 * 60 * 1000,  # an answer older than 30 minutes helps nobody
)
def handle_message(payload: dict) -> None:
    job = MessageJob.model_validate(payload)
    try:
        answer_message(get_runtime(), job, final_attempt=_is_final_attempt())
    except EventBusy:
        log.info("event is being handled by another worker; will check again", extra={"event_id": job.event_id})
        raise


@dramatiq.actor(actor_name="record_feedback", queue_name=NOX_QUEUE, max_retries=MAX_RETRIES, min_backoff=250,
                max_backoff=5_000, max_age=24 * 3600 * 1000)
def record_feedback(payload: dict) -> None:
    from jamono.feedback import handle_feedback

    handle_feedback(get_runtime(), FeedbackJob.model_validate(payload))
