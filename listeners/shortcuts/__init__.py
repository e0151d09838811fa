from slack_bolt.async_app import AsyncApp

from listeners.shortcuts.jira_from_message import JIRA_FROM_MESSAGE, handle_jira_from_message
from listeners.shortcuts.kb_save_message import handle_kb_save_message
from listeners.shortcuts.similar_message import FIND_SIMILAR, handle_find_similar
from listeners.shortcuts.timeline_message import ADD_TO_TIMELINE, handle_add_to_timeline


def register(app: AsyncApp) -> None:
    app.shortcut("kb_save_message")(handle_kb_save_message)
    app.shortcut(JIRA_FROM_MESSAGE)(handle_jira_from_message)
    app.shortcut(ADD_TO_TIMELINE)(handle_add_to_timeline)
    app.shortcut(FIND_SIMILAR)(handle_find_similar)
