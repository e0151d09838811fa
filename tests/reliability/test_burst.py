"""A burst of distinct signed events, as fast as this machine sends them, through the real path:
every one acked within Slack's 3 s, every one answered exactly once, none lost (rows in
agent_interactions and slack_events, and replies in the sandbox). A tenth are also redelivered
by "Slack" (same event_id, X-Slack-Retry-Num) while the burst is being worked through.

The same with RabbitMQ as the broker runs where a local RabbitMQ answers (skipped elsewhere).
The full 10,000-event run with Redis and RabbitMQ, with throughput and latency figures, is
`bench/burst.py`; this is the same path at a size that fits the test suite."""

from __future__ import annotations

import time
import uuid
from collections import Counter

from tests.reliability import rig
from tests.reliability.rig import open_web

N_EVENTS = 200
SLACK_ACK_DEADLINE_S = 3.0


async def test_a_burst_is_acked_in_time_and_answered_exactly_once(rel_web, rel_worker, rsandbox, pool, rel_workspace):
    tag = uuid.uuid4().hex[:4].upper()
    envelopes = rig.burst_envelopes(rel_web.sender, N_EVENTS, tag=tag)
    started = time.perf_counter()
    results = await rig.fire(f"{rel_web.url}/slack/events", envelopes, concurrency=64)
    burst_s = time.perf_counter() - started
    statuses = Counter(status for status, _, _ in results)
    slowest = max(latency for _, latency, _ in results)
    assert statuses == {200: N_EVENTS}, statuses
    assert slowest < SLACK_ACK_DEADLINE_S, f"slowest ack {slowest:.2f}s"
    redelivered = envelopes[::10]
    again = await rig.fire(f"{rel_web.url}/slack/events", redelivered, concurrency=16, retry_num=1)
    assert {s for s, _, _ in again} == {200}

    targets = [rig.target(e) for e in envelopes]
    event_ids = [e["event_id"] for e in envelopes]
    _, ws = rel_workspace

    def all_recorded() -> bool:
        counts = rig.rows(pool, ws.tenant_id, event_ids)
        return all(c["interactions"] == 1 for c in counts.values())

    await rig.wait_until(all_recorded, timeout=90, interval=0.5, what=f"{N_EVENTS} interactions")
    await rig.wait_until(lambda: rig.answered(rsandbox, targets) == N_EVENTS, timeout=15, what="every reply")
    handled_s = time.perf_counter() - started
    counts = rig.rows(pool, ws.tenant_id, event_ids)
    assert all(c == {"interactions": 1, "events": 1} for c in counts.values())
    for channel, ts in targets:
        assert len(rsandbox.bot_messages(channel, thread_ts=ts)) == 1, (channel, ts)
        assert rig.posts_in_thread(rsandbox, channel, ts) == 1, (channel, ts)
    print(
        f"\nburst: {N_EVENTS} events acked in {burst_s:.2f}s ({N_EVENTS / burst_s:.0f}/s), slowest ack "
        f"{slowest * 1000:.0f} ms; all answered after {handled_s:.1f}s"
    )


N_RABBITMQ_EVENTS = 60


async def test_a_burst_through_rabbitmq_is_acked_in_time_and_answered_exactly_once(
    rabbitmq_url, rel_env, pool, rel_workspace, rsandbox, rel_logs
):
    env = {**rel_env, "RABBITMQ_URL": rabbitmq_url}
    identity, ws = rel_workspace
    runner, web = await open_web(rig.settings_from_env(env), pool, identity, rsandbox)
    worker = rig.start_worker(env, rel_logs / "rabbitmq-worker.log", processes=1, threads=4)
    try:
        envelopes = rig.burst_envelopes(web.sender, N_RABBITMQ_EVENTS, tag=uuid.uuid4().hex[:4].upper())
        results = await rig.fire(f"{web.url}/slack/events", envelopes, concurrency=32)
        assert Counter(s for s, _, _ in results) == {200: N_RABBITMQ_EVENTS}
        assert max(latency for _, latency, _ in results) < SLACK_ACK_DEADLINE_S
        event_ids = [e["event_id"] for e in envelopes]
        await rig.wait_until(
            lambda: all(c["interactions"] == 1 for c in rig.rows(pool, ws.tenant_id, event_ids).values()),
            timeout=60,
            interval=0.5,
            what="every event answered through RabbitMQ",
        )
        assert all(c == {"interactions": 1, "events": 1} for c in rig.rows(pool, ws.tenant_id, event_ids).values())
        for envelope in envelopes:
            assert rig.posts_in_thread(rsandbox, *rig.target(envelope)) == 1
    finally:
        worker.stop()
        await web.sender.close()
        await runner.cleanup()
        web.broker.close()
