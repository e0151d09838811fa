"""A job that exhausts its retries rests in Dramatiq's dead-letter set for days: on the real Redis
broker, nothing anybody wrote survives there, and erasure removes the person's failed jobs."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import dramatiq
import pytest
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Retries

from jamono.queue.dead_letters import ScrubDeadLetters, purge_dead_letters, scrub

SECRET = "the root password is hunter2"


@pytest.fixture
def namespace() -> str:
    return "deadtest" + uuid.uuid4().hex[:8]


def _everything(client: Any, namespace: str) -> bytes:
    """Every byte Redis holds under the broker's namespace."""
    out = []
    for key in client.scan_iter(match=f"{namespace}:*"):
        kind = client.type(key).decode()
        if kind == "hash":
            out += [k + b"=" + v for k, v in client.hgetall(key).items()]
        elif kind == "list":
            out += client.lrange(key, 0, -1)
        elif kind in ("set",):
            out += list(client.smembers(key))
        elif kind == "zset":
            out += client.zrange(key, 0, -1)
        elif kind == "string":
            out.append(client.get(key) or b"")
    return b"\n".join(out)


def _dead_letter(redis_url: str, namespace: str, payloads: list[dict], *, scrubbing: bool = True) -> Any:
    client: Any = redis.Redis.from_url(redis_url)
    broker = RedisBroker(client=client, namespace=namespace)
    if scrubbing:
        broker.add_middleware(ScrubDeadLetters(), before=Retries)  # as build_broker does

    @dramatiq.actor(
        broker=broker, queue_name="nox", actor_name="handle_message", max_retries=1, min_backoff=10, max_backoff=20
    )
    def handle_message(payload: dict) -> None:
        raise ValueError(f"could not answer {payload.get('text')!r}")

    for payload in payloads:
        handle_message.send(payload)
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while client.zcard(f"{namespace}:nox.XQ") < len(payloads) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # after_nack runs right after the nack that filled the set
    finally:
        worker.stop()
    assert client.zcard(f"{namespace}:nox.XQ") == len(payloads)
    return client


def _job(team: str, user: str, text: str = SECRET) -> dict:
    return {
        "team_id": team,
        "user": user,
        "channel": "C0OPS",
        "ts": "1700000000.000100",
        "event_id": "Ev" + uuid.uuid4().hex[:8],
        "text": text,
        "files": [{"name": "passwords.txt", "id": "F01"}],
        "response_url": "https://hooks.slack.com/commands/T1/secret",
    }


def test_a_job_that_exhausts_its_retries_leaves_no_text_in_redis(redis_url, namespace):
    client = _dead_letter(redis_url, namespace, [_job("T0DEAD", "U0ADA")])
    stored = _everything(client, namespace)
    assert b"hunter2" not in stored and b"passwords.txt" not in stored and b"hooks.slack.com" not in stored
    [(redis_id, body)] = client.hgetall(f"{namespace}:nox.XQ.msgs").items()
    dead = json.loads(body)
    # What an operator needs to see why it failed stays.
    assert dead["actor_name"] == "handle_message" and dead["options"]["failure"] == "ValueError"
    assert dead["options"]["redis_message_id"] == redis_id.decode() and dead["message_id"]
    payload = dead["args"][0]
    assert (payload["team_id"], payload["user"], payload["channel"], payload["text"]) == (
        "T0DEAD",
        "U0ADA",
        "C0OPS",
        "",
    )
    assert "traceback" not in dead["options"]


def test_without_the_middleware_dramatiq_keeps_the_text(redis_url, namespace):
    """The hole this closes: Dramatiq's own dead letter holds the message and its traceback."""
    client = _dead_letter(redis_url, namespace, [_job("T0DEAD", "U0ADA")], scrubbing=False)
    assert b"hunter2" in _everything(client, namespace)


