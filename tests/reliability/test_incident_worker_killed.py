"""A `jamono worker` SIGKILLed while Slack creates the incident's channel — conversations.create
sent and about to take effect, nothing recorded yet: the broker redelivers the declaration to
another worker, which finds the name it reserved taken by a channel NOX created, adopts it, and
finishes — one channel, one card, one pin, one link in the origin thread."""

from __future__ import annotations

import asyncio
import uuid

import redis

from jamono.platform.db import tenant_tx
from tests.plugins.drained import queue_drained
from tests.reliability import rig
from tests.reliability.rig import open_web

KILL_TEST_REDIS_DB = 2  # on the reliability tests' own Redis server, apart from test_worker_killed's
SLOW_S = 3.0


async def test_a_worker_killed_between_conversations_create_and_recording_it_leaves_one_channel(
    rel_env, rel_redis_server, pool, rel_workspace, rsandbox, rel_logs
):
    identity, ws = rel_workspace
    url = rig.redis_db_url(rel_redis_server, KILL_TEST_REDIS_DB)
    redis.Redis.from_url(url).flushdb()
    env = {**rel_env, "REDIS_URL": url}
    runner, web = await open_web(rig.settings_from_env(env), pool, identity, rsandbox)
    first = rig.start_worker(env, rel_logs / "incident-killed.log", processes=1, threads=1)
    second = None
    channel = "C" + uuid.uuid4().hex[:9].upper()
    try:
        svc = "svc" + uuid.uuid4().hex[:6]
        mention = web.sender.app_mention(
            "U0DEV", channel, f"<@U0NOX> prod is down!! {svc} api returns 502 for everyone"
        )
        ts = mention["event"]["ts"]
        assert (await web.sender.send_event(mention)).status == 200

        def reply():
            return next(
                (m for m in rsandbox.bot_messages(channel, thread_ts=ts) if "propose_incident" in str(m.get("blocks"))),
                None,
            )

        message = await rig.wait_until(reply, timeout=90, what="NOX's triage reply")
        block = next(b for b in message["blocks"] if str(b.get("block_id", "")).startswith("proposal:"))
        interaction_id = block["block_id"].split(":", 1)[1]
        click = web.sender.block_actions(
            "U0DEV",
            [{"action_id": "propose_incident", "block_id": block["block_id"], "value": interaction_id}],
            channel=channel,
            message_ts=message["ts"],
        )
        creates_before = len(rsandbox.calls_to("conversations.create"))
        rsandbox.set_latency("conversations.create", SLOW_S)
        assert (await web.sender.send_interactive(click)).status == 200

        def row():
            with tenant_tx(pool, ws.tenant_id) as conn:
                return conn.execute("SELECT * FROM incidents WHERE interaction_id = %s", [interaction_id]).fetchone()

        await rig.wait_until(lambda: (row() or {}).get("channel_name"), timeout=30, what="the name reserved")
        await asyncio.sleep(1.0)  # conversations.create is sent and held by the sandbox
        first.kill()
        await asyncio.sleep(SLOW_S)  # it still takes effect: a request already sent
        rsandbox.clear_faults()
        creates = rsandbox.calls_to("conversations.create")[creates_before:]
        assert [c.ok for c in creates] == [True] and row()["channel_id"] is None  # created, never recorded

        second = rig.start_worker(env, rel_logs / "incident-survivor.log", processes=1, threads=2)
        await rig.wait_until(
            lambda: "declared" in ((row() or {}).get("steps") or {}),
            timeout=60,
            what="the redelivered declaration to finish",
        )
        await queue_drained(web.broker)  # every job has run: a second channel or card, if any, exists now
        done = row()
        creates = rsandbox.calls_to("conversations.create")[creates_before:]
        assert [(c.ok, c.error) for c in creates] == [(True, None), (False, "name_taken")]
        assert done["channel_id"] == creates[0].response["channel"]["id"]
        cards = [
            m
            for m in rsandbox.bot_messages(done["channel_id"])
            if (m.get("metadata") or {}).get("event_type") == "nox_incident_card"
        ]
        assert len(cards) == 1 and [
            m["ts"] for m in rsandbox.messages(done["channel_id"]) if done["channel_id"] in (m.get("pinned_to") or [])
        ] == [cards[0]["ts"]]
        assert (
            len([m for m in rsandbox.bot_messages(channel, thread_ts=ts) if "Incident declared by" in m["text"]]) == 1
        )
    finally:
        rsandbox.clear_faults()
        first.stop()
        if second is not None:
            second.stop()
        await web.sender.close()
        await runner.cleanup()
        web.broker.close()
