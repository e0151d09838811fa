"""Sentry for the web process and the workers, when SENTRY_DSN is set.
Why and how: docs/design/observability.md."""

from __future__ import annotations

import logging
import re
from typing import Any

from jamono.platform.logs import is_secret_key, scrub
from jamono.platform.settings import Settings

log = logging.getLogger(__name__)

REDACTED = "[REDACTED]"
# Keys whose values are what people wrote in Slack (event, job payload, Block Kit): never sent.
_SLACK_TEXT_KEYS = frozenset(
    {
        "text",
        "blocks",
        "attachments",
        "message",
        "messages",
        "response",
        "query",
        "previous_message",
        "files",
        "rich_text",
        "thread_context",
        "texts",
    }
)
# Sentry's own fields that share a name with Slack's (the log message): kept, strings scrubbed.
_EVENT_TOP_LEVEL_KEEP = frozenset({"message", "logentry"})
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# pydantic's ValidationError repeats the rejected input (a job payload, so Slack text) in its message.
_PYDANTIC_INPUT = re.compile(r"input_value=.*?, input_type=", re.DOTALL)


def scrub_value(value: Any, key: str | None = None, *, depth: int = 0) -> Any:
    if key is not None and (is_secret_key(key) or key.lower() in _SLACK_TEXT_KEYS):
        return REDACTED
    if depth > 30:
        return REDACTED
    if isinstance(value, str):
        return _EMAIL.sub("[EMAIL]", _PYDANTIC_INPUT.sub("input_value=[REDACTED], input_type=", scrub(value)))
    if isinstance(value, dict):
        return {k: scrub_value(v, str(k), depth=depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_value(v, depth=depth + 1) for v in value]
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sentry's before_send: the event with Slack text, secrets and emails taken out."""
    cleaned: dict[str, Any] = {}
    for key, value in event.items():
        if key in _EVENT_TOP_LEVEL_KEEP:  # the log message or captured message: ours, scrubbed
            cleaned[key] = (
                {k: scrub_value(v) for k, v in value.items()} if isinstance(value, dict) else scrub_value(value)
            )
        else:
            cleaned[key] = scrub_value(value, key)
    return cleaned


def scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    return {k: scrub_value(v) if k == "message" else scrub_value(v, k) for k, v in crumb.items()}


def tag_ids(request_id: str | None, job_id: str | None) -> None:
    """Put the correlation ids on the current Sentry scope (a job's), when Sentry is on."""
    import sentry_sdk

    if sentry_sdk.get_client().is_active():
        if request_id:
            sentry_sdk.set_tag("request_id", request_id)
        if job_id:
            sentry_sdk.set_tag("job_id", job_id)


def init_sentry(settings: Settings) -> bool:
    """Start Sentry once per process when SENTRY_DSN is set; returns whether it is on."""
    if settings.sentry_dsn is None:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.aiohttp import AioHttpIntegration
    from sentry_sdk.integrations.dramatiq import DramatiqIntegration
    from sentry_sdk.integrations.logging import ignore_logger

    if sentry_sdk.get_client().is_active():
        return True
    # Dramatiq logs a failed job with its arguments (Slack text); the integration reports the
    # exception itself, without them once scrubbed.
    ignore_logger("dramatiq.worker.WorkerThread")
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.sentry_environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=settings.sentry_traces_sample_rate,
        # sentry_sdk types events as its Event TypedDict; scrub_event takes and returns any dict.
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
        before_breadcrumb=scrub_breadcrumb,
        integrations=[DramatiqIntegration(), AioHttpIntegration()],
    )
    log.info("sentry on")
    return True
