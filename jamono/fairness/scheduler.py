"""The per-tenant turn of answering jobs: a tenant over its share waits on Dramatiq's delay queue,
so another tenant's answers never queue behind its burst (a GCRA token bucket in Redis)."""

# Dramatiq's Redis broker has one FIFO per queue and no per-message priority, so a tenant that
# queues 2,000 mentions would put every other tenant's next answer behind them. Each answering job
# therefore books a start slot in its workspace's token bucket (GCRA: one timestamp per workspace in
# Redis, clocked by Redis so every machine agrees). Within the plan's burst it goes on the queue as
# usual; beyond it, it goes on Dramatiq's own delay queue with its slot as the delay, marked as
# booked, and reaches the queue's tail only when its turn comes: another tenant's jobs never wait
# behind it. The web process books as it enqueues (many bookings share one Redis round trip, see
# `TurnBooker`); a worker books any answering job that arrives unbooked (other enqueuers).
#
# Exactly-once is untouched: a job is put back before the original is acknowledged (a crash in
# between leaves two copies of one event, which the event claim answers once), and it keeps the
# message id, the retry count and the original enqueue time (so `max_age` still bounds it).

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any, Literal

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis, dq_name

from jamono.fairness.plans import PlanQuota
from jamono.queue.batching import ScriptConnection

log = logging.getLogger(__name__)

BOOKED = "fair_slot_ms"  # message option: this job's slot was booked (the delay it got, in ms)
OVERFLOW = -2  # a booking's answer when the turn would come after the horizon
# Answering jobs live 30 minutes (max_age): a turn further away than this would expire unanswered,
# so the job is refused with a notice instead (the workspace asked far more than its plan's rate).
HORIZON_MS = 20 * 60 * 1000
FAIR_ACTORS = frozenset({"handle_message", "thread_follow_up", "watched_message", "answer_command", "kb_search"})