def test_erasure_removes_the_persons_dead_lettered_jobs_only(redis_url, namespace):
    jobs = [_job("T0ONE", "U0GONE"), _job("T0ONE", "U0STAY"), _job("T0TWO", "U0GONE"), _job("T0ONE", "U0GONE")]
    client = _dead_letter(redis_url, namespace, jobs)
    assert purge_dead_letters(client, "T0ONE", "U0GONE", namespace=namespace) == 2
    left = [json.loads(b)["args"][0] for b in client.hvals(f"{namespace}:nox.XQ.msgs")]
    assert sorted((p["team_id"], p["user"]) for p in left) == [("T0ONE", "U0STAY"), ("T0TWO", "U0GONE")]
    assert client.zcard(f"{namespace}:nox.XQ") == 2
    assert purge_dead_letters(client, "T0ONE", namespace=namespace) == 1  # a purged workspace: all of it


def test_scrub_keeps_ids_and_numbers_and_blanks_every_text():
    assert scrub({"team_id": "T1", "text": "hi", "n": 3, "ok": True, "blocks": [{"text": "x"}], "ids": ["a"]}) == {
        "team_id": "T1",
        "text": "",
        "n": 3,
        "ok": True,
        "blocks": [],
        "ids": [],
    }


def test_the_process_broker_scrubs_after_retries_decide(base_settings):
    from jamono.queue.broker import build_broker

    broker = build_broker(base_settings.model_copy(update={"housekeeping_interval_min": 0}))
    kinds = [type(m) for m in broker.middleware]
    assert kinds.index(ScrubDeadLetters) < kinds.index(Retries)  # after_* hooks run in reverse


def _rabbit_or_skip() -> str:
    import socket

    url = "amqp://guest:guest@127.0.0.1:5672/%2F"
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=0.5).close()
    except OSError:
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    return url


def test_on_rabbitmq_the_dead_letter_queue_gets_a_scrubbed_copy():
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    url = _rabbit_or_skip()
    queue = "deadtest" + uuid.uuid4().hex[:8]
    broker = RabbitmqBroker(url=url, confirm_delivery=True)
    broker.add_middleware(ScrubDeadLetters(), before=Retries)

    @dramatiq.actor(broker=broker, queue_name=queue, actor_name="rabbit_fails", max_retries=0)
    def rabbit_fails(payload: dict) -> None:
        raise ValueError(payload["text"])

    rabbit_fails.send(_job("T0RAB", "U0ADA"))
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        deadline, body = time.monotonic() + 20, None
        while body is None and time.monotonic() < deadline:
            time.sleep(0.1)
            _, _, body = broker.channel.basic_get(f"{queue}.XQ", auto_ack=True)
            if body is not None:
                time.sleep(0.3)  # Dramatiq's own nack would land right after ours
                _, _, second = broker.channel.basic_get(f"{queue}.XQ", auto_ack=True)
                assert second is None  # the original was acknowledged, not dead-lettered
    finally:
        worker.stop()
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            broker.channel.queue_delete(name)
        broker.close()
    assert body is not None and b"hunter2" not in body
    dead = json.loads(body)
    assert dead["args"][0]["user"] == "U0ADA" and dead["options"]["failure"] == "ValueError"


def test_housekeeping_scrubs_dead_letters_that_failed_before_the_middleware(redis_url, namespace):
    from datetime import timedelta

    from jamono.queue.dead_letters import scrub_dead_letters
    from jamono.queue.housekeeping import Housekeeping

    client = _dead_letter(redis_url, namespace, [_job("T0OLD", "U0ADA")], scrubbing=False)
    assert b"hunter2" in _everything(client, namespace)
    keeper = Housekeeping(every=timedelta(hours=1), retention=timedelta(days=1))
    keeper._broker = RedisBroker(client=client, namespace=namespace)  # as after_worker_boot leaves it
    assert keeper._scrub_dead_letters() == 1
    assert b"hunter2" not in _everything(client, namespace)
    [body] = client.hvals(f"{namespace}:nox.XQ.msgs")
    assert json.loads(body)["args"][0]["user"] == "U0ADA"
    assert scrub_dead_letters(client, namespace) == 0  # once is enough
