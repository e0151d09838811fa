"""Daily budgets per tenant (answers, LLM tokens) and the free plans' shared pool, per UTC day: in
Redis when there is one, else in PostgreSQL. A job is charged once however often it is retried; when
spent, each person is told once that day (a notice per message would itself be the flood)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal, Protocol
from uuid import UUID

import redis
from pydantic import BaseModel

from jamono.fairness.plans import FreePool, PlanQuota
from jamono.i18n import Lang, t
from jamono.platform.db import Pool, no_tenant_tx, tenant_tx

_TTL_S = 2 * 24 * 3600

_TEXT = {
    "en": ":hourglass: NOX has used this workspace's daily allowance on the {plan} plan ({what}), so it will "
    "answer again tomorrow (UTC). A workspace admin can change the plan. You won't see this notice again today.",
    "fr": ":hourglass: NOX a épuisé l'allocation quotidienne de cet espace pour l'offre {plan} ({what}) : il "
    "répondra de nouveau demain (UTC). Un admin de l'espace peut changer d'offre. Cet avis ne s'affichera plus "
    "aujourd'hui.",
}
_WHAT = {
    "answers": {"en": "{n:,} answers", "fr": "{n:,} réponses"},
    "tokens": {"en": "{n:,} language-model tokens", "fr": "{n:,} jetons de modèle de langage"},
}

Kind = Literal["answers", "tokens", "pool"]


class BudgetSpent(BaseModel):
    plan_type: str
    kind: Kind  # the tenant's answers or tokens, or the free plans' shared pool
    allowed: int
    notify: bool  # the first refusal of this person today: tell them; later ones: stay quiet

    def message(self, lang: Lang) -> str:
        if self.kind == "pool":
            return t("plan.free_pool_spent", lang)
        what = _WHAT[self.kind][lang].format(n=self.allowed)
        if lang == "fr":
            what = what.replace(",", "\u202f")
        return _TEXT[lang].format(plan=self.plan_type, what=what)


class Charge(BaseModel):
    """One answer to count against today's budgets."""

    tenant_id: UUID
    job_id: str  # the event or job: a retry of it is not charged again
    plan_type: str
    quota: PlanQuota
    pool: FreePool | None  # the free plans' shared pool, when this tenant draws on it
    user: str


class DailyUsage(Protocol):
    def charge(self, charge: Charge) -> BudgetSpent | None: ...
    def add_tokens(self, tenant_id: UUID, tokens: int, *, pooled: bool) -> None: ...
    def used_today(self, tenant_id: UUID) -> tuple[int, int]: ...
    def pool_today(self) -> tuple[int, int]: ...


def today() -> date:
    return datetime.now(UTC).date()


def _over(quota: PlanQuota, answers: int, tokens: int) -> tuple[Kind, int] | None:
    if quota.answers_per_day and answers >= quota.answers_per_day:
        return "answers", quota.answers_per_day
    if quota.llm_tokens_per_day and tokens >= quota.llm_tokens_per_day:
        return "tokens", quota.llm_tokens_per_day
    return None


def _pool_over(pool: FreePool, answers: int, tokens: int) -> tuple[Kind, int] | None:
    if (pool.answers_per_day and answers >= pool.answers_per_day) or (
        pool.llm_tokens_per_day and tokens >= pool.llm_tokens_per_day
    ):
        return "pool", pool.answers_per_day
    return None


