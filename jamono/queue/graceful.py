"""A SIGTERM to a `jamono worker` process group stops its Dramatiq processes gracefully.
Why and how: docs/design/queue.md."""

from __future__ import annotations

import signal
import threading

import dramatiq
from dramatiq.middleware import Middleware

from jamono.platform.shutdown import BURST_S, one_stop_per_burst


class OneStopPerBurst(Middleware):
    def __init__(self, burst_s: float = BURST_S) -> None:
        self.burst_s = burst_s

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        # Emitted by Dramatiq's CLI in the worker process's main thread, after it set its handler.
        if threading.current_thread() is not threading.main_thread():
            return
        dramatiq_handler = signal.getsignal(signal.SIGTERM)
        if callable(dramatiq_handler):
            signal.signal(signal.SIGTERM, one_stop_per_burst(dramatiq_handler, self.burst_s))
