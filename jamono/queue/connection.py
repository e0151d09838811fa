"""A connection to the broker, without our middleware: what the worker's broker and its metrics share."""

from __future__ import annotations

import dramatiq
import redis
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker

from jamono.observability.sentry import init_sentry
from jamono.platform.settings import Settings, require_broker_url


def connect(settings: Settings) -> dramatiq.Broker:
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
    return broker
