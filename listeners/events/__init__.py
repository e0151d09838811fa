from slack_bolt.async_app import AsyncApp

from jamono.home.slack_handlers import handle_app_home_opened
from listeners.events.app_mention import handle_app_mention
from listeners.events.message import handle_message


def register(app: AsyncApp) -> None:
    app.event("app_mention")(handle_app_mention)
    # Bolt has no `message.im` event name: register `message` and keep DMs in the listener.
    app.event("message")(handle_message)
    app.event("app_home_opened")(handle_app_home_opened)
