"""The worker's broker: new jobs picked up within IDLE_POLL_MS, whatever Dramatiq's worker timeout."""

from __future__ import annotations

import threading
import time

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from jamono.queue.connection import IDLE_POLL_MS, connect


def test_an_idle_queue_is_polled_every_idle_poll_ms_with_a_long_worker_timeout(base_settings) -> None:
    broker = connect(base_settings)
    assert isinstance(broker, RedisBroker)
    queue = f"poll-{time.monotonic_ns()}"
    seen = threading.Event()

    @dramatiq.actor(broker=broker, queue_name=queue, actor_name=f"{queue}-job")
    def job() -> None:
        seen.set()

    # The worker timeout that `jamono worker` sets (idle worker threads' wake-ups), far above the poll.
    worker = dramatiq.Worker(broker, queues={queue}, worker_threads=1, worker_timeout=2000)
    worker.start()
    try:
        assert all(c.consumer.timeout == IDLE_POLL_MS for c in worker.consumers.values())
        time.sleep(1.0)  # the queue's consumer has backed off to its longest sleep
        started = time.monotonic()
        job.send()
        assert seen.wait(5)
        assert time.monotonic() - started < 1.0  # Dramatiq's own cap would be 1-2 s here
    finally:
        worker.stop()
        broker.close()
