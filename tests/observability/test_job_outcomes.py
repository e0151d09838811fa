"""Job outcomes per actor through a real broker and in-process worker: success, retry, and
failed (dead-lettered), with durations and the request id bound while the job runs."""

from __future__ import annotations

import time
import uuid

import dramatiq
import redis
from prometheus_client import REGISTRY

from jamono.platform import context
from jamono.platform.settings import load_settings
from tests.observability.env import redis_db_url

OUTCOMES_REDIS_DB = 11


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_success_retry_and_dead_letter_are_counted_per_actor(admin_database_url: str, redis_url: str):
    from jamono.queue.broker import build_broker

    settings = load_settings(
        database_url=admin_database_url,
        redis_url=redis_db_url(redis_url, OUTCOMES_REDIS_DB),
        worker_metrics_port=0,
        _env_file=None,
        JAMONO_HOUSEKEEPING_INTERVAL_MIN=0,
    )  # upkeep: tested on its own
    redis.Redis.from_url(settings.redis_url).flushdb()
    broker = build_broker(settings)
    suffix = uuid.uuid4().hex[:6]
    seen: list[tuple[str | None, str | None]] = []

    def fine(payload: dict) -> None:
        scope = context.current()
        seen.append((scope.request_id, scope.job_id) if scope else (None, None))

    def flaky(payload: dict) -> None:
        raise RuntimeError("always fails")

    ok = dramatiq.actor(fine, broker=broker, actor_name=f"obs_fine_{suffix}", queue_name="obs-outcomes")
    bad = dramatiq.actor(
        flaky,
        broker=broker,
        actor_name=f"obs_flaky_{suffix}",
        queue_name="obs-outcomes",
        max_retries=1,
        min_backoff=10,
        max_backoff=20,
    )
    worker = dramatiq.Worker(broker, queues={"obs-outcomes", "obs-outcomes.DQ"}, worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        token = context.begin(context.Scope("Ev0OUTCOMES"))
        try:  # as a listener would: the request id rides in the message options
            sent = broker.enqueue(
                dramatiq.Message(
                    queue_name="obs-outcomes",
                    actor_name=ok.actor_name,
                    args=({},),
                    kwargs={},
                    options=context.job_options(),
                )
            )
        finally:
            context.end(token)
        bad.send({})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (
            seen and _sample("jamono_jobs_total", queue="obs-outcomes", actor=bad.actor_name, outcome="failed")
        ):
            time.sleep(0.05)
    finally:
        worker.stop()
        broker.close()
    assert seen == [("Ev0OUTCOMES", sent.message_id)]
    assert _sample("jamono_jobs_total", queue="obs-outcomes", actor=ok.actor_name, outcome="success") == 1
    assert _sample("jamono_jobs_total", queue="obs-outcomes", actor=bad.actor_name, outcome="retry") == 1
    assert _sample("jamono_jobs_total", queue="obs-outcomes", actor=bad.actor_name, outcome="failed") == 1
    assert _sample("jamono_jobs_total", queue="obs-outcomes", actor=bad.actor_name, outcome="success") == 0
    assert _sample("jamono_job_duration_seconds_count", queue="obs-outcomes", actor=bad.actor_name) == 2
    assert _sample("jamono_jobs_in_progress", queue="obs-outcomes", actor=bad.actor_name) == 0
