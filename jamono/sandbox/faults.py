"""Planned failures and delays per Web API method, so tests can prove the app survives them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ANY_METHOD = "*"


@dataclass
class Fault:
    """How one upcoming call fails: an HTTP status, Slack's error code and maybe Retry-After."""

    error: str
    status: int
    retry_after: int | None
    remaining: int  # calls still to fail; negative means forever

    def response(self) -> tuple[int, dict[str, Any], dict[str, str]]:
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return self.status, {"ok": False, "error": self.error}, headers


class FaultPlan:
    """Queued faults and latencies. Lock held by the caller."""

    def __init__(self) -> None:
        self._faults: dict[str, list[Fault]] = {}
        self._latency: dict[str, float] = {}

    def fail_next(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Queue `count` failures (negative: until cleared).

        A rate limit always comes as Slack sends it: HTTP 429 with Retry-After
        (default 1 s). A 5xx with the default error says internal_error. Any other
        error is Slack's usual HTTP 200 with ok:false.
        """
        if status is None:
            status = 429 if error == "ratelimited" or retry_after is not None else 200
        if status == 429:
            error = "ratelimited"
            retry_after = 1 if retry_after is None else retry_after
        elif status >= 500 and error == "ratelimited":
            error = "internal_error"
        self._faults.setdefault(method, []).append(Fault(error, status, retry_after, count))

    def take(self, method: str) -> Fault | None:
        for key in (method, ANY_METHOD):
            queue = self._faults.get(key)
            if queue:
                fault = queue[0]
                if fault.remaining > 0:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        queue.pop(0)
                return fault
        return None

    def set_latency(self, method: str, seconds: float) -> None:
        if seconds <= 0:
            self._latency.pop(method, None)
        else:
            self._latency[method] = seconds

    def latency(self, method: str) -> float:
        return self._latency.get(method, self._latency.get(ANY_METHOD, 0.0))

    def clear(self) -> None:
        self._faults.clear()
        self._latency.clear()
