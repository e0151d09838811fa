"""Every queue and actor name in one registry: the web enqueues by name, workers declare by name."""

from __future__ import annotations

import zlib
from enum import StrEnum

NOX_QUEUE = "nox"
# Jobs that answer people (and wait for the LLM when one is configured) have queues of their
# own: a worker fetches from all, so its other jobs are never stuck behind queued answers.
ANSWERS_QUEUE = "nox_answers"
# Answers are sharded by workspace (a stable hash of its team id): a worker runs one consumer per
# queue, each holding at most 2 × threads jobs it fetched, so a tenant flooding its shard fills only
# that shard's share of the threads' work queue and another tenant's next answer is fetched (and
# runs) after a handful of the flood's, not after all of it. Tenants that share a shard share its
# turn (1 in ANSWER_SHARDS for two given tenants). The web process and every worker must agree on
# this number: changing it strands jobs on shards no worker reads until all run the new release.
# Jobs without a workspace (and those queued by an older release) stay on ANSWERS_QUEUE itself.
ANSWER_SHARDS = 8
ANSWER_QUEUES = (ANSWERS_QUEUE, *(f"{ANSWERS_QUEUE}.{k}" for k in range(ANSWER_SHARDS)))
QUEUES = (NOX_QUEUE, *ANSWER_QUEUES)
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


def answers_queue(team_id: str | None) -> str:
    """The answers queue of a workspace's shard (crc32: the same in every process and release)."""
    if not team_id:
        return ANSWERS_QUEUE
    return f"{ANSWERS_QUEUE}.{zlib.crc32(team_id.encode()) % ANSWER_SHARDS}"


def queue_family(queue_name: str) -> str:
    """A queue's name for metrics: the answers' shards count as one (their labels stay few)."""
    return ANSWERS_QUEUE if queue_name.startswith(ANSWERS_QUEUE + ".") else queue_name


def queue_of(actor_name: str, team_id: str | None = None) -> str:
    """The queue an actor's jobs go to (answers have their own, one shard per workspace)."""
    return answers_queue(team_id) if actor_name in ANSWER_ACTORS else NOX_QUEUE
