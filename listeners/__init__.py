"""Slack listeners, one package per surface; each exposes `register(app)`."""

from slack_bolt.async_app import AsyncApp

from listeners import actions, events


def register_listeners(app: AsyncApp) -> None:
    events.register(app)
    actions.register(app)
