"""Daily budgets through `refusal()`, on both stores: Redis (the fast path) and PostgreSQL (a
RabbitMQ deployment has no Redis). A job is charged once however often it runs; a refusal is not
an answer; each person is told once a day, in their language."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from jamono.container import Runtime
from jamono.fairness.admission import daily_usage, record_tokens, refusal
from jamono.platform.tenancy import TeamIdentity, WorkspaceContext, register_workspace


@pytest.fixture(params=["redis", "postgres"])
def runtime(request, base_settings) -> Iterator[Runtime]:
    """A worker's runtime with small budgets; without REDIS_URL for the PostgreSQL store."""
    update = {"daily_budgets": "free=3:1000,team=0:0", "free_pool_daily": "0"}
    if request.param == "postgres":
        update["redis_url"] = None
    rt = Runtime(base_settings.model_copy(update=update))
    yield rt
    rt.close()


def _job() -> str:
    return "Ev" + uuid.uuid4().hex[:10]


def _tenant(pool, plan: str = "free") -> WorkspaceContext:
    team = "T" + uuid.uuid4().hex[:10].upper()
    ws = register_workspace(pool, TeamIdentity(team_id=team, team_name=team))
    if plan != "free":
        from jamono.platform.db import tenant_tx

        with tenant_tx(pool, ws.tenant_id) as conn:
            conn.execute("UPDATE tenants SET plan_type = %s WHERE id = %s", [plan, ws.tenant_id])
        ws = ws.model_copy(update={"plan_type": plan})
    return ws


def test_the_store_is_redis_when_there_is_one_else_postgresql(runtime: Runtime) -> None:
    kind = type(daily_usage(runtime)).__name__
    assert kind == ("RedisUsage" if runtime.settings.redis_url else "PostgresUsage")


def test_a_spent_answers_budget_refuses_and_tells_each_person_once(runtime: Runtime, pool) -> None:
    ws = _tenant(pool)
    assert [refusal(runtime, ws, "U0A", "en", _job()) for _ in range(3)] == [None, None, None]
    first = refusal(runtime, ws, "U0A", "en", _job())
    assert first is not None and first.notify
    assert "daily allowance on the free plan (3 answers)" in first.text
    again = refusal(runtime, ws, "U0A", "en", _job())
    assert again is not None and not again.notify, "told once a day, then quiet"
    other = refusal(runtime, ws, "U0B", "fr", _job())
    assert other is not None and other.notify and "3 réponses" in other.text
    assert daily_usage(runtime).used_today(ws.tenant_id) == (3, 0), "refusals are not answers"


def test_spent_tokens_refuse_too(runtime: Runtime, pool) -> None:
    ws = _tenant(pool)
    assert refusal(runtime, ws, "U0A", "en", _job()) is None
    record_tokens(runtime, ws, 1000)
    spent = refusal(runtime, ws, "U0A", "fr", _job())
    assert spent is not None and spent.notify and "1\u202f000 jetons" in spent.text
    assert daily_usage(runtime).used_today(ws.tenant_id) == (1, 1000)


def test_a_retried_job_is_charged_once(runtime: Runtime, pool) -> None:
    ws = _tenant(pool)
    job = _job()
    for _ in range(3):  # the first attempt, then two retries of the same job
        assert refusal(runtime, ws, "U0A", "en", job) is None
    assert daily_usage(runtime).used_today(ws.tenant_id) == (1, 0)
    assert refusal(runtime, ws, "U0A", "en", _job()) is None
    assert refusal(runtime, ws, "U0A", "en", _job()) is None
    assert refusal(runtime, ws, "U0A", "en", job) is None, "already charged: a retry still answers"
    refused = _job()
    assert refusal(runtime, ws, "U0A", "en", refused) is not None
    assert refusal(runtime, ws, "U0A", "en", refused) is not None, "a refused job was not charged"
    assert daily_usage(runtime).used_today(ws.tenant_id) == (3, 0)


def test_tenants_are_counted_apart(runtime: Runtime, pool) -> None:
    busy, quiet = _tenant(pool), _tenant(pool)
    for _ in range(3):
        refusal(runtime, busy, "U0A", "en", _job())
    assert refusal(runtime, busy, "U0A", "en", _job()) is not None
    assert refusal(runtime, quiet, "U0A", "en", _job()) is None


