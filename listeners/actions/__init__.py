import re

from slack_bolt.async_app import AsyncApp

from jamono.home.ids import EDIT_ACTION_PATTERN
from jamono.home.slack_handlers import ack_home_edit, open_settings_loading
from listeners.actions.feedback import handle_feedback
from listeners.actions.proposal import handle_proposal


def register(app: AsyncApp) -> None:
    app.action("feedback_up")(handle_feedback)
    app.action("feedback_down")(handle_feedback)
    for action_id in ("propose_ticket", "propose_meeting", "propose_dismiss"):
        app.action(action_id)(handle_proposal)
    # The settings modal opens after the ack (lazy); a worker fills it in with views.update.
    app.action(re.compile(EDIT_ACTION_PATTERN))(ack=ack_home_edit, lazy=[open_settings_loading])
