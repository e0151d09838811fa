"""The agent_metrics rollup on seeded interactions (and actions), and the App Home reading it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from jamono.home.metrics import _per_day_query, _totals_query, usage_metrics, window
from jamono.observability.agent_metrics import refresh_agent_metrics, rollup_recent
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace
from tests.home.factories import NOW, seed

DAY = timedelta(days=1)
TODAY = NOW.date()  # 2025-03-14


def _rows() -> list[dict]:
    return [
        {
            "created_at": NOW,
            "intent": "question",
            "response_time_ms": 100,
            "user_satisfaction": 1,
            "metadata": {"tokens": 120},
        },
        {
            "created_at": NOW,
            "intent": "incident",
            "response_time_ms": 300,
            "user_satisfaction": -1,
            "metadata": {"tokens": 30, "action": "jira_ticket"},
        },
        {"created_at": NOW, "intent": None, "response_time_ms": None, "success": False, "metadata": {"tokens": "x"}},
        {"created_at": NOW - DAY, "intent": "question", "response_time_ms": 2000, "metadata": {"action": "meeting"}},
        {"created_at": NOW - 10 * DAY, "intent": "question", "response_time_ms": 50},
    ]


def _metrics_rows(pool, tenant_id) -> dict[date, dict]:
    with tenant_tx(pool, tenant_id) as conn:
        return {r["day"]: dict(r) for r in conn.execute("SELECT * FROM agent_metrics ORDER BY day").fetchall()}


def _add_done_action(pool, ws, kind: str, when) -> None:
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute(
            "INSERT INTO actions (tenant_id, workspace_id, type, idempotency_key, fingerprint, status, done_at)"
            " VALUES (%s, %s, %s, %s, %s, 'done', %s)",
            [ws.tenant_id, ws.workspace_id, kind, uuid.uuid4().hex, uuid.uuid4().hex, when],
        )


@pytest.fixture
def seeded(pool, workspace):
    seed(pool, workspace, _rows())
    other = register_workspace(pool, TeamIdentity(team_id="T" + uuid.uuid4().hex[:10].upper()))
    seed(pool, other, [{"created_at": NOW, "intent": "incident", "response_time_ms": 1, "metadata": {"tokens": 999}}])
    return workspace, other


def test_a_day_s_figures(pool, seeded):
    ws, _ = seeded
    with tenant_tx(pool, ws.tenant_id) as conn:
        written = refresh_agent_metrics(conn, TODAY - 6 * DAY, TODAY)
    assert written == 2
    rows = _metrics_rows(pool, ws.tenant_id)
    assert sorted(rows) == [TODAY - DAY, TODAY]
    today = rows[TODAY]
    assert (today["interactions"], today["successes"], today["questions"], today["incidents"]) == (3, 2, 1, 1)
    assert today["response_time"] == pytest.approx(200) and today["response_time_p50"] == pytest.approx(200)
    assert today["success_rate"] == pytest.approx(2 / 3)
    assert (today["thumbs_up"], today["thumbs_down"], today["user_satisfaction"]) == (1, 1, 0.5)
    assert today["token_usage"] == 150  # the malformed count is ignored
    assert today["action_count"] == 1 and today["actions"] == {"tickets": 1, "meetings": 0}
    assert today["workspace_id"] == ws.workspace_id and today["tenant_id"] == ws.tenant_id
    yesterday = rows[TODAY - DAY]
    assert yesterday["user_satisfaction"] is None and yesterday["actions"] == {"tickets": 0, "meetings": 1}


def test_refreshing_again_picks_up_late_votes_and_actions_and_is_idempotent(pool, seeded):
    ws, _ = seeded
    with tenant_tx(pool, ws.tenant_id) as conn:
        refresh_agent_metrics(conn, TODAY, TODAY)
        conn.execute("UPDATE agent_interactions SET user_satisfaction = 1 WHERE user_satisfaction IS NULL")
    _add_done_action(pool, ws, "calendar.schedule_meeting", NOW)
    _add_done_action(pool, ws, "jira.create_ticket", NOW - 3 * DAY)  # a day with actions and no interaction
    for _ in range(2):
        with tenant_tx(pool, ws.tenant_id) as conn:
            refresh_agent_metrics(conn, TODAY - 6 * DAY, TODAY)
    rows = _metrics_rows(pool, ws.tenant_id)
    assert (rows[TODAY]["thumbs_up"], rows[TODAY]["thumbs_down"]) == (2, 1)
    assert rows[TODAY]["action_count"] == 2 and rows[TODAY]["actions"] == {"tickets": 1, "meetings": 1}
    assert rows[TODAY - 3 * DAY]["interactions"] == 0 and rows[TODAY - 3 * DAY]["actions"]["tickets"] == 1
    assert len(rows) == 3


def test_a_tenant_s_rollup_sees_and_writes_only_its_own_rows(pool, seeded):
    ws, other = seeded
    assert rollup_recent(pool, ws.tenant_id, days=1, today=TODAY) == 1
    assert rollup_recent(pool, other.tenant_id, days=1, today=TODAY) == 1
    mine, theirs = _metrics_rows(pool, ws.tenant_id), _metrics_rows(pool, other.tenant_id)
    assert mine[TODAY]["token_usage"] == 150 and theirs[TODAY]["token_usage"] == 999
    assert {r["tenant_id"] for r in mine.values()} == {ws.tenant_id}


@pytest.mark.parametrize("days", [7, 30])
def test_the_app_home_reads_the_rollup_and_agrees_with_the_interactions(pool, seeded, days):
    """UTC windows come from agent_metrics; they must equal the same figures computed directly."""
    ws, _ = seeded
    since, until, _ = window(days, now=NOW)
    params = {"since": since, "until": until, "tz": "UTC", "workspace_id": None}
    with tenant_tx(pool, ws.tenant_id) as conn:
        m = usage_metrics(conn, days, now=NOW)
        direct = conn.execute(_totals_query(None), params).fetchone()
        per_day = {r["day"]: r["n"] for r in conn.execute(_per_day_query(None), params).fetchall()}
        stored = conn.execute("SELECT count(*) AS n FROM agent_metrics").fetchone()["n"]
    assert stored >= 2, "the Home refreshed the rollup for its window"
    assert (m.interactions, m.questions, m.incidents, m.failures) == (
        direct["interactions"],
        direct["questions"],
        direct["incidents"],
        direct["failures"],
    )
    assert (m.thumbs_up, m.thumbs_down, m.tokens) == (direct["thumbs_up"], direct["thumbs_down"], direct["tokens"])
    assert (m.tickets, m.meetings) == (direct["action_tickets"], direct["action_meetings"])
    assert m.median_ms == direct["median_ms"] and m.p95_ms == direct["p95_ms"]
    assert {d.day: d.count for d in m.per_day if d.count} == per_day


def test_the_home_reads_figures_from_agent_metrics(pool, seeded):
    """Proof that the UTC path reads the table: a stored day the refresh does not recompute (its
    interactions are gone) still counts on the Home, with the figures stored in agent_metrics."""
    ws, _ = seeded
    with tenant_tx(pool, ws.tenant_id) as conn:
        refresh_agent_metrics(conn, TODAY - 29 * DAY, TODAY)
        conn.execute("DELETE FROM agent_interactions WHERE created_at < %s", [NOW - 5 * DAY])
        conn.execute("UPDATE agent_metrics SET token_usage = 1000000 WHERE day = %s", [TODAY - 10 * DAY])
        month = usage_metrics(conn, 30, now=NOW)
    assert month.interactions == 4 + 1
    assert month.tokens == 150 + 1_000_000
    assert next(d.count for d in month.per_day if d.day == TODAY - 10 * DAY) == 1
