"""The workers' upkeep: one worker at a time refreshes agent_metrics and forgets old Slack event ids,
tenant by tenant under row-level security, with real PostgreSQL and a real Dramatiq worker."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import dramatiq
from dramatiq.brokers.stub import StubBroker

from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace
from jamono.queue.housekeeping import Housekeeping, claim_due, run_once
from tests.home.factories import seed

RETENTION = timedelta(days=14)


def _event(pool, ws, age: timedelta) -> str:
    event_id = "Ev" + uuid.uuid4().hex[:12]
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute(
            "INSERT INTO slack_events (tenant_id, event_id, workspace_id, channel_id, status, received_at)"
            " VALUES (%s, %s, %s, 'C0OPS', 'answered', now() - %s)",
            [ws.tenant_id, event_id, ws.workspace_id, age],
        )
    return event_id


def _events(pool, ws) -> set[str]:
    with tenant_tx(pool, ws.tenant_id) as conn:
        return {
            r["event_id"]
            for r in conn.execute("SELECT event_id FROM slack_events WHERE workspace_id = %s", [ws.workspace_id])
        }


def _metric_days(pool, ws) -> dict:
    with tenant_tx(pool, ws.tenant_id) as conn:
        return {
            r["day"]: r["interactions"]
            for r in conn.execute(
                "SELECT day, interactions FROM agent_metrics WHERE workspace_id = %s", [ws.workspace_id]
            )
        }


def test_one_pass_refreshes_metrics_and_forgets_old_event_ids_in_every_tenant(pool, workspace):
    other = register_workspace(pool, TeamIdentity(team_id="T" + uuid.uuid4().hex[:10].upper()))
    now = datetime.now(UTC)
    old = {ws.workspace_id: _event(pool, ws, RETENTION + timedelta(hours=1)) for ws in (workspace, other)}
    recent = {ws.workspace_id: _event(pool, ws, RETENTION - timedelta(hours=1)) for ws in (workspace, other)}
    seed(pool, workspace, [{"created_at": now, "intent": "question", "response_time_ms": 80}] * 3)
    seed(pool, other, [{"created_at": now, "intent": "incident", "response_time_ms": 20}])

    report = run_once(pool, retention=RETENTION)

    assert report.failed_tenants == 0 and report.workspaces >= 2 and report.events_forgotten >= 2
    for ws in (workspace, other):
        left = _events(pool, ws)
        assert old[ws.workspace_id] not in left and recent[ws.workspace_id] in left
    assert _metric_days(pool, workspace)[now.date()] == 3
    assert _metric_days(pool, other)[now.date()] == 1


def test_only_one_caller_wins_each_interval(pool):
    task = "test-" + uuid.uuid4().hex[:8]
    hour = timedelta(hours=1)
    assert claim_due(pool, hour, task) is True
    assert [claim_due(pool, hour, task) for _ in range(3)] == [False, False, False]
    assert claim_due(pool, timedelta(0), task) is True  # due again once the interval has passed


def test_a_worker_runs_it_on_its_own_once_booted(pool, workspace):
    """The middleware's thread, in a real Dramatiq worker: the rollup appears with nobody asking."""
    seed(pool, workspace, [{"created_at": datetime.now(UTC), "intent": "question", "response_time_ms": 5}])
    broker = StubBroker()
    housekeeping = Housekeeping(
        every=timedelta(hours=1),
        retention=RETENTION,
        first_delay_s=(0, 0),
        poll_s=0.2,
        pool=pool,
        task="test-" + uuid.uuid4().hex[:8],
    )
    broker.add_middleware(housekeeping)
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while not _metric_days(pool, workspace) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.stop()
    assert _metric_days(pool, workspace) == {datetime.now(UTC).date(): 1}
    assert housekeeping._thread is not None and not housekeeping._thread.is_alive(), "stopped with the worker"


def test_a_worker_shutting_down_stops_the_pass_between_workspaces_and_leaves_it_due(pool, workspace):
    register_workspace(pool, TeamIdentity(team_id="T" + uuid.uuid4().hex[:10].upper()))  # at least two
    asked = []

    def stopping() -> bool:
        asked.append(True)
        return len(asked) > 1  # let one workspace through, then stop

    task = "test-" + uuid.uuid4().hex[:8]
    assert claim_due(pool, timedelta(hours=1), task)
    report = run_once(pool, retention=RETENTION, stopping=stopping, task=task)
    assert report.workspaces == 1 and len(asked) == 2
    assert claim_due(pool, timedelta(hours=1), task), "an interrupted pass is due again at once"


def test_old_daily_budget_counters_are_forgotten(pool, workspace):
    """Budgets counted in PostgreSQL (no Redis): a week of counters stays, older days and their marks go."""
    today = datetime.now(UTC).date()
    with tenant_tx(pool, workspace.tenant_id) as conn:
        for age in (0, 3, 8):
            day = today - timedelta(days=age)
            conn.execute(
                "INSERT INTO usage_daily (tenant_id, day, answers) VALUES (%s, %s, 1)", [workspace.tenant_id, day]
            )
            conn.execute(
                "INSERT INTO usage_daily_marks (tenant_id, day, mark) VALUES (%s, %s, 'job:Ev1')",
                [workspace.tenant_id, day],
            )
        conn.execute(
            "INSERT INTO usage_free_pool (day, answers) VALUES (%s, 1) ON CONFLICT DO NOTHING",
            [today - timedelta(days=30)],
        )
    run_once(pool, retention=RETENTION, task="usage-" + uuid.uuid4().hex[:6])
    with tenant_tx(pool, workspace.tenant_id) as conn:
        counted = [r["day"] for r in conn.execute("SELECT day FROM usage_daily ORDER BY day DESC")]
        marked = [r["day"] for r in conn.execute("SELECT day FROM usage_daily_marks ORDER BY day DESC")]
        pooled = conn.execute("SELECT count(*) AS n FROM usage_free_pool WHERE day < %s", [today - timedelta(days=7)])
        assert pooled.fetchone()["n"] == 0
    assert counted == [today, today - timedelta(days=3)] and marked == [today]
