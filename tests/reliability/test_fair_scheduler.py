"""The per-tenant turn of answering jobs, on a real Redis and a real Dramatiq Redis broker.

A tenant within its burst goes at once; beyond it, each job is put back on Dramatiq's delay queue
for the slot it booked (same message id, retries and enqueue time), once; another tenant's job
meanwhile goes at once; a tenant allowed more than the workers can do holds only its answers
shard. The end-to-end figure (one tenant's 2,000 mentions vs another's answers)
is bench/fair_share.py's."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import dramatiq
import pytest
import redis
from dramatiq.brokers.redis import RedisBroker

from jamono.fairness.plans import PlanQuota, quota_for
from jamono.fairness.scheduler import BOOKED, HORIZON_MS, OVERFLOW, TenantBuckets, take_turn
from jamono.platform.settings import load_settings
from jamono.queue.names import ANSWERS_QUEUE, QUEUES, answers_queue

QUOTA = PlanQuota(answers_per_day=0, llm_tokens_per_day=0, answers_per_s=2.0, burst=3)


def _team() -> str:
    return "T" + uuid.uuid4().hex[:9].upper()


@pytest.fixture
def client(redis_url: str):
    c = redis.Redis.from_url(redis_url)
    yield c
    c.close()


def test_a_tenant_gets_its_burst_then_its_rate_and_others_are_not_slowed(client) -> None:
    buckets = TenantBuckets(client)
    flooder, other = _team(), _team()
    waits = [buckets.book(flooder, None, QUOTA) for _ in range(6)]
    assert waits[:3] == [0, 0, 0]
    # then one slot every 500 ms (a little less: Redis's clock moved between the calls)
    assert [round(w / 100) for w in waits[3:]] == [5, 10, 15]
    assert buckets.book(other, None, QUOTA) == 0


@pytest.fixture
def broker(client):
    namespace = "jamono-fair-" + uuid.uuid4().hex[:6]
    b = RedisBroker(client=client, namespace=namespace)
    b.declare_queue("nox")
    yield b
    for key in client.scan_iter(f"{namespace}:*"):
        client.delete(key)


def _delayed(client, broker) -> list[dict]:
    return [json.loads(raw) for raw in client.hvals(f"{broker.namespace}:nox.DQ.msgs")]


def test_a_job_over_its_share_goes_back_once_for_its_turn(client, broker) -> None:
    buckets = TenantBuckets(client)
    team = _team()
    jobs = [
        dramatiq.Message(
            queue_name="nox",
            actor_name="handle_message",
            args=({"team_id": "T1", "text": f"q{i}"},),
            kwargs={},
            options={"retries": 1},
        )
        for i in range(5)
    ]
    turns = [take_turn(job, buckets, team, None, QUOTA, broker) for job in jobs]
    assert turns == ["now", "now", "now", "later", "later"]
    delayed = sorted(_delayed(client, broker), key=lambda m: m["options"]["eta"])
    assert [m["message_id"] for m in delayed] == [jobs[3].message_id, jobs[4].message_id]
    assert all(m["options"]["retries"] == 1 and m["options"][BOOKED] > 0 for m in delayed)
    assert [m["message_timestamp"] for m in delayed] == [jobs[3].message_timestamp, jobs[4].message_timestamp]
    # Back from the delay queue, a booked job runs: it is never deferred twice.
    back = jobs[3].copy(options={BOOKED: delayed[0]["options"][BOOKED]})
    assert take_turn(back, buckets, team, None, QUOTA, broker) == "now"
    assert len(_delayed(client, broker)) == 2


def test_no_turn_within_the_horizon_is_refused_and_not_booked(client, broker) -> None:
    """A job whose turn would come after its max_age is refused (with a notice) instead of expiring."""
    buckets = TenantBuckets(client)
    team = _team()
    slow = QUOTA.model_copy(update={"answers_per_s": 1000 / (HORIZON_MS / 2), "burst": 1})  # 2 turns per horizon
    waits = [buckets.book(team, None, slow) for _ in range(4)]
    assert [round(w / 1000) for w in waits[:3]] == [0, HORIZON_MS // 2000, HORIZON_MS // 1000]
    assert waits[3] == OVERFLOW
    assert buckets.book(team, None, slow) == OVERFLOW, "a refusal books nothing"
    job = dramatiq.Message(queue_name="nox", actor_name="handle_message", args=({},), kwargs={}, options={})
    assert take_turn(job, buckets, team, None, slow, broker) == "refused"
    assert take_turn(job.copy(options={BOOKED: OVERFLOW}), buckets, _team(), None, QUOTA, broker) == "refused"


async def test_the_web_process_queues_a_flood_beyond_its_share_on_the_delay_queue(client, broker) -> None:
    """Booked as they are enqueued: the flood's surplus never sits in the queue ahead of others."""
    from jamono.fairness.scheduler import TurnBooker
    from jamono.queue.client import DramatiqJobQueue

    jobs = DramatiqJobQueue(broker, turns=TurnBooker(broker, QUOTA))
    flooder, other = _team(), _team()
    for i in range(6):
        await jobs.enqueue_async("handle_message", {"team_id": flooder, "text": f"q{i}"})
    await jobs.enqueue_async("handle_message", {"team_id": other, "text": "mine"})
    await jobs.enqueue_async("publish_home", {"team_id": flooder})  # not an answer: never delayed
    # answers have their own queues, a shard per workspace (jamono.queue.names); the App Home's job stays on "nox"
    ns = broker.namespace
    ready = [json.loads(raw) for queue in QUEUES for raw in client.hvals(f"{ns}:{queue}.msgs")]
    delayed = [json.loads(raw) for raw in client.hvals(f"{ns}:{answers_queue(flooder)}.DQ.msgs")]
    assert sorted(m["args"][0]["text"] for m in ready if "text" in m["args"][0]) == ["mine", "q0", "q1", "q2"]
    assert {m["queue_name"] for m in ready if m["actor_name"] == "handle_message"} == {
        answers_queue(flooder),
        answers_queue(other),
    }
    assert sorted(m["args"][0]["text"] for m in delayed) == ["q3", "q4", "q5"]
    assert all(m["options"][BOOKED] > 0 and m["options"]["eta"] > 0 for m in delayed)
    assert client.llen(f"{ns}:{answers_queue(flooder)}.DQ") == 3
    booked_now = [m for m in ready if m["args"][0].get("team_id") == flooder and "text" in m["args"][0]]
    assert [m["options"][BOOKED] for m in booked_now] == [0, 0, 0], "booked once: the worker won't book again"

    # A worker stored this workspace's real plan (burst 1): the web process follows it.
    TenantBuckets(client).book(other, None, QUOTA.model_copy(update={"burst": 1}))
    await jobs.enqueue_async("answer_command", {"team_id": other, "text": "again"})
    again = [json.loads(raw) for raw in client.hvals(f"{ns}:{answers_queue(other)}.DQ.msgs")]
    assert "again" in [m["args"][0]["text"] for m in again]


