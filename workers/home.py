"""Actors for the App Home: publish the tab, fill and save the settings modals."""

from __future__ import annotations

import dramatiq

from jamono.container import get_runtime
from jamono.queue.names import Actor
from workers.options import MINUTES, SLACK_JOB


@dramatiq.actor(actor_name=Actor.PUBLISH_HOME, max_age=10 * MINUTES, **SLACK_JOB)
def publish_home(payload: dict) -> None:
    from jamono.home.flows import run_publish_home

    run_publish_home(get_runtime(), payload)


@dramatiq.actor(actor_name=Actor.FILL_SETTINGS_MODAL, max_age=2 * MINUTES, **SLACK_JOB)
def fill_settings_modal(payload: dict) -> None:
    from jamono.home.flows import run_fill_settings_modal

    run_fill_settings_modal(get_runtime(), payload)


@dramatiq.actor(actor_name=Actor.SAVE_SETTINGS, max_age=24 * 60 * MINUTES, **SLACK_JOB)
def save_settings(payload: dict) -> None:
    from jamono.home.flows import run_save_settings
    from jamono.workspaces.credentials import credential_store

    runtime = get_runtime()
    run_save_settings(runtime, payload, store=credential_store(runtime.settings))
