from slack_bolt.async_app import AsyncApp

from listeners.events.app_mention import handle_app_mention
from listeners.events.incident import handle_member_joined_channel, handle_reaction_added
from listeners.events.message import handle_message
from listeners.events.workspace import (
    handle_app_uninstalled,
    handle_channel_created,
    handle_team_join,
    handle_tokens_revoked,
)
from listeners.home.handlers import handle_app_home_opened


def register(app: AsyncApp) -> None:
    app.event("app_mention")(handle_app_mention)
    # Bolt has no `message.im` event name: register `message` and keep DMs in the listener.
    app.event("message")(handle_message)
    app.event("app_home_opened")(handle_app_home_opened)
    app.event("app_uninstalled")(handle_app_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
    app.event("team_join")(handle_team_join)
    app.event("channel_created")(handle_channel_created)
    app.event("reaction_added")(handle_reaction_added)
    app.event("member_joined_channel")(handle_member_joined_channel)