# --- Redis: the fast path -----------------------------------------------------------------------
# KEYS: the tenant's usage hash, its charged jobs (a set), the free pool's hash. ARGV: job id, the
# tenant's answers and tokens allowed, the pool's (0: no limit), "1" when the tenant draws on the
# pool, the TTL. Returns "charged" (a retry), "ok" (counted), or the budget spent.
_CHARGE = """
local ttl = tonumber(ARGV[7])
if ARGV[1] ~= '' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 'charged' end
local used = redis.call('HMGET', KEYS[1], 'answers', 'tokens')
local answers, tokens = tonumber(used[1] or '0'), tonumber(used[2] or '0')
if tonumber(ARGV[2]) > 0 and answers >= tonumber(ARGV[2]) then return 'answers' end
if tonumber(ARGV[3]) > 0 and tokens >= tonumber(ARGV[3]) then return 'tokens' end
if ARGV[6] == '1' then
    local pool = redis.call('HMGET', KEYS[3], 'answers', 'tokens')
    if (tonumber(ARGV[4]) > 0 and tonumber(pool[1] or '0') >= tonumber(ARGV[4]))
        or (tonumber(ARGV[5]) > 0 and tonumber(pool[2] or '0') >= tonumber(ARGV[5])) then return 'pool' end
    redis.call('HINCRBY', KEYS[3], 'answers', 1)
    redis.call('EXPIRE', KEYS[3], ttl)
end
redis.call('HINCRBY', KEYS[1], 'answers', 1)
redis.call('EXPIRE', KEYS[1], ttl)
if ARGV[1] ~= '' then
    redis.call('SADD', KEYS[2], ARGV[1])
    redis.call('EXPIRE', KEYS[2], ttl)
end
return 'ok'
"""


def _day() -> str:
    return today().strftime("%Y%m%d")


def usage_key(tenant_id: UUID) -> str:
    return f"jamono:use:{tenant_id}:{_day()}"


def pool_key() -> str:
    return f"jamono:use-pool:{_day()}"


class RedisUsage:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._script = client.register_script(_CHARGE)

    def charge(self, charge: Charge) -> BudgetSpent | None:
        """Count one answer; the budget it would exceed (nothing counted), or None to go ahead."""
        pool = charge.pool or FreePool(answers_per_day=0, llm_tokens_per_day=0)
        keys = [usage_key(charge.tenant_id), f"jamono:use-jobs:{charge.tenant_id}:{_day()}", pool_key()]
        args: list[str | int] = [charge.job_id, charge.quota.answers_per_day, charge.quota.llm_tokens_per_day]
        args += [pool.answers_per_day, pool.llm_tokens_per_day, "1" if charge.pool else "0", _TTL_S]
        outcome = self._script(keys=keys, args=args)
        kind = outcome.decode() if isinstance(outcome, bytes) else str(outcome)
        if kind in ("ok", "charged"):
            return None
        allowed = {
            "answers": charge.quota.answers_per_day,
            "tokens": charge.quota.llm_tokens_per_day,
            "pool": pool.answers_per_day,
        }[kind]
        first = self.client.set(f"jamono:use-notice:{charge.tenant_id}:{_day()}:{charge.user}", "1", nx=True, ex=_TTL_S)
        return BudgetSpent(plan_type=charge.plan_type, kind=kind, allowed=allowed, notify=bool(first))  # type: ignore[arg-type]

    def add_tokens(self, tenant_id: UUID, tokens: int, *, pooled: bool) -> None:
        """LLM tokens an answer used: the next answers see them."""
        if tokens <= 0:
            return
        pipe = self.client.pipeline()
        for key in (usage_key(tenant_id), *((pool_key(),) if pooled else ())):
            pipe.hincrby(key, "tokens", tokens)
            pipe.expire(key, _TTL_S)
        pipe.execute()

    def used_today(self, tenant_id: UUID) -> tuple[int, int]:
        """(answers, tokens) so far today."""
        return self._pair(usage_key(tenant_id))

    def pool_today(self) -> tuple[int, int]:
        return self._pair(pool_key())

    def _pair(self, key: str) -> tuple[int, int]:
        values: list = self.client.hmget(key, ["answers", "tokens"])  # type: ignore[assignment]
        return int(values[0] or 0), int(values[1] or 0)


