"""A connection to the broker, without our middleware: what the worker's broker and its metrics share."""

from __future__ import annotations

import dramatiq
import redis
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import dq_name

from jamono.observability.sentry import init_sentry
from jamono.platform.settings import Settings, require_broker_url

# An idle queue's consumer polls Redis with a backoff capped by this: at most this long before a new
# job is picked up (Dramatiq caps it with the worker timeout instead, 1000 ms by default).
IDLE_POLL_MS = 50
# A delay queue (retries, deferred jobs) holds jobs due in a second or more: polled less often.
DELAY_POLL_MS = 250


class _QuickPoll:
    """Caps a broker's consumer wait at IDLE_POLL_MS, whatever Dramatiq's worker timeout.

    Dramatiq uses one timeout for this and for its worker threads' idle wake-ups; a short one for
    both woke 128 idle threads 20 times a second each, a sixth of a worker's CPU
    (bench/llm_concurrency.py). The worker timeout is now long (jamono worker), the poll short.
    Delay queues, one beside each queue (half the polling consumers), wait DELAY_POLL_MS.
    """

    def consume(self, queue_name: str, prefetch: int = 1, timeout: int = 5000) -> dramatiq.Consumer:
        poll = DELAY_POLL_MS if dq_name(queue_name) == queue_name else IDLE_POLL_MS
        return super().consume(queue_name, prefetch=prefetch, timeout=min(timeout, poll))  # type: ignore[misc]


class QuickPollRedisBroker(_QuickPoll, RedisBroker):
    """Dramatiq's Redis broker, its consumers polling idle queues every IDLE_POLL_MS at most."""


class QuickPollRabbitmqBroker(_QuickPoll, RabbitmqBroker):
    """RabbitMQ pushes jobs; its consumers still wake every IDLE_POLL_MS to send finished jobs' acks."""


def connect(settings: Settings) -> dramatiq.Broker:
    init_sentry(settings)  # first: Sentry's Dramatiq integration hooks brokers as they are created
    if settings.rabbitmq_url:
        # Publisher confirms: send() returns only once RabbitMQ has the message (nothing lost).
        broker: dramatiq.Broker = QuickPollRabbitmqBroker(url=settings.rabbitmq_url, confirm_delivery=True)
    else:
        require_broker_url(settings)
        assert settings.redis_url is not None  # no RabbitMQ, so require_broker_url saw a Redis URL
        client = redis.Redis.from_url(
            settings.redis_url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
        )
        # A killed worker's unacked jobs are requeued by Dramatiq's maintenance once its heartbeat is
        # older than heartbeat_timeout (both tunable: tests make them short).
        broker = QuickPollRedisBroker(
            client=client,
            namespace="jamono",
            heartbeat_timeout=settings.redis_heartbeat_timeout_ms,
            maintenance_chance=settings.redis_maintenance_chance,
        )
    return broker