def test_the_redis_store_keeps_counting_where_the_old_keys_are(base_settings, pool) -> None:
    """Today's answers written by the previous release (same hash) still count."""
    from datetime import UTC, datetime

    rt = Runtime(base_settings.model_copy(update={"daily_budgets": "free=3:1000", "free_pool_daily": "0"}))
    try:
        ws = _tenant(pool)
        assert rt.cache is not None
        rt.cache.hset(f"jamono:use:{ws.tenant_id}:{datetime.now(UTC):%Y%m%d}", mapping={"answers": 3})
        assert refusal(rt, ws, "U0A", "en", _job()) is not None
    finally:
        rt.close()


def test_a_redis_failure_answers_uncounted(base_settings, pool) -> None:
    rt = Runtime(base_settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0", "daily_budgets": "free=1:0"}))
    try:
        ws = _tenant(pool)
        assert isinstance(daily_usage(rt).client, redis.Redis)  # type: ignore[attr-defined]
        assert refusal(rt, ws, "U0A", "en", _job()) is None
        assert refusal(rt, ws, "U0A", "en", _job()) is None
    finally:
        rt.close()


@pytest.fixture(params=["redis", "postgres"])
def pooled(request, base_settings) -> Iterator[Runtime]:
    """Free tenants each allowed 3 answers a day, all of them together 4 (JAMONO_FREE_POOL_DAILY)."""
    update = {"daily_budgets": "free=3:0,team=0:0", "free_pool_daily": "4:0"}
    if request.param == "postgres":
        update["redis_url"] = None
    rt = Runtime(base_settings.model_copy(update=update))
    _empty_pool(rt)
    yield rt
    _empty_pool(rt)
    rt.close()


def _empty_pool(rt: Runtime) -> None:
    from jamono.fairness.budget import pool_key, today
    from jamono.platform.db import no_tenant_tx

    if rt.cache is not None:
        rt.cache.delete(pool_key())
    with no_tenant_tx(rt.pool) as conn:
        conn.execute("DELETE FROM usage_free_pool WHERE day = %s", [today()])


def test_farming_free_workspaces_cannot_spend_beyond_the_free_pool(pooled: Runtime, pool) -> None:
    first, second, third = _tenant(pool), _tenant(pool), _tenant(pool)
    for _ in range(3):
        assert refusal(pooled, first, "U0A", "en", _job()) is None
    assert refusal(pooled, second, "U0B", "en", _job()) is None  # the pool's 4th answer
    said = refusal(pooled, second, "U0B", "en", _job())
    assert said is not None and said.notify
    assert "free plan has used all it can spend today across every workspace" in said.text
    assert "Paid plans are not affected" in said.text
    french = refusal(pooled, third, "U0C", "fr", _job())
    assert french is not None and french.notify and "L'offre gratuite de NOX a épuisé" in french.text
    quiet = refusal(pooled, third, "U0C", "fr", _job())
    assert quiet is not None and not quiet.notify, "told once a day"
    paid = _tenant(pool, "team")
    assert all(refusal(pooled, paid, "U0D", "en", _job()) is None for _ in range(5)), "paid plans draw on no pool"
    assert daily_usage(pooled).pool_today() == (4, 0)


def test_the_free_pool_counts_tokens_and_zero_turns_it_off(pooled: Runtime, pool, base_settings) -> None:
    pooled.settings = pooled.settings.model_copy(update={"free_pool_daily": "0:500"})
    ws, paid = _tenant(pool), _tenant(pool, "team")
    assert refusal(pooled, ws, "U0A", "en", _job()) is None
    record_tokens(pooled, ws, 300)
    record_tokens(pooled, paid, 10_000)  # not the free pool's
    assert refusal(pooled, ws, "U0A", "en", _job()) is None
    record_tokens(pooled, _tenant(pool), 200)
    assert refusal(pooled, ws, "U0A", "en", _job()) is not None
    assert daily_usage(pooled).pool_today() == (2, 500)
    pooled.settings = pooled.settings.model_copy(update={"free_pool_daily": "0"})
    assert refusal(pooled, ws, "U0A", "en", _job()) is None


def test_concurrent_charges_never_exceed_the_budget(runtime: Runtime, pool) -> None:
    """Atomic: 24 answers asked at once on a budget of 3 (and the same job twice per thread)."""
    from concurrent.futures import ThreadPoolExecutor

    ws = _tenant(pool)
    jobs = [_job() for _ in range(12)] * 2

    def ask(job: str) -> bool:
        return refusal(runtime, ws, "U0A", "en", job) is None

    with ThreadPoolExecutor(max_workers=8) as threads:
        answered = list(threads.map(ask, jobs))
    assert daily_usage(runtime).used_today(ws.tenant_id) == (3, 0)
    assert len({job for job, ok in zip(jobs, answered, strict=True) if ok}) == 3
