import re

from slack_bolt.async_app import AsyncApp

from jamono.actions.modals import INCIDENT_CALLBACK, MEETING_CALLBACK
from jamono.home.ids import CALLBACK_PATTERN
from jamono.incidents.views import UPDATE_CALLBACK
from jamono.kb.views import KB_ADD_CALLBACK
from listeners.actions.incident import handle_update_submission
from listeners.home.handlers import handle_settings_submission
from listeners.views.actions import handle_incident_submission, handle_meeting_submission
from listeners.views.kb_add import handle_kb_add


def register(app: AsyncApp) -> None:
    app.view_submission(KB_ADD_CALLBACK)(handle_kb_add)
    app.view_submission(MEETING_CALLBACK)(handle_meeting_submission)
    app.view_submission(INCIDENT_CALLBACK)(handle_incident_submission)
    app.view_submission(UPDATE_CALLBACK)(handle_update_submission)
    app.view_submission(re.compile(CALLBACK_PATTERN))(handle_settings_submission)
