"""Every queue and actor name in one registry: the web enqueues by name, workers declare by name."""

from __future__ import annotations

from enum import StrEnum

NOX_QUEUE = "nox"
# Jobs that answer people (and wait for the LLM when one is configured) have a queue of their
# own: a worker fetches from both, so its other jobs are never stuck behind queued answers.
ANSWERS_QUEUE = "nox_answers"
QUEUES = (NOX_QUEUE, ANSWERS_QUEUE)
REMIND_QUEUE = "incident_reminders"


class Actor(StrEnum):
    # conversation
    HANDLE_MESSAGE = "handle_message"
    ANSWER_COMMAND = "answer_command"
    RECORD_FEEDBACK = "record_feedback"
    THREAD_FOLLOW_UP = "thread_follow_up"
    SET_FOLLOW_UPS = "set_follow_ups"
    NOX_STATUS = "nox_status"
    # knowledge base
    KB_SEARCH = "kb_search"
    KB_SAVE = "kb_save"
    KB_REMOVE = "kb_remove"
    # App Home
    PUBLISH_HOME = "publish_home"
    FILL_SETTINGS_MODAL = "fill_settings_modal"
    SAVE_SETTINGS = "save_settings"
    # a workspace's life
    WELCOME_INSTALLATION = "welcome_installation"
    WORKSPACE_UNINSTALLED = "workspace_uninstalled"
    TOKENS_REVOKED = "tokens_revoked"
    WELCOME_MEMBER = "welcome_member"
    CHANNEL_CREATED = "channel_created"
    SET_CHANNEL_WATCH = "set_channel_watch"
    WATCHED_MESSAGE = "watched_message"
    # actions (Jira tickets, meetings)
    ACTIONS_PROPOSAL = "actions_proposal"
    ACTIONS_MEETING = "actions_meeting"
    ACTIONS_INCIDENT = "actions_incident"
    ACTIONS_FROM_MESSAGE = "actions_from_message"
    ACTIONS_RETRY = "actions_retry"
    # incidents
    INCIDENTS_DECLARE = "incidents_declare"
    INCIDENTS_CHANGE = "incidents_change"
    INCIDENTS_JIRA = "incidents_jira"
    INCIDENTS_REMIND = "incidents_remind"
    INCIDENTS_LIST = "incidents_list"
    # incident memory (timeline, catch-up, postmortem, similar)
    INCIDENTS_MARK = "incidents_mark"
    INCIDENTS_JOINED = "incidents_joined"
    INCIDENTS_ASK = "incidents_ask"
    INCIDENTS_POSTMORTEM = "incidents_postmortem"
    INCIDENTS_ITEM_TICKET = "incidents_item_ticket"
    INCIDENTS_PUBLISH = "incidents_publish"


ANSWER_ACTORS = frozenset({Actor.HANDLE_MESSAGE, Actor.ANSWER_COMMAND, Actor.THREAD_FOLLOW_UP, Actor.WATCHED_MESSAGE})


def queue_of(actor_name: str) -> str:
    """The queue an actor's jobs go to (answers have their own)."""
    return ANSWERS_QUEUE if actor_name in ANSWER_ACTORS else NOX_QUEUE
