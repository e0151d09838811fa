"""Stopping on SIGTERM as on Ctrl-C.
Why and how: docs/design/platform.md."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
BURST_S = 5.0  # a group signal and the supervisor's forwards arrive within milliseconds of each other


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def sigterm_as_ctrl_c() -> None:
    """SIGTERM raises KeyboardInterrupt in the main thread, as SIGINT does."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)


@contextmanager
def signals_ignored() -> Iterator[None]:
    """While stopping: a second Ctrl-C or SIGTERM must not cut the stop of PostgreSQL in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def stop_signals(loop: asyncio.AbstractEventLoop) -> asyncio.Event:
    """An event the loop sets on SIGINT or SIGTERM; more signals change nothing."""
    stop = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    return stop


def stopping(loop: asyncio.AbstractEventLoop) -> None:
    """Once stopping, a later signal changes nothing. It must not reach the loop either: closing
    the loop closes its wakeup fd before it removes its handlers, and a signal in between prints
    a traceback ("Exception ignored when trying to write to the signal wakeup fd")."""
    for sig in STOP_SIGNALS:
        loop.remove_signal_handler(sig)
        signal.signal(sig, signal.SIG_IGN)


def one_stop_per_burst(
    handler: Callable[[int, FrameType | None], Any], burst_s: float = BURST_S
) -> Callable[[int, FrameType | None], Any]:
    """`handler` on the first signal; the same signal again within `burst_s` is that stop delivered
    twice (the process group's, then the supervisor's forward) and is dropped; later ones pass."""
    first: float | None = None

    def on_signal(signum: int, frame: FrameType | None) -> Any:
        nonlocal first
        now = time.monotonic()
        if first is not None and now - first < burst_s:
            log.debug("%s again within %.0f s: the same stop", signal.Signals(signum).name, burst_s)
            return None
        if first is None:
            first = now
        return handler(signum, frame)

    return on_signal
