import re

from slack_bolt.async_app import AsyncApp

from jamono.actions.messages import RETRY_ACTION
from jamono.home.ids import EDIT_ACTION_PATTERN
from jamono.workspaces.onboarding_text import IGNORE_ACTION, WATCH_ACTION
from listeners.actions.channel_watch import handle_channel_watch
from listeners.actions.feedback import handle_feedback
from listeners.actions.incident import (
    ack_update,
    handle_card,
    handle_declare,
    handle_item_ticket,
    handle_publish_lesson,
    open_update_modal,
)
from listeners.actions.proposal import ack_schedule, handle_proposal, handle_retry, open_schedule_modal
from listeners.home.handlers import ack_home_edit, open_settings_loading


def register(app: AsyncApp) -> None:
    app.action("feedback_up")(handle_feedback)
    app.action("feedback_down")(handle_feedback)
    app.action(WATCH_ACTION)(handle_channel_watch)
    app.action(IGNORE_ACTION)(handle_channel_watch)
    for action_id in ("propose_ticket", "propose_dismiss"):
        app.action(action_id)(handle_proposal)
    # Schedule opens its modal after the ack (lazy; a lost one costs a click); the submission is queued.
    app.action("propose_meeting")(ack=ack_schedule, lazy=[open_schedule_modal])
    app.action(RETRY_ACTION)(handle_retry)
    # Incidents: Declare on a triage reply; the card's status buttons and selects; Post update (a modal).
    app.action("propose_incident")(handle_declare)
    app.action(re.compile(r"^incident_status:(investigating|identified|monitoring|resolved)$"))(handle_card)
    app.action("incident_severity")(handle_card)
    app.action("incident_lead")(handle_card)
    app.action("incident_pm_ticket")(handle_item_ticket)
    app.action("incident_publish_lesson")(handle_publish_lesson)
    app.action("incident_update")(ack=ack_update, lazy=[open_update_modal])
    # The settings modal opens after the ack (lazy); a worker fills it in with views.update.
    app.action(re.compile(EDIT_ACTION_PATTERN))(ack=ack_home_edit, lazy=[open_settings_loading])
