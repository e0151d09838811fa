"""A SIGTERM to a `jamono worker` process group stops its Dramatiq processes gracefully.

The group signal reaches every worker process, and Dramatiq's supervisor forwards one more
SIGTERM to each of them; Dramatiq takes a second SIGTERM as "kill now" (exit 1, jobs in flight
left to the broker's redelivery). This middleware, in each worker process, makes a burst of
SIGTERMs one stop: Dramatiq's own shutdown then lets running jobs finish, hands prefetched ones
back to the queue and exits 0.
"""

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
