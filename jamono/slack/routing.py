"""Which channel messages are worth a job, decided in the web process before anything is queued.
Why and how: docs/design/slack.md."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from psycopg.rows import dict_row

from jamono.platform.db import Pool, no_tenant_tx, tenant_tx

log = logging.getLogger(__name__)

PREFIX = "jamono:route:"
PRIMED_KEY = PREFIX + "primed"
THREAD_DAYS = 30  # a thread NOX answered is followed this long after its last answer
PRIME_RETRY_S = 60.0
_ADDRESSED = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>|<!subteam\^")


def addresses_someone_else(text: str, bot_user_id: str | None) -> bool:
    """A reply that names another person or group is for them, not for NOX."""
    return any(m.group(1) != bot_user_id for m in _ADDRESSED.finditer(text[:4000]))


def watched_key(team_id: str) -> str:
    return f"{PREFIX}watched:{team_id}"


def thread_key(team_id: str, channel: str, thread_ts: str) -> str:
    return f"{PREFIX}thread:{team_id}:{channel}:{thread_ts}"


# ---------------------------------------------------------------------------- writers (workers)


def mark_thread(cache: Any, team_id: str, channel: str, thread_ts: str) -> None:
    """NOX is posting in this thread: replies in it are worth a look. Called before the post, so
    nobody can reply to NOX's message before the mark exists."""
    if cache is None:
        return
    try:
        cache.set(thread_key(team_id, channel, thread_ts), b"1", ex=THREAD_DAYS * 86400)
    except Exception as exc:  # the copy only saves work; the web queues when unsure
        log.warning("could not mark a NOX thread in Redis: %s", type(exc).__name__)
        _forget_primed(cache)


def set_watched(cache: Any, team_id: str, channel: str, watched: bool) -> None:
    if cache is None:
        return
    try:
        if watched:
            cache.sadd(watched_key(team_id), channel)
        else:
            cache.srem(watched_key(team_id), channel)
    except Exception as exc:
        log.warning("could not copy a channel's watch to Redis: %s", type(exc).__name__)
        _forget_primed(cache)


def _forget_primed(cache: Any) -> None:
    """A write that failed leaves the copy incomplete: the web queues everything until re-primed."""
    try:
        cache.delete(PRIMED_KEY)
    except Exception:
        log.warning("Redis refused to forget the routing copy: messages are filtered from an old copy")


def prime(pool: Pool, cache: Any) -> int:
    """Copy every workspace's watched channels and recent NOX threads from PostgreSQL; returns
    how many keys were written. Additive: a concurrent unwatch may survive as a watched channel
    (a job the worker then drops), never the other way round."""
    written = 0
    with no_tenant_tx(pool) as conn:
        workspaces = conn.cursor(row_factory=dict_row).execute("SELECT * FROM jamono_list_workspaces()").fetchall()
    for row in workspaces:
        with tenant_tx(pool, row["tenant_id"]) as tx:
            cur = tx.cursor(row_factory=dict_row)
            team = cur.execute("SELECT slack_team_id FROM workspaces WHERE id = %s", [row["workspace_id"]]).fetchone()
            if team is None:
                continue
            team_id = team["slack_team_id"]
            watched = [
                r["channel_id"]
                for r in cur.execute(
                    "SELECT channel_id FROM slack_channels WHERE workspace_id = %s AND watched", [row["workspace_id"]]
                )
            ]
            threads = cur.execute(
                "SELECT channel_id, coalesce(thread_ts, message_ts) AS ts, max(created_at) AS last"
                " FROM agent_interactions WHERE workspace_id = %s AND reply_ts IS NOT NULL"
                " AND created_at > now() - make_interval(days => %s) AND coalesce(thread_ts, message_ts) IS NOT NULL"
                " GROUP BY 1, 2",
                [row["workspace_id"], THREAD_DAYS],
            ).fetchall()
        pipe = cache.pipeline(transaction=False)
        if watched:
            pipe.sadd(watched_key(team_id), *watched)
        now = time.time()
        for t in threads:
            ttl = int(THREAD_DAYS * 86400 - (now - t["last"].timestamp()))
            if ttl > 0:
                pipe.set(thread_key(team_id, t["channel_id"], t["ts"]), b"1", ex=ttl, nx=True)
        pipe.execute()
        written += len(watched) + len(threads)
    cache.set(PRIMED_KEY, str(int(time.time())).encode())
    return written


# ---------------------------------------------------------------------------- reader (web)


class MessageRoutes:
    """The web process's question, one Redis round trip per channel message."""

    def __init__(self, redis_url: str, pool: Pool | None) -> None:
        import redis
        import redis.asyncio

        self._client = redis.asyncio.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._sync_url = redis_url
        self._sync: redis.Redis | None = None
        self._pool = pool
        self._priming: asyncio.Task[None] | None = None
        self._last_prime = -PRIME_RETRY_S

    async def worth_a_job(self, team_id: str, channel: str, thread_ts: str | None) -> bool:
        """A top-level message (thread_ts None): is the channel watched? A reply: is the thread NOX's?"""
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.exists(PRIMED_KEY)
            if thread_ts is None:
                pipe.sismember(watched_key(team_id), channel)
            else:
                pipe.exists(thread_key(team_id, channel, thread_ts))
            primed, found = await pipe.execute()
        except Exception as exc:
            log.warning("message routing copy unreadable, queueing: %s", type(exc).__name__)
            return True
        if not primed:
            self._start_priming()
            return True
        return bool(found)

    def _start_priming(self) -> None:
        if self._pool is None or (self._priming is not None and not self._priming.done()):
            return
        if time.monotonic() - self._last_prime < PRIME_RETRY_S:
            return
        self._last_prime = time.monotonic()
        self._priming = asyncio.get_running_loop().create_task(self._prime())

    async def _prime(self) -> None:
        import redis

        if self._sync is None:
            self._sync = redis.Redis.from_url(self._sync_url, socket_timeout=5, socket_connect_timeout=2)
        assert self._pool is not None
        try:
            keys = await asyncio.to_thread(prime, self._pool, self._sync)
            log.info("message routing copy primed", extra={"keys": keys})
        except Exception:
            log.exception("could not prime the message routing copy (messages are queued meanwhile)")
