"""Actors for what people ask NOX: messages, /nox commands, votes, the knowledge base from Slack."""

from __future__ import annotations

import dramatiq

from jamono.container import get_runtime
from jamono.fairness.scheduler import later_for_fairness
from jamono.queue.names import Actor
from jamono.slack.payloads import CommandJob, FeedbackJob, KbSaveJob, MessageJob
from workers.options import ANSWER_JOB, MINUTES, SLACK_JOB, is_final_attempt


@dramatiq.actor(actor_name=Actor.HANDLE_MESSAGE, max_age=30 * MINUTES, **ANSWER_JOB)
def handle_message(payload: dict) -> None:
    from jamono.conversation.answering import answer_message

    if later_for_fairness(get_runtime(), payload):  # its workspace's turn comes later
        return
    answer_message(get_runtime(), MessageJob.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.ANSWER_COMMAND, max_age=30 * MINUTES, **ANSWER_JOB)
def answer_command(payload: dict) -> None:
    from jamono.conversation.answering import answer_command as answer

    if later_for_fairness(get_runtime(), payload):  # its workspace's turn comes later
        return
    answer(get_runtime(), CommandJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.RECORD_FEEDBACK, max_age=24 * 60 * MINUTES, **SLACK_JOB)
def record_feedback(payload: dict) -> None:
    from jamono.conversation.votes import handle_feedback

    handle_feedback(get_runtime(), FeedbackJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.THREAD_FOLLOW_UP, max_age=30 * MINUTES, **ANSWER_JOB)
def thread_follow_up(payload: dict) -> None:
    from jamono.conversation.follow_ups import answer_follow_up

    if later_for_fairness(get_runtime(), payload):  # its workspace's turn comes later
        return
    answer_follow_up(get_runtime(), MessageJob.model_validate(payload), final_attempt=is_final_attempt())


@dramatiq.actor(actor_name=Actor.SET_FOLLOW_UPS, max_age=60 * MINUTES, **SLACK_JOB)
def set_follow_ups(payload: dict) -> None:
    from jamono.conversation.follow_ups import set_follow_ups as run

    run(get_runtime(), CommandJob.model_validate(payload), bool(payload.get("enabled")))


@dramatiq.actor(actor_name=Actor.NOX_STATUS, max_age=10 * MINUTES, **{**SLACK_JOB, "max_retries": 1})
def nox_status(payload: dict) -> None:
    from jamono.conversation.status import report_status

    report_status(get_runtime(), CommandJob.model_validate(payload), queued_at=payload.get("queued_at"))


@dramatiq.actor(actor_name=Actor.KB_SEARCH, max_age=30 * MINUTES, **SLACK_JOB)
def kb_search(payload: dict) -> None:
    from jamono.kb.flows import search_and_respond

    if later_for_fairness(get_runtime(), payload):  # its workspace's turn comes later
        return
    search_and_respond(get_runtime(), CommandJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.KB_REMOVE, max_age=30 * MINUTES, **SLACK_JOB)
def kb_remove(payload: dict) -> None:
    from jamono.kb.removal import remove_from_slack

    remove_from_slack(get_runtime(), CommandJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.KB_SAVE, max_age=24 * 60 * MINUTES, **SLACK_JOB)
def kb_save(payload: dict) -> None:
    from jamono.kb.flows import save_document

    save_document(get_runtime(), KbSaveJob.model_validate(payload))