# KEYS: bucket, quota, bucket, quota… ARGV: interval ms, tolerance ms, "1" to store them as the
# workspace's quota (workers, who know its plan) or "0" to use the stored one (the web process),
# and the horizon in ms: a wait beyond it is not booked and comes back as -2 (OVERFLOW).
# The bucket is the workspace's "theoretical arrival time" (TAT) in ms: a job may start now if
# TAT - now <= tolerance; either way it books one interval from max(TAT, now). Returns the waits.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local waits = {}
for i = 1, #KEYS, 2 do
    local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
    if ARGV[3] == '1' then
        redis.call('SET', KEYS[i + 1], ARGV[1] .. ':' .. ARGV[2], 'EX', 86400)
    else
        local stored = redis.call('GET', KEYS[i + 1])
        if stored then
            local sep = string.find(stored, ':', 1, true)
            interval = tonumber(string.sub(stored, 1, sep - 1))
            tolerance = tonumber(string.sub(stored, sep + 1))
        end
    end
    local wait = 0
    if interval > 0 then
        local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
        if tat < now then tat = now end
        wait = math.max(0, tat - tolerance - now)
        if wait > tonumber(ARGV[4]) then
            wait = -2  -- beyond the horizon: not booked (the job would outlive its max_age)
        else
            local new_tat = tat + interval
            redis.call('SET', KEYS[i], new_tat, 'PX', math.floor(new_tat - now + tolerance) + 60000)
        end
    end
    waits[#waits + 1] = math.floor(wait)
end
return waits
"""
_GCRA_SHA = hashlib.sha1(_GCRA.encode()).hexdigest()


def bucket_keys(team_id: str, enterprise_id: str | None) -> tuple[str, str]:
    base = f"jamono:fair:{enterprise_id or '-'}:{team_id}"
    return base, base + ":quota"


def quota_args(quota: PlanQuota) -> tuple[float, float]:
    """(interval, tolerance) in ms; an interval of 0 means the workspace is not scheduled."""
    if quota.answers_per_s <= 0:
        return 0.0, 0.0
    interval = 1000.0 / quota.answers_per_s
    return interval, interval * max(0, quota.burst - 1)


class TenantBuckets:
    """Start slots per workspace, for workers (synchronous, and they know the plan)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._script = client.register_script(_GCRA)

    def book(self, team_id: str, enterprise_id: str | None, quota: PlanQuota) -> int:
        """Milliseconds this workspace's next answer must wait for its turn (0: go now)."""
        interval, tolerance = quota_args(quota)
        keys = list(bucket_keys(team_id, enterprise_id))
        waits = self._script(keys=keys, args=[interval, tolerance, "1", HORIZON_MS])
        return int(waits[0])


def delayed(message: dramatiq.Message, wait_ms: int) -> dramatiq.Message:
    """The message as Dramatiq's RedisBroker.enqueue(…, delay=wait_ms) writes it, marked as booked."""
    return message.copy(
        queue_name=dq_name(message.queue_name), options={"eta": current_millis() + wait_ms, BOOKED: wait_ms}
    )


Turn = Literal["now", "later", "refused"]


def take_turn(
    message: Any,
    buckets: TenantBuckets | None,
    team_id: str,
    enterprise_id: str | None,
    quota: PlanQuota,
    broker: dramatiq.Broker,
) -> Turn:
    """ "now": do the work; "later": a copy was put back for its turn; "refused": no turn within
    the horizon (the caller says so to the person)."""
    booked = message.options.get(BOOKED) if message is not None else None
    if booked == OVERFLOW:  # the web process found no turn for it
        return "refused"
    if message is None or buckets is None or booked is not None:
        return "now"
    try:
        wait_ms = buckets.book(team_id, enterprise_id, quota)
    except redis.RedisError as exc:  # no bucket, no scheduling: answering matters more
        log.warning("fair share: bucket unavailable, running the job now", extra={"error": type(exc).__name__})
        return "now"
    if wait_ms == OVERFLOW:
        return "refused"
    if wait_ms <= 0:
        return "now"
    broker.enqueue(message.copy(options={BOOKED: wait_ms}), delay=wait_ms)
    log.debug("fair share: job deferred for its workspace's turn", extra={"team_id": team_id, "wait_ms": wait_ms})
    return "later"


def later_for_fairness(rt: Any, payload: dict[str, Any]) -> bool:
    """For answering actors: True when this job is not to be done now (put back for its
    workspace's turn, or refused with a notice because no turn comes soon enough).

    A workspace that cannot be resolved is the job's own business (it fails or is ignored there)."""
    from dramatiq.middleware import CurrentMessage

    from jamono.fairness.plans import quota_for, shared_deployment
    from jamono.platform.tenancy import UnknownWorkspace

    if rt.settings.fair_rate_scale <= 0 or rt.cache is None or not shared_deployment(rt.settings):
        return False
    message = CurrentMessage.get_current_message()
    try:
        ws = rt.workspaces.get(payload.get("team_id") or "", payload.get("enterprise_id"))
    except UnknownWorkspace:
        return False
    quota = quota_for(ws.plan_type, rt.settings)
    turn = take_turn(message, _buckets(rt.cache), ws.team_id, ws.enterprise_id, quota, dramatiq.get_broker())
    if turn == "refused":
        from jamono.fairness.busy import tell_too_busy

        tell_too_busy(rt, ws, payload)
    return turn != "now"


_BUCKETS: dict[int, TenantBuckets] = {}


def _buckets(client: redis.Redis) -> TenantBuckets:
    """One registered script per Redis client (registering is cheap, but not free per job)."""
    found = _BUCKETS.get(id(client))
    if found is None or found.client is not client:
        found = _BUCKETS[id(client)] = TenantBuckets(client)
    return found


class TurnBooker:
    """The web process's bookings: every request waiting meanwhile shares one Redis round trip.

    It uses the quota the workers stored for the workspace (they know its plan), or `default`
    (the free plan's) for a workspace no worker has seen yet. A Redis failure books nothing: the
    job is queued as usual and a worker books it."""

    def __init__(self, broker: RedisBroker, default: PlanQuota) -> None:
        self.broker = broker
        self.default_args = quota_args(default)
        self._pending: list[tuple[tuple[str, str], asyncio.Future[int]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._connection: ScriptConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _redis(self) -> ScriptConnection:
        loop = asyncio.get_running_loop()
        if self._connection is None or self._loop is not loop:
            self._connection, self._loop = ScriptConnection(self.broker.client), loop
        return self._connection

    async def schedule(self, actor_name: str, payload: dict[str, Any], message: dramatiq.Message) -> dramatiq.Message:
        """`message` with its turn: as is (not an answer, or nothing booked), marked as booked
        (its turn is now, or none comes soon enough: the worker says so), or on the delay queue."""
        if actor_name not in FAIR_ACTORS or not payload.get("team_id"):
            return message
        wait_ms = await self.book(payload["team_id"], payload.get("enterprise_id"))
        if wait_ms > 0:  # over its workspace's share: on the delay queue until its turn
            return delayed(message, wait_ms)
        if wait_ms in (0, OVERFLOW):
            return message.copy(options={BOOKED: wait_ms})
        return message

    async def book(self, team_id: str, enterprise_id: str | None) -> int:
        """The wait in ms for this workspace's next answer; -1 when nothing could be booked."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((bucket_keys(team_id, enterprise_id), future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        try:
            return await future
        except Exception as exc:  # the ack path never fails for a booking: the worker books instead
            log.warning("fair share: booking failed, queued unbooked", extra={"error": type(exc).__name__})
            return -1

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the requests already in this loop iteration join the batch
        while self._pending:
            batch, self._pending = self._pending[:256], self._pending[256:]
            keys = [key for pair, _ in batch for key in pair]
            args = (*self.default_args, "0", HORIZON_MS)
            try:
                waits = await self._call(keys, args)
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), wait in zip(batch, waits, strict=True):
                if not future.done():
                    future.set_result(int(wait))

    async def _call(self, keys: list[str], args: tuple[Any, ...]) -> list[int]:
        connection = self._redis()
        try:
            return await connection.call("EVALSHA", _GCRA_SHA, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            await connection.call("SCRIPT", "LOAD", _GCRA)
            return await connection.call("EVALSHA", _GCRA_SHA, len(keys), *keys, *args)
