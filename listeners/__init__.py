"""Slack listeners, one package per surface; each exposes `register(app)`."""

from slack_bolt.async_app import AsyncApp

from listeners import actions, commands, errors, events, shortcuts, views


def register_listeners(app: AsyncApp) -> None:
    errors.register(app)
    events.register(app)
    actions.register(app)
    commands.register(app)
    views.register(app)
    shortcuts.register(app)