# --- PostgreSQL: when there is no Redis (a RabbitMQ broker) --------------------------------------
# The upsert locks the tenant's row for the day (and the pool's, always after it: no deadlock), so
# concurrent charges of one tenant are counted one at a time.
_LOCK_TENANT = (
    "INSERT INTO usage_daily (tenant_id, day) VALUES (%s, %s) ON CONFLICT (tenant_id, day)"
    " DO UPDATE SET answers = usage_daily.answers RETURNING answers, tokens, (xmax = 0) AS fresh"
)
_LOCK_POOL = (
    "INSERT INTO usage_free_pool (day) VALUES (%s) ON CONFLICT (day)"
    " DO UPDATE SET answers = usage_free_pool.answers RETURNING answers, tokens"
)
_MARK = "INSERT INTO usage_daily_marks (tenant_id, day, mark) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1"


class PostgresUsage:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def charge(self, charge: Charge) -> BudgetSpent | None:
        day, tenant = today(), charge.tenant_id
        with tenant_tx(self.pool, tenant) as conn:
            used = conn.execute(_LOCK_TENANT, [tenant, day]).fetchone()
            assert used is not None  # an upsert … RETURNING returns its row
            if used["fresh"]:  # the tenant's first answer today: forget the marks of two days ago
                conn.execute("DELETE FROM usage_daily_marks WHERE tenant_id = %s AND day < %s", [tenant, day - _DAY])
            job_mark = f"job:{charge.job_id}"
            if (
                charge.job_id
                and conn.execute(
                    "SELECT 1 FROM usage_daily_marks WHERE tenant_id = %s AND day = %s AND mark = %s",
                    [tenant, day, job_mark],
                ).fetchone()
            ):
                return None  # this job was charged already (a retry)
            spent = _over(charge.quota, used["answers"], used["tokens"])
            if spent is None and charge.pool is not None:
                pooled = conn.execute(_LOCK_POOL, [day]).fetchone()
                assert pooled is not None
                spent = _pool_over(charge.pool, pooled["answers"], pooled["tokens"])
                if spent is None:
                    conn.execute("UPDATE usage_free_pool SET answers = answers + 1 WHERE day = %s", [day])
            if spent is not None:
                first = conn.execute(_MARK, [tenant, day, f"notice:{charge.user}"]).fetchone() is not None
                return BudgetSpent(plan_type=charge.plan_type, kind=spent[0], allowed=spent[1], notify=first)
            conn.execute(
                "UPDATE usage_daily SET answers = answers + 1 WHERE tenant_id = %s AND day = %s", [tenant, day]
            )
            if charge.job_id:
                conn.execute(_MARK, [tenant, day, job_mark])
        return None

    def add_tokens(self, tenant_id: UUID, tokens: int, *, pooled: bool) -> None:
        if tokens <= 0:
            return
        day = today()
        with tenant_tx(self.pool, tenant_id) as conn:
            conn.execute(
                "INSERT INTO usage_daily (tenant_id, day, tokens) VALUES (%s, %s, %s) ON CONFLICT (tenant_id, day)"
                " DO UPDATE SET tokens = usage_daily.tokens + EXCLUDED.tokens",
                [tenant_id, day, tokens],
            )
            if pooled:
                conn.execute(
                    "INSERT INTO usage_free_pool (day, tokens) VALUES (%s, %s) ON CONFLICT (day)"
                    " DO UPDATE SET tokens = usage_free_pool.tokens + EXCLUDED.tokens",
                    [day, tokens],
                )

    def used_today(self, tenant_id: UUID) -> tuple[int, int]:
        with tenant_tx(self.pool, tenant_id) as conn:
            row = conn.execute(
                "SELECT answers, tokens FROM usage_daily WHERE tenant_id = %s AND day = %s", [tenant_id, today()]
            ).fetchone()
        return (row["answers"], row["tokens"]) if row else (0, 0)

    def pool_today(self) -> tuple[int, int]:
        with no_tenant_tx(self.pool) as conn:
            row = conn.execute("SELECT answers, tokens FROM usage_free_pool WHERE day = %s", [today()]).fetchone()
        return (row["answers"], row["tokens"]) if row else (0, 0)


_DAY = timedelta(days=1)
