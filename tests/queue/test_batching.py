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

from jamono.queue.batching import BatchingEnqueuer, redis_message


def message(i: int, queue: str = "nox") -> dramatiq.Message:
    return dramatiq.Message(queue_name=queue, actor_name="handle_message", args=({"i": i},), kwargs={}, options={})


@pytest.fixture
def make_broker(redis_url: str):
    """Brokers on namespaces of their own (client options as given), emptied afterwards."""
    made: list[RedisBroker] = []

    def make(**client_options) -> RedisBroker:
        client = redis.Redis.from_url(redis_url, **client_options)
        made.append(RedisBroker(client=client, namespace="jamono-batch-" + uuid.uuid4().hex[:8]))
        return made[-1]

    yield make
    for broker in made:
        for key in broker.client.scan_iter(f"{broker.namespace}*"):
            broker.client.delete(key)


@pytest.fixture
def broker(make_broker):
    return make_broker()


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


async def test_a_batch_writes_what_dramatiqs_own_enqueue_writes(broker):
    """Same keys, same shapes: a worker cannot tell a batched message from `broker.enqueue`'s."""
    broker.enqueue(message(0))
    own_keys = {key: broker.client.type(key) for key in broker.client.scan_iter(f"{broker.namespace}*")}
    batched = redis_message("nox", "handle_message", ({"i": 1},), {"request_id": "Ev1"})
    await BatchingEnqueuer(broker).enqueue(batched)
    assert {key: broker.client.type(key) for key in broker.client.scan_iter(f"{broker.namespace}*")} == own_keys
    redis_id = batched.options["redis_message_id"]
    assert broker.client.lrange(f"{broker.namespace}:nox", 0, -1)[1].decode() == redis_id  # queued after the first
    assert json.loads(broker.client.hget(f"{broker.namespace}:nox.msgs", redis_id)) == json.loads(batched.encode())
    assert broker.client.zscore(f"{broker.namespace}:__heartbeats__", broker.broker_id) is not None
    consumer = broker.consume("nox", prefetch=2, timeout=1000)
    got = [next(consumer), next(consumer)]
    assert [m.args[0]["i"] for m in got] == [0, 1] and got[1].options["request_id"] == "Ev1"
    consumer.close()


async def test_one_batch_across_queues_lands_in_each(broker):
    enqueuer = BatchingEnqueuer(broker)
    await asyncio.gather(*(enqueuer.enqueue(message(i, "nox" if i % 2 else "actions")) for i in range(10)))
    assert broker.client.llen(f"{broker.namespace}:nox") == 5
    assert broker.client.llen(f"{broker.namespace}:actions") == 5
    assert broker.client.hlen(f"{broker.namespace}:actions.msgs") == 5


async def test_a_connection_the_server_dropped_while_idle_is_reopened(make_broker):
    broker = make_broker(health_check_interval=1)
    client, enqueuer = broker.client, BatchingEnqueuer(broker)
    await enqueuer.enqueue(message(1))
    ours = await enqueuer._redis().call("CLIENT", "ID")
    assert client.execute_command("CLIENT", "KILL", "ID", ours) == 1  # as a server-side idle timeout does
    await asyncio.sleep(1.1)
    await enqueuer.enqueue(message(2))  # pinged, reopened, then queued: the request does not fail
    assert client.hlen(f"{broker.namespace}:nox.msgs") == 2


async def test_a_timed_out_round_trip_fails_its_requests_and_leaves_no_stale_reply(make_broker):
    broker = make_broker(socket_timeout=0.3)
    client, enqueuer = broker.client, BatchingEnqueuer(broker)
    try:
        await enqueuer.enqueue(message(1))
        client.execute_command("CLIENT", "PAUSE", 800, "ALL")
        with pytest.raises(redis.exceptions.TimeoutError):
            await enqueuer.enqueue(message(2))  # its request fails: Slack redelivers it
        await asyncio.sleep(0.8)
        # The late reply went with the dropped connection; this call reads its own.
        await enqueuer.enqueue(message(3))
        ids = {json.loads(raw)["args"][0]["i"] for raw in client.hvals(f"{broker.namespace}:nox.msgs")}
        assert {1, 3} <= ids
    finally:
        client.execute_command("CLIENT", "UNPAUSE")
