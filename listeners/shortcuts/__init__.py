from slack_bolt.async_app import AsyncApp

from listeners.shortcuts.kb_save_message import handle_kb_save_message


def register(app: AsyncApp) -> None:
    app.shortcut("kb_save_message")(handle_kb_save_message)
