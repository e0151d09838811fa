"""May NOX answer this person now? The one gate every answering path goes through (mentions,
DMs, thread follow-ups, `/nox ask`, `/nox kb search`): the plan's monthly people, then the
tenant's daily budget (and a free tenant's share of the free plans' pool)."""

from __future__ import annotations

import logging

import redis
from pydantic import BaseModel

from jamono.container import Runtime
from jamono.fairness.budget import Charge, DailyUsage, PostgresUsage, RedisUsage
from jamono.fairness.plans import budgets_enforced, free_pool, quota_for
from jamono.i18n import Lang
from jamono.platform.tenancy import WorkspaceContext
from jamono.workspaces.plan_limits import over_user_limit

log = logging.getLogger(__name__)


class Refusal(BaseModel):
    text: str
    notify: bool  # False: this person was told already today; say nothing more


_REDIS: dict[int, RedisUsage] = {}


def daily_usage(rt: Runtime) -> DailyUsage:
    """Redis when the deployment has one (the fast path); PostgreSQL otherwise (a RabbitMQ broker)."""
    if rt.cache is None:
        return PostgresUsage(rt.pool)
    found = _REDIS.get(id(rt.cache))
    if found is None or found.client is not rt.cache:
        found = _REDIS[id(rt.cache)] = RedisUsage(rt.cache)
    return found


def refusal(rt: Runtime, ws: WorkspaceContext, user: str, lang: Lang, job_id: str) -> Refusal | None:
    """None when NOX may answer (and the answer is counted, once per `job_id`: the event or job,
    so a retry is not counted again); otherwise what to tell the person."""
    limit = over_user_limit(rt.pool, ws, user)
    if limit is not None:
        log.info("plan limit: new user refused", extra={"team_id": ws.team_id, "max_users": limit.max_users})
        return Refusal(text=limit.message(lang), notify=True)
    if not budgets_enforced(rt.settings):
        return None
    charge = Charge(
        tenant_id=ws.tenant_id,
        job_id=job_id,
        plan_type=ws.plan_type,
        quota=quota_for(ws.plan_type, rt.settings),
        pool=free_pool(ws.plan_type, rt.settings),
        user=user,
    )
    try:
        spent = daily_usage(rt).charge(charge)
    except redis.RedisError as exc:  # counting failed: answering matters more than the count
        log.warning("daily budget: not counted", extra={"error": type(exc).__name__})
        return None
    if spent is None:
        return None
    log.info("daily budget spent: refused", extra={"team_id": ws.team_id, "budget": spent.kind})
    return Refusal(text=spent.message(lang), notify=spent.notify)


def record_tokens(rt: Runtime, ws: WorkspaceContext, tokens: int) -> None:
    if not budgets_enforced(rt.settings):
        return
    try:
        daily_usage(rt).add_tokens(ws.tenant_id, tokens, pooled=free_pool(ws.plan_type, rt.settings) is not None)
    except redis.RedisError as exc:
        log.warning("daily budget: tokens not counted", extra={"error": type(exc).__name__})
