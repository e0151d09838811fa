"""Identifiers shaped like Slack's: message timestamps, object ids, trigger and event ids."""

from __future__ import annotations

import secrets
import string
import threading
import time

_ALNUM = string.ascii_uppercase + string.digits


class TsClock:
    """Hands out message timestamps ("1732450000.000100"): unique and strictly increasing.

    Slack's ts is wall-clock seconds with a 6-digit fraction; apps sort and
    compare them as strings, so they must keep that exact shape.
    """

    def __init__(self, step_us: int = 100) -> None:
        self._lock = threading.Lock()
        self._last_us = 0
        self._step_us = step_us

    def next(self) -> str:
        with self._lock:
            now_us = int(time.time() * 1_000_000)
            self._last_us = max(now_us, self._last_us + self._step_us)
            return format_ts(self._last_us)


def format_ts(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def new_id(prefix: str, length: int = 10) -> str:
    """An upper-case alphanumeric id like Slack's (V0A1B2C3D4, F0..., Ev...)."""
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


def new_trigger_id() -> str:
    """A trigger id in Slack's dotted form: "13345224609.738474920.8088930838d88f008e0"."""
    return f"{secrets.randbelow(10**11):011d}.{secrets.randbelow(10**9):09d}.{secrets.token_hex(16)}"


def new_event_id() -> str:
    return new_id("Ev", 10)


def new_view_hash() -> str:
    return f"{time.time():.6f}.{secrets.token_hex(4)}"
