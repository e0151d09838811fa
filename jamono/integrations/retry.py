"""Bounded retries shared by the plugins: the client libraries' own retries are switched off.
Why and how: docs/design/integrations.md."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from jamono.integrations.base import IntegrationError

log = logging.getLogger(__name__)

T = TypeVar("T")
Classifier = Callable[[Exception], IntegrationError | None]


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    # A server asking for a longer pause than this gets it from the job queue, not a blocked worker.
    max_retry_after_s: float = 30.0

    def backoff_s(self, retry_number: int) -> float:
        """Exponential backoff with jitter, so many workers do not retry in lock-step."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (retry_number - 1))
        return ceiling * random.uniform(0.5, 1.0)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date; anything else is ignored."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def call_with_retries(
    attempt: Callable[[], T],
    *,
    classify: Classifier,
    policy: RetryPolicy,
    what: str,
    idempotent: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `attempt` until it succeeds, fails for good, or the retry budget is spent.

    Exceptions the classifier does not recognise are bugs and propagate untouched. A classified
    failure is re-raised *outside* the `except` block, so the library's exception (which may carry
    request headers with credentials) is not chained onto ours and cannot reach logs or Sentry.
    """
    retry_number = 0
    while True:
        error: IntegrationError | None = None
        try:
            return attempt()
        except IntegrationError as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - classified below, unknown ones re-raised
            error = classify(exc)
            if error is None:
                raise
        retry_number += 1
        give_up = (
            not error.retryable
            or retry_number > policy.max_retries
            or (error.maybe_applied and not idempotent)
            or (error.retry_after_s is not None and error.retry_after_s > policy.max_retry_after_s)
        )
        if give_up:
            log.warning("%s failed: %s (status=%s, attempts=%d)", what, error.reason, error.status, retry_number)
            raise error
        delay = error.retry_after_s if error.retry_after_s is not None else policy.backoff_s(retry_number)
        log.info("%s: %s; retry %d/%d in %.2fs", what, error.reason, retry_number, policy.max_retries, delay)
        sleep(delay)
