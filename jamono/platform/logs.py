"""Structured logs: one JSON object per line, with tokens and secrets scrubbed on the way out."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import TYPE_CHECKING, Any, TypeGuard

from jamono.platform.context import ContextFilter

if TYPE_CHECKING:
    from dramatiq import Message
    from dramatiq.broker import MessageProxy

_SECRET_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"xox[abposre]-[A-Za-z0-9-]+"), "[REDACTED]"),  # Slack tokens
    (re.compile(r"xapp-[A-Za-z0-9-]+"), "[REDACTED]"),  # Slack app-level tokens
    (re.compile(r"sk-[A-Za-z0-9_-]{16,}"), "[REDACTED]"),  # OpenAI-style keys
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1[REDACTED]"),
    (
        re.compile(r"(?i)((?:password|passwd|secret|token|api_key|apikey)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"),
        r"\1[REDACTED]",
    ),
    (re.compile(r"(://)[^:/@\s]+:[^@/\s]+@"), r"\1[REDACTED]@"),  # credentials in URLs
    # OAuth's `code` (an authorization code: a token for whoever redeems it first) and `state` in
    # query strings: URLs in log lines, Sentry's request.query_string ("code=…&state=…").
    (re.compile(r"(?i)((?:^|[?&;\s\"'])(?:code|state)=)[^&;\s\"'#]+"), r"\1[REDACTED]"),
    (re.compile(r"(hooks\.slack\.com/)[A-Za-z0-9/_-]+"), r"\1[REDACTED]"),  # webhook and response_url paths
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"), "[REDACTED]"),  # GitHub tokens
    (re.compile(r"\bATATT[A-Za-z0-9_=-]{20,}"), "[REDACTED]"),  # Atlassian API tokens
    (re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"), "[REDACTED]"),  # Google API keys
    (re.compile(r"\bya29\.[0-9A-Za-z_.-]+"), "[REDACTED]"),  # Google OAuth access tokens
    (re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+"), "[REDACTED]"),  # JWTs
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"), "[REDACTED]"),
]
_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


def scrub(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: "[REDACTED]" if is_secret_key(k) else _scrub_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_value(v) for v in value]
    return value


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(
        word in lowered
        for word in (
            "token",
            "secret",
            "password",
            "api_key",
            "authorization",
            "signature",
            "cookie",
            "credential",
            "private_key",
            "dsn",
        )
    )


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return scrub(json.dumps(_scrub_value(entry), default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ids = "".join(f" {k}={getattr(record, k)}" for k in ("request_id", "job_id") if hasattr(record, k))
        return scrub(super().format(record) + ids)


def _is_job(value: Any) -> TypeGuard[Message | MessageProxy]:
    """A Dramatiq Message, or the MessageProxy its worker threads log (not a Message subclass)."""
    from dramatiq import Message
    from dramatiq.broker import MessageProxy

    return isinstance(value, Message | MessageProxy)


class JobArgumentsFilter(logging.Filter):
    """Dramatiq logs a job as `actor(args…)` (failures, retries, skips): its arguments carry what
    people wrote in Slack. Log lines name the job by actor and message id instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and any(_is_job(a) for a in args):
            record.args = tuple(f"{a.actor_name}[{a.message_id}]" if _is_job(a) else a for a in args)
        return True


def guard_root_handlers() -> None:
    """Put the job-arguments filter on every root handler, whoever installed it (Dramatiq's CLI
    sets up its worker processes' logging itself when LOG_FORMAT=text)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, JobArgumentsFilter) for f in handler.filters):
            handler.addFilter(JobArgumentsFilter())


def setup_logging(level: str = "INFO", fmt: str = "json", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())  # request_id / job_id on every line, whichever library logs it
    handler.addFilter(JobArgumentsFilter())
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiohttp.access", "urllib3", "pika", "pgserver"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
