"""What every actor module shares: the broker (set up before any actor is declared) and job options."""

from __future__ import annotations

from typing import Any

from dramatiq.middleware import CurrentMessage

from jamono.container import WorkspaceNotInstalled
from jamono.platform.logs import guard_root_handlers
from jamono.platform.settings import get_settings
from jamono.queue.broker import setup_broker
from jamono.queue.names import ANSWERS_QUEUE, NOX_QUEUE

# Dramatiq's CLI configures each worker process's logging before importing the actor modules: its
# handlers get the filter that keeps job arguments (people's messages) out of failure lines.
guard_root_handlers()
setup_broker()
_settings = get_settings()
MAX_RETRIES = _settings.job_max_retries
MINUTES = 60 * 1000
DAY_MS = 24 * 60 * MINUTES
WEEK_MS = 7 * DAY_MS

# Slack-facing jobs: bounded retries with short backoff (people wait minutes, not days).
SLACK_JOB: dict[str, Any] = {
    "queue_name": NOX_QUEUE,
    "max_retries": MAX_RETRIES,
    "min_backoff": 250,
    "max_backoff": 5_000,
    "time_limit": _settings.job_time_limit_s * 1000,
    # Uninstalled or revoked: no retry can bring the token back.
    "throws": (WorkspaceNotInstalled,),
}
# Answers wait for the LLM when one is configured: their own queue, and the worker's other jobs go
# first among what a process has fetched (lower runs first), so they keep flowing behind dozens
# of answers in flight (bench/llm_concurrency.py).
# The actors name ANSWERS_QUEUE; their jobs go to their workspace's shard of it (queue_of), which
# the broker declares (jamono.queue.broker), so every worker consumes every shard.
ANSWER_PRIORITY = 10
ANSWER_JOB: dict[str, Any] = {**SLACK_JOB, "queue_name": ANSWERS_QUEUE, "priority": ANSWER_PRIORITY}
# Housekeeping must happen even if Slack is slow today: a longer life than Slack-facing answers.
HOUSEKEEPING_JOB: dict[str, Any] = {**SLACK_JOB, "max_retries": 10, "max_backoff": 60_000}
# Jira tickets and meetings: longer backoff (a server's Retry-After), a day to get through.
ACTION_JOB: dict[str, Any] = {
    "queue_name": NOX_QUEUE,
    "max_retries": MAX_RETRIES,
    "min_backoff": 500,
    "max_backoff": 60_000,
    "time_limit": _settings.job_time_limit_s * 1000,
    "max_age": DAY_MS,
}


def is_final_attempt() -> bool:
    """The last try: flows tell the thread what failed instead of raising for another retry."""
    message = CurrentMessage.get_current_message()
    retries = message.options.get("retries", 0) if message else 0
    return retries >= MAX_RETRIES
