from slack_bolt.async_app import AsyncApp

from listeners.actions.feedback import handle_feedback


def register(app: AsyncApp) -> None:
    app.action("feedback_up")(handle_feedback)
    app.action("feedback_down")(handle_feedback)
