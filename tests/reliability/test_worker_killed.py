"""A `jamono worker` process SIGKILLed in the middle of a job: its unacked job goes back on the
queue — Dramatiq's Redis broker notices the dead worker (no heartbeat for
JAMONO_REDIS_HEARTBEAT_TIMEOUT_MS), RabbitMQ sees its connection drop — and another worker
finishes it. Its effects happen once — one reply in the thread, one interaction row —
whichever step the first worker died in, on either broker."""

from __future__ import annotations

import asyncio

import pytest
import redis

from tests.plugins.drained import queue_drained
from tests.reliability import rig
from tests.reliability.rig import open_web

KILL_TEST_REDIS_DB = 1  # on the reliability tests' own Redis server
SLOW_S = 3.0  # how long the sandbox holds the call the first worker dies in


@pytest.fixture(params=["redis", "rabbitmq"])
def kill_env(request, rel_env, rel_redis_server, rel_workspace):
    """The reliability environment on a queue of its own (a Redis database, or a RabbitMQ vhost):
    only this test's workers."""
    url = rig.redis_db_url(rel_redis_server, KILL_TEST_REDIS_DB)
    redis.Redis.from_url(url).flushdb()
    if request.param == "rabbitmq":  # Redis stays: the post rate limiter keeps its windows there
        return {**rel_env, "REDIS_URL": url, "RABBITMQ_URL": request.getfixturevalue("rabbitmq_url")}
    return {**rel_env, "REDIS_URL": url}


@pytest.mark.parametrize("dies_in", ["chat.postMessage", "chat.update"])
async def test_a_job_whose_worker_is_killed_is_redelivered_and_answered_once(
    dies_in, kill_env, pool, rel_workspace, rsandbox, channel, rel_logs
):
    identity, ws = rel_workspace
    settings = rig.settings_from_env(kill_env)
    runner, web = await open_web(settings, pool, identity, rsandbox)
    broker = "rabbitmq" if "RABBITMQ_URL" in kill_env else "redis"
    first = rig.start_worker(kill_env, rel_logs / f"killed-{broker}-{dies_in}.log", processes=1, threads=1)
    second = None
    try:
        envelope = web.sender.app_mention("U0DEV", channel, "<@U0NOX> how do I roll back a deployment?")
        event_id, ts = envelope["event_id"], envelope["event"]["ts"]
        rsandbox.set_latency(dies_in, SLOW_S)
        assert (await web.sender.send_event(envelope)).status == 200

        # Mid-job: the event is claimed and (for chat.update) its placeholder recorded.
        def in_flight():
            row = rig.event_row(pool, ws.tenant_id, event_id)
            return row and (dies_in == "chat.postMessage" or row["reply_ts"])

        await rig.wait_until(in_flight, timeout=60, what=f"the first worker to reach {dies_in}")
        await asyncio.sleep(1.0)  # the call is sent, and held by the sandbox for SLOW_S
        first.kill()
        assert rig.event_row(pool, ws.tenant_id, event_id)["status"] != "answered"
        # The call the worker died in still reaches "Slack" (a request already sent): wait for it.
        await asyncio.sleep(SLOW_S)
        rsandbox.clear_faults()  # the survivor's calls are answered at once
        if dies_in == "chat.postMessage":
            await rig.wait_until(
                lambda: rsandbox.bot_messages(channel, thread_ts=ts), timeout=5, what="the orphaned placeholder"
            )

        second = rig.start_worker(kill_env, rel_logs / f"survivor-{broker}-{dies_in}.log", processes=1, threads=2)
        await rig.wait_until(
            lambda: (rig.event_row(pool, ws.tenant_id, event_id) or {}).get("status") == "answered",
            timeout=45,
            what="the redelivered job to be answered",
        )
        await rig.wait_until(lambda: rig.final_reply(rsandbox, channel, ts), timeout=10, what="the final reply")
        await queue_drained(web.broker)  # every job has run: a duplicate, if any, shows by now
        row = rig.event_row(pool, ws.tenant_id, event_id)
        assert row["attempts"] == 2, "redelivered once, by the broker"
        assert len(rsandbox.bot_messages(channel, thread_ts=ts)) == 1, rsandbox.describe(channel)
        assert rig.posts_in_thread(rsandbox, channel, ts) == 1
        if dies_in == "chat.postMessage":  # the survivor found the orphaned placeholder by its metadata
            assert [c for c in rsandbox.calls_to("conversations.replies") if c.params.get("ts") == ts]
        assert rig.rows(pool, ws.tenant_id, [event_id])[event_id] == {"interactions": 1, "events": 1}
    finally:
        rsandbox.clear_faults()
        first.stop()
        if second is not None:
            second.stop()
        await web.sender.close()
        await runner.cleanup()
        web.broker.close()
