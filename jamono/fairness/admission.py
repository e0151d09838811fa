"""May NOX answer this person now? The one gate every answering path goes through (mentions,
DMs, thread follow-ups, `/nox ask`, `/nox kb search`): the plan's monthly people, then the
tenant's daily budget."""

from __future__ import annotations

import logging

import redis
from pydantic import BaseModel

from jamono.container import Runtime
from jamono.fairness.budget import spend_answer, spend_tokens
from jamono.fairness.plans import budgets_enforced, quota_for
from jamono.i18n import Lang
from jamono.platform.tenancy import WorkspaceContext
from jamono.workspaces.plan_limits import over_user_limit

log = logging.getLogger(__name__)


class Refusal(BaseModel):
    text: str
    notify: bool  # False: this person was told already today; say nothing more


def refusal(rt: Runtime, ws: WorkspaceContext, user: str, lang: Lang) -> Refusal | None:
    """None when NOX may answer (and the answer is counted); otherwise what to tell the person."""
    limit = over_user_limit(rt.pool, ws, user)
    if limit is not None:
        log.info("plan limit: new user refused", extra={"team_id": ws.team_id, "max_users": limit.max_users})
        return Refusal(text=limit.message(lang), notify=True)
    if rt.cache is None or not budgets_enforced(rt.settings):
        return None
    try:
        spent = spend_answer(rt.cache, ws.tenant_id, ws.plan_type, quota_for(ws.plan_type, rt.settings), user)
    except redis.RedisError as exc:  # counting failed: answering matters more than the count
        log.warning("daily budget: not counted", extra={"error": type(exc).__name__})
        return None
    if spent is None:
        return None
    log.info("daily budget spent: refused", extra={"team_id": ws.team_id, "budget": spent.kind})
    return Refusal(text=spent.message(lang), notify=spent.notify)


def record_tokens(rt: Runtime, ws: WorkspaceContext, tokens: int) -> None:
    if rt.cache is None:
        return
    try:
        spend_tokens(rt.cache, ws.tenant_id, tokens)
    except redis.RedisError as exc:
        log.warning("daily budget: tokens not counted", extra={"error": type(exc).__name__})
