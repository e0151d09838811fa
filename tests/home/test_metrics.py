"""Usage metrics on seeded interactions: exact percentiles, votes, tokens, windows, tenant isolation."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from psycopg import sql

from jamono.home.metrics import _totals_query, recent_interactions, usage_metrics, window
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace
from tests.home.factories import NOW, seed

DAY = timedelta(days=1)


def _week_rows() -> list[dict]:
    """Inside the 7-day window: 6 rows, latencies 100/200/300/400/1000 and one failure without one."""
    return [
        {
            "created_at": NOW,
            "intent": "question",
            "response_time_ms": 100,
            "user_satisfaction": 1,
            "metadata": {"tokens": 100},
        },
        {
            "created_at": NOW - DAY,
            "intent": "question",
            "response_time_ms": 200,
            "user_satisfaction": 1,
            "metadata": {"tokens": 250, "action": "jira_ticket"},
        },
        {
            "created_at": NOW - DAY,
            "intent": "incident",
            "response_time_ms": 300,
            "user_satisfaction": -1,
            "metadata": {"tokens": 0, "action": "meeting"},
        },
        {
            "created_at": NOW - 2 * DAY,
            "intent": "incident",
            "response_time_ms": 400,
            "user_satisfaction": 1,
            "metadata": {},
        },
        {
            "created_at": NOW - 3 * DAY,
            "intent": "question",
            "response_time_ms": 1000,
            "metadata": {"tokens": "abc"},
        },  # a malformed count is ignored, not fatal
        {
            "created_at": NOW - 3 * DAY,
            "intent": None,
            "response_time_ms": None,
            "success": False,
            "metadata": {"tokens": 50},
        },
    ]


def _month_rows() -> list[dict]:
    """Only in the 30-day window, and one row older than both."""
    return [
        {
            "created_at": NOW - 20 * DAY,
            "intent": "question",
            "response_time_ms": 5000,
            "user_satisfaction": -1,
            "metadata": {"tokens": 1000, "action": "jira_ticket"},
        },
        {"created_at": NOW - 20 * DAY, "intent": "question", "response_time_ms": 7000},
        {"created_at": NOW - 40 * DAY, "intent": "question", "response_time_ms": 9, "metadata": {"tokens": 99999}},
    ]


@pytest.fixture
def seeded(pool, workspace):
    seed(pool, workspace, _week_rows() + _month_rows())
    # Another tenant's busy day must not show up anywhere.
    other = register_workspace(pool, TeamIdentity(team_id="T" + uuid.uuid4().hex[:10].upper()))
    seed(
        pool,
        other,
        [
            {
                "created_at": NOW,
                "intent": "incident",
                "response_time_ms": 1,
                "user_satisfaction": 1,
                "metadata": {"tokens": 5000, "action": "jira_ticket"},
            }
        ]
        * 3,
    )
    return workspace


def test_seven_days(pool, seeded):
    with tenant_tx(pool, seeded.tenant_id) as conn:
        m = usage_metrics(conn, 7, now=NOW)
    assert (m.interactions, m.questions, m.incidents, m.failures) == (6, 3, 2, 1)
    assert (m.tickets, m.meetings) == (1, 1)
    assert m.median_ms == 300
    assert m.p95_ms == pytest.approx(880)  # 400 + 0.8 × (1000 − 400), percentile_cont's interpolation
    assert (m.thumbs_up, m.thumbs_down, m.satisfaction) == (3, 1, 0.75)
    assert m.tokens == 400
    assert [d.day for d in m.per_day] == [date(2025, 3, 8) + i * DAY for i in range(7)]
    assert [d.count for d in m.per_day] == [0, 0, 0, 2, 1, 2, 1]
    assert sum(d.count for d in m.per_day) == m.interactions


def test_thirty_days(pool, seeded):
    with tenant_tx(pool, seeded.tenant_id) as conn:
        m = usage_metrics(conn, 30, now=NOW)
    assert (m.interactions, m.questions, m.incidents) == (8, 5, 2)
    assert (m.tickets, m.meetings) == (2, 1)
    assert m.median_ms == 400
    assert m.p95_ms == pytest.approx(6400)  # 5000 + 0.7 × (7000 − 5000)
    assert (m.thumbs_up, m.thumbs_down, m.satisfaction) == (3, 2, 0.6)
    assert m.tokens == 1400
    assert len(m.per_day) == 30 and sum(d.count for d in m.per_day) == 8


def test_empty_window(pool, workspace):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        m = usage_metrics(conn, 7, now=NOW)
    assert m.interactions == 0 and m.median_ms is None and m.p95_ms is None and m.satisfaction is None
    assert m.tokens == 0 and [d.count for d in m.per_day] == [0] * 7


def test_days_are_the_time_zone_s_days(pool, workspace):
    late_friday_utc = NOW.replace(day=7, hour=23, minute=30)  # Saturday 00:30 in Paris
    seed(pool, workspace, [{"created_at": late_friday_utc, "intent": "question"}])
    with tenant_tx(pool, workspace.tenant_id) as conn:
        utc = usage_metrics(conn, 7, now=NOW)
        paris = usage_metrics(conn, 7, now=NOW, tz="Europe/Paris")
    assert utc.interactions == 0
    assert paris.interactions == 1 and paris.per_day[0].day == date(2025, 3, 8) and paris.per_day[0].count == 1


def test_window_bounds():
    since, until, days = window(7, now=NOW)
    assert since.isoformat() == "2025-03-08T00:00:00+00:00" and until.isoformat() == "2025-03-15T00:00:00+00:00"
    assert len(days) == 7
    with pytest.raises(ValueError):
        window(0)


def test_totals_are_an_index_range_scan(pool, workspace):
    """Tenant and time range are index conditions (on an empty table either index ties on cost)."""
    since, until, _ = window(30, now=NOW)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        conn.execute("SET LOCAL enable_seqscan = off")
        plan = conn.execute(
            sql.SQL("EXPLAIN ") + _totals_query(None), {"since": since, "until": until, "workspace_id": None}
        ).fetchall()
    text = "\n".join(str(next(iter(r.values()))) for r in plan)
    assert "Seq Scan" not in text
    cond = next(line for line in text.splitlines() if "Index Cond" in line)
    assert "tenant_id" in cond and "created_at >=" in cond and "created_at <" in cond


def test_recent_interactions_are_the_user_s_own_newest_first(pool, workspace):
    mine = [
        {"user_id": "U0ME", "created_at": NOW - i * DAY, "message": f"mine {i}", "intent": "question"} for i in range(7)
    ]
    seed(pool, workspace, mine + [{"user_id": "U0YOU", "created_at": NOW, "message": "theirs"}])
    with tenant_tx(pool, workspace.tenant_id) as conn:
        recent = recent_interactions(conn, "U0ME")
        capped = recent_interactions(conn, "U0ME", limit=10_000)
    assert [r.message for r in recent] == [f"mine {i}" for i in range(5)]
    assert len(capped) == 7 and all(r.message.startswith("mine") for r in capped)
