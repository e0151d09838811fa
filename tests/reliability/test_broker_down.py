"""The broker goes away while events arrive: NOX must not ack what it could not queue (a non-2xx
makes Slack redeliver), `/healthz` says so, and once the broker is back Slack's redeliveries —
same event_id, X-Slack-Retry-Num — are answered, each exactly once."""

from __future__ import annotations

import aiohttp
import pytest

from jamono.platform.embedded import EmbeddedRedis
from tests.reliability import rig
from tests.reliability.rig import open_web


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own (append-only file on, as in production), to stop and start."""
    server = EmbeddedRedis(tmp_path, persistent=True)
    url = server.start()
    yield server, url
    server.stop()


async def healthz(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
        return response.status


async def test_events_refused_while_the_broker_is_down_are_answered_once_when_slack_redelivers(
    own_redis, rel_env, pool, rel_workspace, rsandbox, channel, rel_logs
):
    server, redis_url = own_redis
    env = {**rel_env, "REDIS_URL": redis_url}
    identity, ws = rel_workspace
    runner, web = await open_web(rig.settings_from_env(env), pool, identity, rsandbox)
    worker = rig.start_worker(env, rel_logs / "broker-down-worker.log", processes=1, threads=2)
    try:
        sender = web.sender
        before = sender.app_mention("U0DEV", channel, "<@U0NOX> how do I roll back a deployment?")
        assert (await sender.send_event(before)).status == 200
        assert await healthz(web.url) == 200

        server.stop()
        during = [sender.app_mention("U0DEV", channel + f"X{i}", f"<@U0NOX> disk full on runner {i}") for i in range(5)]
        refused = await rig.fire(f"{web.url}/slack/events", during, concurrency=5)
        assert all(not 200 <= status < 300 for status, _, _ in refused), refused
        assert all(latency < 3.0 for _, latency, _ in refused), "refused within Slack's 3 s"
        assert await healthz(web.url) == 503

        server.start()
        assert await healthz(web.url) == 200
        # Slack redelivers each refused event (and, its ack being late, some of them twice).
        first = await rig.fire(f"{web.url}/slack/events", during, concurrency=5, retry_num=1)
        second = await rig.fire(f"{web.url}/slack/events", during[:2], concurrency=2, retry_num=2)
        assert {s for s, _, _ in first + second} == {200}

        everything = [before, *during]
        event_ids = [e["event_id"] for e in everything]

        def all_answered() -> bool:
            return all(c["interactions"] == 1 for c in rig.rows(pool, ws.tenant_id, event_ids).values())

        await rig.wait_until(all_answered, timeout=60, interval=0.25, what="every event to be answered")
        await rig.wait_until(
            lambda: rig.answered(rsandbox, [rig.target(e) for e in everything]) == 6, timeout=10, what="every reply"
        )
        for envelope in everything:
            channel_id, ts = rig.target(envelope)
            assert len(rsandbox.bot_messages(channel_id, thread_ts=ts)) == 1
            assert rig.posts_in_thread(rsandbox, channel_id, ts) == 1
        assert all(c == {"interactions": 1, "events": 1} for c in rig.rows(pool, ws.tenant_id, event_ids).values())
    finally:
        worker.stop()
        await web.sender.close()
        await runner.cleanup()
        web.broker.close()


async def test_healthz_asks_rabbitmq_itself_when_it_is_the_broker(rabbitmq_url):
    """With RABBITMQ_URL the broker check is an AMQP handshake: a wrong port or vhost fails it."""
    import app

    await app.rabbitmq_check(rabbitmq_url)()
    base, _, _vhost = rabbitmq_url.rpartition("/")
    for wrong in (f"{base}/jamono-no-such-vhost", "amqp://guest:guest@127.0.0.1:1/%2F"):
        with pytest.raises(Exception):  # noqa: B017 — pika's errors differ by cause; any failure must surface
            await app.rabbitmq_check(wrong)()
