"""Named crash points for tests of exactly-once behaviour (e.g. a worker dying right after the
external system created the ticket, before NOX recorded it). Disarmed, a point costs a dict lookup."""

from __future__ import annotations

import threading

_armed: dict[str, int] = {}
_lock = threading.Lock()


class InjectedCrash(RuntimeError):
    """Raised at an armed failpoint; stands for a worker crash."""


def arm(name: str, times: int = 1) -> None:
    with _lock:
        _armed[name] = times


def disarm_all() -> None:
    with _lock:
        _armed.clear()


def hit(name: str) -> None:
    with _lock:
        left = _armed.get(name, 0)
        if left <= 0:
            return
        _armed[name] = left - 1
    raise InjectedCrash(f"injected crash at {name}")
