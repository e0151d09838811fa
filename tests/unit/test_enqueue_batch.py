"""The web process's batched enqueue against a real Redis: durable before the ack, shared round
trips, Dramatiq's exact format, and failures reported to every waiting request."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid

import dramatiq
import pytest
import redis
from dramatiq.brokers.redis import RedisBroker

from jamono.enqueue_batch import BatchingEnqueuer


def message(i: int, queue: str = "nox") -> dramatiq.Message:
    return dramatiq.Message(queue_name=queue, actor_name="handle_message", args=({"i": i},), kwargs={}, options={})


@pytest.fixture
def broker(redis_url: str):
    client = redis.Redis.from_url(redis_url)
    namespace = "jamono-batch-" + uuid.uuid4().hex[:8]
    yield RedisBroker(client=client, namespace=namespace)
    for key in client.scan_iter(f"{namespace}*"):
        client.delete(key)


async def test_concurrent_enqueues_land_once_each_in_dramatiqs_format(broker):
    enqueuer = BatchingEnqueuer(broker)
    await asyncio.gather(*(enqueuer.enqueue(message(i)) for i in range(200)))
    stored = broker.client.hvals(f"{broker.namespace}:nox.msgs")
    assert sorted(json.loads(raw)["args"][0]["i"] for raw in stored) == list(range(200))
    assert broker.client.llen(f"{broker.namespace}:nox") == 200
    # Dramatiq's own consumer reads them back.
    consumer = broker.consume("nox", prefetch=300, timeout=1000)
    got = [next(consumer) for _ in range(200)]
    assert {m.args[0]["i"] for m in got} == set(range(200))
    consumer.close()


async def test_lost_scripts_are_reloaded_and_nothing_is_duplicated(broker):
    enqueuer = BatchingEnqueuer(broker)
    await enqueuer.enqueue(message(1))
    broker.client.script_flush()
    await asyncio.gather(*(enqueuer.enqueue(message(i)) for i in range(2, 12)))
    assert broker.client.hlen(f"{broker.namespace}:nox.msgs") == 11


async def test_every_waiting_request_sees_the_failure_when_redis_is_down():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = RedisBroker(client=redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1))
    enqueuer = BatchingEnqueuer(dead)
    results = await asyncio.gather(*(enqueuer.enqueue(message(i)) for i in range(5)), return_exceptions=True)
    assert len(results) == 5 and all(isinstance(r, redis.exceptions.ConnectionError) for r in results)
