"""The worker's broker: new jobs picked up within IDLE_POLL_MS, whatever Dramatiq's worker timeout;
delayed ones (delay queues) polled every DELAY_POLL_MS."""

from __future__ import annotations

import threading
import time

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from jamono.queue.connection import DELAY_POLL_MS, IDLE_POLL_MS, connect


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
        assert {c.consumer.timeout for name, c in worker.consumers.items() if not name.endswith(".DQ")} == {
            IDLE_POLL_MS
        }
        time.sleep(1.0)  # the queue's consumer has backed off to its longest sleep
        started = time.monotonic()
        job.send()
        assert seen.wait(5)
        assert time.monotonic() - started < 1.0  # Dramatiq's own cap would be 1-2 s here
    finally:
        worker.stop()
        broker.close()


def test_a_delayed_job_runs_on_time_with_its_delay_queue_polled_less_often(base_settings) -> None:
    broker = connect(base_settings)
    queue = f"delay-{time.monotonic_ns()}"
    ran_at: list[float] = []

    @dramatiq.actor(broker=broker, queue_name=queue, actor_name=f"{queue}-job")
    def job() -> None:
        ran_at.append(time.monotonic())

    worker = dramatiq.Worker(broker, queues={queue}, worker_threads=1, worker_timeout=500)
    worker.start()
    try:
        assert worker.consumers[f"{queue}.DQ"].consumer.timeout == DELAY_POLL_MS
        time.sleep(1.0)  # both consumers idle, at their longest sleeps
        sent = time.monotonic()
        job.send_with_options(delay=500)
        deadline = sent + 5
        while not ran_at and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ran_at, "the delayed job never ran"
        assert 0.5 <= ran_at[0] - sent < 0.5 + 2 * DELAY_POLL_MS / 1000 + 0.3
    finally:
        worker.stop()
        broker.close()
