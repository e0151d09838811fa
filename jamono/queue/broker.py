"""The Dramatiq broker: Redis by default, RabbitMQ when RABBITMQ_URL is set.
Why and how: docs/design/queue.md."""

from __future__ import annotations

from datetime import timedelta

import dramatiq
from dramatiq.middleware import CurrentMessage, Retries

from jamono.platform.settings import Settings, get_settings
from jamono.queue.connection import connect
from jamono.queue.dead_letters import ScrubDeadLetters
from jamono.queue.graceful import OneStopPerBurst
from jamono.queue.housekeeping import Housekeeping
from jamono.queue.job_metrics import JobObservability
from jamono.queue.names import ANSWER_QUEUES

_broker: dramatiq.Broker | None = None


def build_broker(settings: Settings) -> dramatiq.Broker:
    """The process's broker with our middleware (one class per module, in the order they run)."""
    broker = connect(settings)
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(OneStopPerBurst())  # a SIGTERM to the process group stops gracefully
    broker.add_middleware(JobObservability(port=settings.worker_metrics_port))  # metrics, request/job ids
    # Listed before Retries so that its after_* hooks run after Retries' (Dramatiq calls them in
    # reverse): it sees a job's final failure and leaves no text in the dead-letter set.
    broker.add_middleware(ScrubDeadLetters(), before=Retries)
    if settings.housekeeping_interval_min > 0:  # runs in worker processes only (after_worker_boot)
        broker.add_middleware(
            Housekeeping(
                every=timedelta(minutes=settings.housekeeping_interval_min),
                retention=timedelta(days=settings.event_retention_days),
                grace=timedelta(days=settings.uninstall_grace_days),
                # Workers holding the owner's URL keep large tenants' indexes; on a restricted
                # login (APP_DATABASE_URL) that is `jamono kb index`'s job (deploy/k8s CronJob).
                index_owner_url=None if settings.app_database_url else settings.database_url,
            )
        )
    return declare_answer_queues(broker)


def declare_answer_queues(broker: dramatiq.Broker) -> dramatiq.Broker:
    """Every answers shard, so a worker consumes them all (the actors name only the first)."""
    for queue_name in ANSWER_QUEUES:
        broker.declare_queue(queue_name)
    return broker


def setup_broker(settings: Settings | None = None, *, force: bool = False) -> dramatiq.Broker:
    """Install the process's broker (idempotent unless forced)."""
    global _broker
    if _broker is None or force:
        _broker = build_broker(settings or get_settings())
        dramatiq.set_broker(_broker)
    return _broker


def get_broker() -> dramatiq.Broker:
    return setup_broker()
