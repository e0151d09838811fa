"""Daily budgets per tenant (answers, LLM tokens) counted in Redis per UTC day; when spent, each
person is told once that day in their language, then NOX stays quiet (a notice per message would
itself be the flood). Without Redis, budgets are not enforced."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import redis
from pydantic import BaseModel

from jamono.fairness.plans import PlanQuota
from jamono.i18n import Lang

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


class BudgetSpent(BaseModel):
    plan_type: str
    kind: str  # "answers" or "tokens"
    allowed: int
    notify: bool  # the first refusal of this person today: tell them; later ones: stay quiet

    def message(self, lang: Lang) -> str:
        what = _WHAT[self.kind][lang].format(n=self.allowed)
        if lang == "fr":
            what = what.replace(",", "\u202f")
        return _TEXT[lang].format(plan=self.plan_type, what=what)


def _day() -> str:
    return datetime.now(UTC).strftime("%Y%m%d")


def _key(tenant_id: UUID) -> str:
    return f"jamono:use:{tenant_id}:{_day()}"


def spend_answer(
    client: redis.Redis, tenant_id: UUID, plan_type: str, quota: PlanQuota, user: str
) -> BudgetSpent | None:
    """Count one answer against today's budget; the budget it exceeds, or None to go ahead."""
    key = _key(tenant_id)
    pipe = client.pipeline()
    pipe.hincrby(key, "answers", 1)
    pipe.hget(key, "tokens")
    pipe.expire(key, _TTL_S)
    answers, tokens, _ = pipe.execute()
    if quota.answers_per_day and int(answers) > quota.answers_per_day:
        kind, allowed = "answers", quota.answers_per_day
    elif quota.llm_tokens_per_day and int(tokens or 0) >= quota.llm_tokens_per_day:
        kind, allowed = "tokens", quota.llm_tokens_per_day
    else:
        return None
    client.hincrby(key, "answers", -1)  # a refusal is not an answer
    first = client.set(f"jamono:use-notice:{tenant_id}:{_day()}:{user}", "1", nx=True, ex=_TTL_S)
    return BudgetSpent(plan_type=plan_type, kind=kind, allowed=allowed, notify=bool(first))


def spend_tokens(client: redis.Redis, tenant_id: UUID, tokens: int) -> None:
    """LLM tokens an answer used: the next answers see them."""
    if tokens <= 0:
        return
    key = _key(tenant_id)
    pipe = client.pipeline()
    pipe.hincrby(key, "tokens", tokens)
    pipe.expire(key, _TTL_S)
    pipe.execute()


def used_today(client: redis.Redis, tenant_id: UUID) -> tuple[int, int]:
    """(answers, tokens) so far today."""
    values: list = client.hmget(_key(tenant_id), ["answers", "tokens"])  # type: ignore[assignment]
    return int(values[0] or 0), int(values[1] or 0)
