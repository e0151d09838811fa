"""The Dramatiq broker: Redis by default, RabbitMQ when RABBITMQ_URL is set.

Built once per process from settings, before any actor module is imported, because Dramatiq
binds actors to the global broker when they are declared.
"""

from __future__ import annotations

from datetime import timedelta

import dramatiq
import redis
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import CurrentMessage

from jamono.housekeeping import Housekeeping
from jamono.observability.sentry import init_sentry
from jamono.observability.worker_metrics import JobObservability
from jamono.settings import Settings, get_settings, require_broker_url
from workers.graceful import OneStopPerBurst

_broker: dramatiq.Broker | None = None


def build_broker(settings: Settings) -> dramatiq.Broker:
    init_sentry(settings)  # first: Sentry's Dramatiq integration hooks brokers as they are created
    if settings.rabbitmq_url:
        # Publisher confirms: send() returns only once RabbitMQ has the message (nothing lost).
        broker: dramatiq.Broker = RabbitmqBroker(url=settings.rabbitmq_url, confirm_delivery=True)
    else:
        require_broker_url(settings)
        assert settings.redis_url is not None  # no RabbitMQ, so require_broker_url saw a Redis URL
        client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
        )
        # A killed worker's unacked jobs are requeued by Dramatiq's maintenance once its heartbeat is
        # older than heartbeat_timeout (both tunable: tests make them short).
        broker = RedisBroker(
            client=client,
            namespace="jamono",
            heartbeat_timeout=settings.redis_heartbeat_timeout_ms,
            maintenance_chance=settings.redis_maintenance_chance,
        )
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(OneStopPerBurst())  # a SIGTERM to the process group stops gracefully
    broker.add_middleware(JobObservability(port=settings.worker_metrics_port))  # metrics, request/job ids
    if settings.housekeeping_interval_min > 0:  # runs in worker processes only (after_worker_boot)
        broker.add_middleware(
            Housekeeping(
                every=timedelta(minutes=settings.housekeeping_interval_min),
                retention=timedelta(days=settings.event_retention_days),
            )
        )
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
