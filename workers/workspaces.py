"""Dramatiq actors for a workspace's life: install welcome, uninstall, revocations, joins, channels."""

from __future__ import annotations

import dramatiq

from jamono.fairness.scheduler import later_for_fairness
from jamono.jobs import SET_FOLLOW_UPS, THREAD_FOLLOW_UP
from jamono.runtime import get_runtime
from workers.nox import _SLACK_JOB, MINUTES, _is_final_attempt

WELCOME_INSTALLATION = "welcome_installation"
WORKSPACE_UNINSTALLED = "workspace_uninstalled"
TOKENS_REVOKED = "tokens_revoked"
WELCOME_MEMBER = "welcome_member"
CHANNEL_CREATED = "channel_created"
SET_CHANNEL_WATCH = "set_channel_watch"
WATCHED_MESSAGE = "watched_message"

# Housekeeping must happen even if Slack is slow today: a longer life than Slack-facing answers.
_HOUSEKEEPING = {**_SLACK_JOB, "max_retries": 10, "max_backoff": 60_000}


@dramatiq.actor(actor_name=WELCOME_INSTALLATION, max_age=24 * 60 * MINUTES, **_HOUSEKEEPING)
def welcome_installation(payload: dict) -> None:
    from jamono.onboarding import InstallJob
    from jamono.onboarding import welcome_installation as run

    run(get_runtime(), InstallJob.model_validate(payload))


@dramatiq.actor(actor_name=WORKSPACE_UNINSTALLED, max_age=7 * 24 * 60 * MINUTES, **_HOUSEKEEPING)
def workspace_uninstalled(payload: dict) -> None:
    from jamono.onboarding import TeamRef, uninstall

    uninstall(get_runtime(), TeamRef.model_validate(payload))


@dramatiq.actor(actor_name=TOKENS_REVOKED, max_age=7 * 24 * 60 * MINUTES, **_HOUSEKEEPING)
def tokens_revoked(payload: dict) -> None:
    from jamono.onboarding import TokensRevokedJob
    from jamono.onboarding import tokens_revoked as run

    run(get_runtime(), TokensRevokedJob.model_validate(payload))


@dramatiq.actor(actor_name=WELCOME_MEMBER, max_age=24 * 60 * MINUTES, **_SLACK_JOB)
def welcome_member(payload: dict) -> None:
    from jamono.onboarding import MemberJoinedJob
    from jamono.onboarding import welcome_member as run

    run(get_runtime(), MemberJoinedJob.model_validate(payload))


@dramatiq.actor(actor_name=CHANNEL_CREATED, max_age=60 * MINUTES, **_SLACK_JOB)
def channel_created(payload: dict) -> None:
    from jamono.onboarding import ChannelCreatedJob
    from jamono.onboarding import channel_created as run

    run(get_runtime(), ChannelCreatedJob.model_validate(payload))


@dramatiq.actor(actor_name=SET_CHANNEL_WATCH, max_age=60 * MINUTES, **_SLACK_JOB)
def set_channel_watch(payload: dict) -> None:
    from jamono.onboarding import WatchChannelJob
    from jamono.onboarding import set_channel_watch as run

    run(get_runtime(), WatchChannelJob.model_validate(payload))


@dramatiq.actor(actor_name=WATCHED_MESSAGE, max_age=30 * MINUTES, **_SLACK_JOB)
def watched_message(payload: dict) -> None:
    from jamono.onboarding import answer_if_incident
    from jamono.slack.payloads import MessageJob

    if later_for_fairness(get_runtime(), payload):
        return
    answer_if_incident(get_runtime(), MessageJob.model_validate(payload), final_attempt=_is_final_attempt())


@dramatiq.actor(actor_name=THREAD_FOLLOW_UP, max_age=30 * MINUTES, **_SLACK_JOB)
def thread_follow_up(payload: dict) -> None:
    from jamono.follow_ups import answer_follow_up
    from jamono.slack.payloads import MessageJob

    if later_for_fairness(get_runtime(), payload):
        return
    answer_follow_up(get_runtime(), MessageJob.model_validate(payload), final_attempt=_is_final_attempt())


@dramatiq.actor(actor_name=SET_FOLLOW_UPS, max_age=60 * MINUTES, **_SLACK_JOB)
def set_follow_ups(payload: dict) -> None:
    from jamono.follow_ups import set_follow_ups as run
    from jamono.slack.payloads import CommandJob

    run(get_runtime(), CommandJob.model_validate(payload), bool(payload.get("enabled")))


@dramatiq.actor(actor_name="nox_status", max_age=10 * MINUTES, **{**_SLACK_JOB, "max_retries": 1})
def nox_status(payload: dict) -> None:
    from jamono.slack.payloads import CommandJob
    from jamono.status import report_status

    report_status(get_runtime(), CommandJob.model_validate(payload), queued_at=payload.get("queued_at"))
