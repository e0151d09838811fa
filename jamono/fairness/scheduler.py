"""The per-tenant turn of an answering job: a tenant over its share waits, others go first.

Dramatiq's Redis broker has one FIFO per queue and no per-message priority, so a tenant that
queues 2,000 mentions would put every other tenant's next answer behind them. Each answering job
therefore books a start slot in its tenant's token bucket (GCRA, one Redis script call, clocked by
Redis so every worker machine agrees) when a worker first picks it up. Within the plan's burst it
runs at once; beyond it, the job goes back through Dramatiq's own delay queue with its slot as the
delay, marked as booked, and the worker moves on to the next job — another tenant's, typically.

Exactly-once is untouched: the delayed copy is enqueued before the original is acknowledged (a
crash in between leaves two copies of one event, which the event claim answers once), and it
keeps the message id, the retry count and the original enqueue time (so `max_age` still bounds it).
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import dramatiq
import redis

from jamono.fairness.plans import PlanQuota

log = logging.getLogger(__name__)

BOOKED = "fair_slot_ms"  # message option: this job's slot was booked (the delay it got, in ms)

# GCRA: the bucket is one timestamp, the tenant's "theoretical arrival time" (TAT), in ms.
# A job may start now if TAT - now <= tolerance; either way it books interval ms from max(TAT, now).
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.floor(new_tat - now + tolerance) + 60000)
return wait
"""


class TenantBuckets:
    """Start slots per tenant, in Redis (shared by every worker process and machine)."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._script = client.register_script(_GCRA)

    def book(self, tenant_id: UUID, quota: PlanQuota) -> int:
        """Milliseconds this tenant's next answer must wait for its turn (0: go now)."""
        if quota.answers_per_s <= 0:
            return 0
        interval = 1000.0 / quota.answers_per_s
        tolerance = interval * max(0, quota.burst - 1)
        return int(self._script(keys=[f"jamono:fair:{tenant_id}"], args=[interval, tolerance]))


def defer_if_over_share(
    message: Any, buckets: TenantBuckets | None, tenant_id: UUID, quota: PlanQuota, broker: dramatiq.Broker
) -> bool:
    """True when the job was put back for its turn (the caller returns without doing the work)."""
    if message is None or buckets is None or BOOKED in message.options:
        return False
    try:
        wait_ms = buckets.book(tenant_id, quota)
    except redis.RedisError as exc:  # no bucket, no scheduling: answering matters more
        log.warning("fair share: bucket unavailable, running the job now", extra={"error": type(exc).__name__})
        return False
    if wait_ms <= 0:
        return False
    broker.enqueue(message.copy(options={BOOKED: wait_ms}), delay=wait_ms)
    log.debug("fair share: job deferred for its tenant's turn", extra={"tenant_id": str(tenant_id), "wait_ms": wait_ms})
    return True


def later_for_fairness(rt: Any, payload: dict[str, Any]) -> bool:
    """For answering actors: True when this job was put back for its tenant's turn.

    A workspace that cannot be resolved is the job's own business (it fails or is ignored there)."""
    from dramatiq.middleware import CurrentMessage

    from jamono.fairness.plans import quota_for, shared_deployment
    from jamono.tenancy import UnknownWorkspace

    if rt.settings.fair_rate_scale <= 0 or rt.cache is None or not shared_deployment(rt.settings):
        return False
    message = CurrentMessage.get_current_message()
    if message is None or BOOKED in message.options:
        return False
    try:
        ws = rt.workspaces.get(payload.get("team_id") or "", payload.get("enterprise_id"))
    except UnknownWorkspace:
        return False
    return defer_if_over_share(
        message, _buckets(rt.cache), ws.tenant_id, quota_for(ws.plan_type, rt.settings), dramatiq.get_broker()
    )


_BUCKETS: dict[int, TenantBuckets] = {}


def _buckets(client: redis.Redis) -> TenantBuckets:
    """One registered script per Redis client (registering is cheap, but not free per job)."""
    found = _BUCKETS.get(id(client))
    if found is None or found.client is not client:
        found = _BUCKETS[id(client)] = TenantBuckets(client)
    return found
