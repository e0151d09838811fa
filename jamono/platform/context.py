"""Correlation ids: one request id follows an event from the listener to the job, the worker and
every Slack Web API call it makes; the job id names the Dramatiq message.
Why and how: docs/design/platform.md."""

from __future__ import annotations

import logging
import uuid
from contextvars import ContextVar, Token


class Scope:
    """What the current request or job is: its ids and, on the web, its Slack type and whether it
    queued a job (the difference between the "queued" and "ignored" outcomes)."""

    __slots__ = ("request_id", "job_id", "event_type", "queued")

    def __init__(self, request_id: str | None = None, job_id: str | None = None) -> None:
        self.request_id = request_id
        self.job_id = job_id
        self.event_type = "other"
        self.queued = False


_SCOPE: ContextVar[Scope | None] = ContextVar("jamono_scope", default=None)


def new_request_id() -> str:
    """For requests that carry no Slack event_id (commands, interactivity)."""
    return "req-" + uuid.uuid4().hex[:16]


def current() -> Scope | None:
    return _SCOPE.get()


def begin(scope: Scope) -> Token[Scope | None]:
    return _SCOPE.set(scope)


def end(token: Token[Scope | None]) -> None:
    _SCOPE.reset(token)


def request_id() -> str | None:
    scope = _SCOPE.get()
    return scope.request_id if scope is not None else None


def job_options() -> dict[str, str]:
    """Message options for a job queued now (the current request id), noting that a job was queued."""
    scope = _SCOPE.get()
    if scope is None:
        return {}
    scope.queued = True
    return {} if scope.request_id is None else {"request_id": scope.request_id}


class ContextFilter(logging.Filter):
    """Stamps every record with the current request and job ids (all loggers, slack_sdk's included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        scope = _SCOPE.get()
        if scope is not None:
            if scope.request_id is not None:
                record.request_id = scope.request_id
            if scope.job_id is not None:
                record.job_id = scope.job_id
        return True
