"""What each plan allows a tenant: answers and LLM tokens a day, and the rate answers start at.
Operators scale the rate (JAMONO_FAIR_RATE_SCALE) and override the budgets (JAMONO_DAILY_BUDGETS)."""

from __future__ import annotations

from pydantic import BaseModel

from jamono.platform.settings import Settings


class PlanQuota(BaseModel):
    answers_per_day: int  # 0: no limit
    llm_tokens_per_day: int  # 0: no limit
    answers_per_s: float  # sustained start rate of answering jobs (0: not scheduled)
    burst: int  # answers that may start at once before the rate applies


DEFAULTS: dict[str, PlanQuota] = {
    # A free workspace's 500 answers a day need far less than 1/s; the rate bounds its share of
    # the workers during a burst (bench/fair_share.py), the burst keeps a busy incident snappy.
    "free": PlanQuota(answers_per_day=500, llm_tokens_per_day=500_000, answers_per_s=1.0, burst=10),
    "team": PlanQuota(answers_per_day=5_000, llm_tokens_per_day=5_000_000, answers_per_s=3.0, burst=25),
    "enterprise": PlanQuota(answers_per_day=50_000, llm_tokens_per_day=50_000_000, answers_per_s=6.0, burst=50),
}


def shared_deployment(settings: Settings) -> bool:
    """Many tenants share this deployment (OAuth installs, no bot token in the environment): what
    fair shares are for. A self-hosted single workspace is its own only tenant and pays its own bill."""
    return settings.slack_bot_token is None


def budgets_enforced(settings: Settings) -> bool:
    """Daily budgets hold on a shared deployment, or anywhere JAMONO_DAILY_BUDGETS is set."""
    return shared_deployment(settings) or bool(settings.daily_budgets.strip())


def parse_budgets(text: str) -> dict[str, tuple[int, int]]:
    """`free=200:100000,team=2000:0` → {"free": (200, 100000), "team": (2000, 0)}."""
    budgets: dict[str, tuple[int, int]] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        plan, _, values = item.partition("=")
        answers, _, tokens = values.partition(":")
        try:
            budgets[plan.strip()] = (int(answers or 0), int(tokens or 0))
        except ValueError:
            raise ValueError(f"JAMONO_DAILY_BUDGETS: {item!r} is not plan=answers:tokens") from None
    return budgets


def quota_for(plan_type: str, settings: Settings) -> PlanQuota:
    base = DEFAULTS.get(plan_type, DEFAULTS["free"])
    answers, tokens = parse_budgets(settings.daily_budgets).get(
        plan_type, (base.answers_per_day, base.llm_tokens_per_day)
    )
    return base.model_copy(
        update={
            "answers_per_day": answers,
            "llm_tokens_per_day": tokens,
            "answers_per_s": base.answers_per_s * settings.fair_rate_scale,
        }
    )


class FreePool(BaseModel):
    """What every free-plan tenant of the deployment together may spend a day (0: no limit)."""

    answers_per_day: int
    llm_tokens_per_day: int


def free_pool(plan_type: str, settings: Settings) -> FreePool | None:
    """The deployment-wide pool a tenant of this plan also draws on; None: paid plans, or pool off."""
    if plan_type != "free":
        return None
    answers, _, tokens = settings.free_pool_daily.strip().partition(":")
    pool = FreePool(answers_per_day=int(answers), llm_tokens_per_day=int(tokens or 0))
    return pool if pool.answers_per_day or pool.llm_tokens_per_day else None
