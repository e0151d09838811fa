"""Periodic upkeep that every worker offers and one performs at a time.
Why and how: docs/design/queue.md."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dramatiq
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from jamono.home.settings_model import load_settings
from jamono.observability.agent_metrics import refresh_agent_metrics
from jamono.platform.db import Pool, no_tenant_tx, tenant_tx
from jamono.privacy.erasure import apply_retention
from jamono.privacy.purge import DEFAULT_GRACE_DAYS, purge_if_due

log = logging.getLogger(__name__)
TASK = "hourly"
INDEX_TASK = "tenant-indexes"


class HousekeepingReport(BaseModel):
    workspaces: int = 0
    events_forgotten: int = 0
    metric_rows: int = 0
    texts_blanked: int = 0
    workspaces_purged: int = 0
    failed_tenants: int = 0
    dead_letters_scrubbed: int = 0


def claim_due(pool: Pool, every: timedelta, task: str = TASK) -> bool:
    """True for exactly one caller per `every`: the one whose update found the task due."""
    with no_tenant_tx(pool) as conn:
        conn.execute("INSERT INTO housekeeping_runs (task) VALUES (%s) ON CONFLICT (task) DO NOTHING", [task])
        return (
            conn.execute(
                "UPDATE housekeeping_runs SET last_run = now() WHERE task = %s AND last_run <= now() - %s RETURNING task",
                [task, every],
            ).fetchone()
            is not None
        )


USAGE_KEPT = timedelta(days=7)  # daily budget counters (jamono.fairness.budget): a week, for support questions


def forget_old_usage(conn: Any, tenant_id: Any, today: date) -> None:
    """Daily budget counters older than a week, and their per-job and per-person marks after a day."""
    conn.execute("DELETE FROM usage_daily WHERE tenant_id = %s AND day < %s", [tenant_id, today - USAGE_KEPT])
    conn.execute(
        "DELETE FROM usage_daily_marks WHERE tenant_id = %s AND day < %s", [tenant_id, today - timedelta(days=1)]
    )


def run_once(
    pool: Pool,
    *,
    retention: timedelta,
    today: date | None = None,
    task: str = TASK,
    stopping: Callable[[], bool] = lambda: False,
    grace: timedelta = timedelta(days=DEFAULT_GRACE_DAYS),
) -> HousekeepingReport:
    """One pass over every workspace; a tenant that fails is logged and skipped, not fatal.
    `stopping` is asked between workspaces, so a worker shutting down does not wait for the pass."""
    last = today or datetime.now(UTC).date()
    report = HousekeepingReport()
    with no_tenant_tx(pool) as conn:
        workspaces = conn.execute("SELECT * FROM jamono_list_workspaces()").fetchall()
    stopped = False
    for row in workspaces:
        if stopping():
            stopped = True
            break
        report.workspaces += 1
        try:
            with tenant_tx(pool, row["tenant_id"]) as conn:
                if purge_if_due(conn, row["workspace_id"], grace):
                    report.workspaces_purged += 1
                    continue
                days = load_settings(conn, row["workspace_id"]).policy.retention_days
                report.texts_blanked += apply_retention(conn, row["workspace_id"], days)
                report.events_forgotten += conn.execute(
                    "DELETE FROM slack_events WHERE workspace_id = %s AND received_at < now() - %s",
                    [row["workspace_id"], min(retention, timedelta(days=days))],
                ).rowcount
                forget_old_usage(conn, row["tenant_id"], last)
                if row["is_active"]:
                    report.metric_rows += refresh_agent_metrics(
                        conn, last - timedelta(days=1), last, workspace_id=row["workspace_id"]
                    )
        except Exception:  # one tenant's trouble must not stop everyone else's upkeep
            report.failed_tenants += 1
            log.exception("housekeeping failed for a workspace", extra={"workspace_id": str(row["workspace_id"])})
    with no_tenant_tx(pool) as conn:
        conn.execute("DELETE FROM usage_free_pool WHERE day < %s", [last - USAGE_KEPT])
        # A pass cut short by a shutdown is due again at once: the next worker does it whole.
        conn.execute(
            "UPDATE housekeeping_runs SET report = %s,"
            " last_run = CASE WHEN %s THEN '-infinity'::timestamptz ELSE last_run END WHERE task = %s",
            [
                Jsonb(
                    {
                        **report.model_dump(),
                        "interrupted": stopped,
                        "finished_at": datetime.now(UTC).isoformat(),
                    }
                ),
                stopped,
                task,
            ],
        )
    return report


class Housekeeping(dramatiq.Middleware):
    """Starts, in each worker process, a thread that offers to run the upkeep every few minutes."""

    def __init__(
        self,
        *,
        every: timedelta,
        retention: timedelta,
        grace: timedelta = timedelta(days=DEFAULT_GRACE_DAYS),
        first_delay_s: tuple[float, float] = (10, 60),
        poll_s: float = 300.0,
        pool: Any = None,
        task: str = TASK,
        index_owner_url: str | None = None,
        index_min_rows: int | None = None,
    ) -> None:
        self.every = every
        self.task = task
        # The tables' owner, to build large tenants' own HNSW indexes (knowledge/tenant_index.py);
        # None where the app runs on a login that cannot (then `jamono kb index`, a CronJob).
        self.index_owner_url = index_owner_url
        self.index_min_rows = index_min_rows
        self.retention = retention
        self.grace = grace
        self.first_delay_s = first_delay_s
        self.poll_s = max(0.05, min(poll_s, every.total_seconds()))
        self._pool = pool
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._broker: dramatiq.Broker | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._broker = broker
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="jamono-housekeeping", daemon=True)
        self._thread.start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        if self._stop.wait(random.uniform(*self.first_delay_s)):  # processes booting together spread out
            return
        while True:
            self.tick()
            if self._stop.wait(self.poll_s * random.uniform(0.9, 1.1)):
                return

    def tick(self) -> HousekeepingReport | None:
        """Run the upkeep if it is due (and this process won it); errors are logged, never raised."""
        report = None
        try:
            pool = self._pool or _runtime_pool()
            if claim_due(pool, self.every, self.task):
                report = run_once(
                    pool, retention=self.retention, task=self.task, stopping=self._stop.is_set, grace=self.grace
                )
                report.dead_letters_scrubbed = self._scrub_dead_letters()
                log.info("housekeeping done", extra=report.model_dump())
            self._sync_tenant_indexes(pool)
        except Exception:
            log.exception("housekeeping could not run")
        return report

    def _sync_tenant_indexes(self, pool: Pool) -> None:
        """Large tenants' own HNSW indexes built and dropped as they grow and shrink, by one worker
        per interval (a build can take minutes: CONCURRENTLY, searches and writes go on)."""
        if not self.index_owner_url or self._stop.is_set():
            return
        if not claim_due(pool, self.every, f"{self.task}:{INDEX_TASK}"):
            return
        from knowledge.search import TENANT_INDEX_MIN_ROWS
        from knowledge.tenant_index import sync_tenant_indexes

        try:
            report = sync_tenant_indexes(self.index_owner_url, min_rows=self.index_min_rows or TENANT_INDEX_MIN_ROWS)
        except Exception as exc:  # the rest of the upkeep is done; this comes back next interval
            log.warning("could not sync the tenant indexes: %s", type(exc).__name__)
            return
        log.info(
            "tenant indexes synced",
            extra={
                "created": len(report.created),
                "dropped": len(report.dropped),
                "kept": len(report.kept),
                "busy": report.busy,
                "seconds": round(report.seconds, 1),
            },
        )

    def _scrub_dead_letters(self) -> int:
        """Dead letters older than the scrubbing middleware still hold people's words: rewrite them."""
        from dramatiq.brokers.redis import RedisBroker

        from jamono.queue.dead_letters import scrub_dead_letters

        if not isinstance(self._broker, RedisBroker):
            return 0
        try:
            return scrub_dead_letters(self._broker.client, self._broker.namespace)
        except Exception as exc:  # the rest of the upkeep is done; this comes back next pass
            log.warning("could not scrub the dead letters: %s", type(exc).__name__)
            return 0


def _runtime_pool() -> Pool:
    from jamono.container import get_runtime

    return get_runtime().pool