def test_plans_and_the_operator_set_the_rates_and_budgets() -> None:
    settings = load_settings(_env_file=None, JAMONO_FAIR_RATE_SCALE=0.5, JAMONO_DAILY_BUDGETS="team=10:0")
    assert (
        quota_for("free", settings).answers_per_s == quota_for("free", load_settings(_env_file=None)).answers_per_s / 2
    )
    team = quota_for("team", settings)
    assert (team.answers_per_day, team.llm_tokens_per_day) == (10, 0)
    assert quota_for("unknown-plan", settings).answers_per_day == quota_for("free", settings).answers_per_day


async def test_a_flood_within_its_rate_but_beyond_the_workers_holds_back_no_other_tenant(client) -> None:
    """A tenant whose plan allows more answers a second than the workers can give (a paying tenant,
    a small fleet) floods: another tenant's answer queued after the flood runs after a handful of it
    (the worker fetches a few jobs per answers shard), not after all of it."""
    from jamono.fairness.scheduler import TurnBooker
    from jamono.queue.broker import declare_answer_queues
    from jamono.queue.client import DramatiqJobQueue
    from jamono.queue.names import Actor

    broker = declare_answer_queues(RedisBroker(client=client, namespace="jamono-flood-" + uuid.uuid4().hex[:6]))
    done: list[str] = []

    @dramatiq.actor(actor_name=Actor.HANDLE_MESSAGE, broker=broker, queue_name=ANSWERS_QUEUE, priority=10)
    def handle_message(payload: dict) -> None:  # an answer's work: 10 ms of a thread
        time.sleep(0.01)
        done.append(payload["team_id"])

    flooder, other = "T0FLOODA", "T0QUIETB"
    assert answers_queue(flooder) != answers_queue(other), "two tenants on different shards"
    unlimited = QUOTA.model_copy(update={"answers_per_s": 100_000.0, "burst": 100_000})
    jobs = DramatiqJobQueue(broker, turns=TurnBooker(broker, unlimited))
    flood = 200
    for i in range(flood):
        await jobs.enqueue_async(Actor.HANDLE_MESSAGE, {"team_id": flooder, "text": f"q{i}"})
    await jobs.enqueue_async(Actor.HANDLE_MESSAGE, {"team_id": other, "text": "mine"})
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while other not in done and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        worker.stop()
        for key in client.scan_iter(f"{broker.namespace}:*"):
            client.delete(key)
    assert other in done
    assert done.index(other) < flood // 10, f"the other tenant's answer ran after {done.index(other)} of the flood"
