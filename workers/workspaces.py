"""Dramatiq actors for a workspace's life: install welcome, uninstall, revocations, joins, channels."""

from __future__ import annotations

import dramatiq

from jamono.container import get_runtime
from jamono.fairness.scheduler import later_for_fairness
from jamono.queue.names import Actor
from workers.options import ANSWER_JOB, HOUSEKEEPING_JOB, MINUTES, SLACK_JOB, is_final_attempt


@dramatiq.actor(actor_name=Actor.WELCOME_INSTALLATION, max_age=24 * 60 * MINUTES, **HOUSEKEEPING_JOB)
def welcome_installation(payload: dict) -> None:
    from jamono.workspaces.onboarding import InstallJob
    from jamono.workspaces.onboarding import welcome_installation as run

    run(get_runtime(), InstallJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.WORKSPACE_UNINSTALLED, max_age=7 * 24 * 60 * MINUTES, **HOUSEKEEPING_JOB)
def workspace_uninstalled(payload: dict) -> None:
    from jamono.queue.models import TeamJob
    from jamono.workspaces.onboarding import uninstall

    uninstall(get_runtime(), TeamJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.TOKENS_REVOKED, max_age=7 * 24 * 60 * MINUTES, **HOUSEKEEPING_JOB)
def tokens_revoked(payload: dict) -> None:
    from jamono.workspaces.onboarding import TokensRevokedJob
    from jamono.workspaces.onboarding import tokens_revoked as run

    run(get_runtime(), TokensRevokedJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.WELCOME_MEMBER, max_age=24 * 60 * MINUTES, **SLACK_JOB)
def welcome_member(payload: dict) -> None:
    from jamono.workspaces.onboarding import MemberJoinedJob
    from jamono.workspaces.onboarding import welcome_member as run

    run(get_runtime(), MemberJoinedJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.CHANNEL_CREATED, max_age=60 * MINUTES, **SLACK_JOB)
def channel_created(payload: dict) -> None:
    from jamono.workspaces.onboarding import ChannelCreatedJob
    from jamono.workspaces.onboarding import channel_created as run

    run(get_runtime(), ChannelCreatedJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.SET_CHANNEL_WATCH, max_age=60 * MINUTES, **SLACK_JOB)
def set_channel_watch(payload: dict) -> None:
    from jamono.workspaces.onboarding import WatchChannelJob
    from jamono.workspaces.onboarding import set_channel_watch as run

    run(get_runtime(), WatchChannelJob.model_validate(payload))


@dramatiq.actor(actor_name=Actor.WATCHED_MESSAGE, max_age=30 * MINUTES, **ANSWER_JOB)
def watched_message(payload: dict) -> None:
    from jamono.slack.payloads import MessageJob
    from jamono.workspaces.onboarding import answer_if_incident

    if later_for_fairness(get_runtime(), payload):
        return
    answer_if_incident(get_runtime(), MessageJob.model_validate(payload), final_attempt=is_final_attempt())
