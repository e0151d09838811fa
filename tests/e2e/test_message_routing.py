"""Channel messages NOX will not act on cost no job: the web process asks Redis's copy of the
watched channels and NOX's threads (jamono.slack.routing) before queueing anything."""

from __future__ import annotations

import uuid

import redis

from jamono.platform.db import tenant_tx
from jamono.slack import routing


def _prime(pool, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.delete(routing.PRIMED_KEY)
    routing.prime(pool, client)


async def test_chatter_is_not_queued_and_what_nox_acts_on_is(isolated, pool, redis_url, sandbox_workspace):
    sender, queued = isolated
    _, ws = sandbox_workspace
    quiet, watched = "C0Q" + uuid.uuid4().hex[:7].upper(), "C0W" + uuid.uuid4().hex[:7].upper()
    nox_thread = sender.message(quiet, "how do I restart the ingest job?")
    with tenant_tx(pool, ws.tenant_id) as conn:  # what the worker records: a watched channel, a thread NOX answered
        conn.execute(
            "INSERT INTO slack_channels (tenant_id, workspace_id, channel_id, watched) VALUES (%s, %s, %s, true)",
            [ws.tenant_id, ws.workspace_id, watched],
        )
        conn.execute(
            "INSERT INTO agent_interactions (tenant_id, workspace_id, user_id, channel_id, message_ts, reply_ts,"
            " message_type, message) VALUES (%s, %s, 'U0DEV', %s, %s, '1.1', 'app_mention', '')",
            [ws.tenant_id, ws.workspace_id, quiet, nox_thread["event"]["ts"]],
        )
    _prime(pool, redis_url)
    other_thread = sender.message(quiet, "lunch anyone?")
    chatter = [
        sender.message(quiet, "the build is green again"),  # top level, channel not watched
        sender.message(quiet, "sure, 12:30", thread_ts=other_thread["event"]["ts"]),  # a thread NOX is not in
        sender.message(quiet, "<@U0ALICE> can you check?", thread_ts=nox_thread["event"]["ts"]),  # for someone else
    ]
    for envelope in chatter:
        assert (await sender.send_event(envelope)).status == 200
    assert queued() == [], "chatter became jobs"

    wanted = [
        sender.message(watched, "the orders database is down"),  # a watched channel
        sender.message(quiet, "and if that does not work?", thread_ts=nox_thread["event"]["ts"]),  # NOX's thread
        sender.dm("U0DEV", "how do I rotate the keys?"),
    ]
    for envelope in wanted:
        assert (await sender.send_event(envelope)).status == 200
    assert sorted(actor for actor, _ in queued()) == ["handle_message", "thread_follow_up", "watched_message"]


async def test_a_channel_watched_or_a_thread_answered_now_counts_at_once(isolated, pool, redis_url, sandbox_workspace):
    """The workers keep the copy as things change: no wait for a refresh."""
    sender, queued = isolated
    _, ws = sandbox_workspace
    _prime(pool, redis_url)
    channel = "C0N" + uuid.uuid4().hex[:7].upper()
    top = sender.message(channel, "checkout returns 500")
    client = redis.Redis.from_url(redis_url)
    routing.set_watched(client, ws.team_id, channel, True)
    routing.mark_thread(client, ws.team_id, channel, top["event"]["ts"])
    for envelope in (top, sender.message(channel, "still failing", thread_ts=top["event"]["ts"])):
        assert (await sender.send_event(envelope)).status == 200
    assert sorted(actor for actor, _ in queued()) == ["thread_follow_up", "watched_message"]
    routing.set_watched(client, ws.team_id, channel, False)
    assert (await sender.send_event(sender.message(channel, "ok it works now"))).status == 200
    assert len(queued()) == 2


async def test_without_the_copy_everything_is_queued_as_before(isolated, redis_url):
    sender, queued = isolated
    redis.Redis.from_url(redis_url).delete(routing.PRIMED_KEY)
    channel = "C0U" + uuid.uuid4().hex[:7].upper()
    assert (await sender.send_event(sender.message(channel, "the build is green again"))).status == 200
    assert [actor for actor, _ in queued()] == ["watched_message"], "fail open: the worker decides"
