"""Event locks: one holder at a time, in this process and across processes, held without an open
transaction while the job runs."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest
from psycopg.pq import TransactionStatus

from jamono.queue import event_log
from jamono.queue.event_log import EventBusy


def _held_elsewhere(admin_database_url: str, key: str) -> bool:
    """Whether another session (another worker process) would be refused this event's lock."""
    with psycopg.connect(admin_database_url, autocommit=True) as other:
        row = other.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key]).fetchone()
        got = bool(row and row[0])
        if got:
            other.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
        return not got


def test_one_holder_at_a_time_in_this_process_and_in_others(pool, workspace, admin_database_url) -> None:
    event_id = "Ev" + uuid.uuid4().hex[:10]
    key = f"{workspace.tenant_id}:{event_id}"
    with event_log.event_lock(pool, workspace, event_id):
        assert _held_elsewhere(admin_database_url, key)
        outcome: list[BaseException | None] = []

        def second_thread() -> None:
            try:
                with event_log.event_lock(pool, workspace, event_id):
                    outcome.append(None)
            except EventBusy as exc:
                outcome.append(exc)

        thread = threading.Thread(target=second_thread)
        thread.start()
        thread.join(10)
        assert len(outcome) == 1 and isinstance(outcome[0], EventBusy)
    assert not _held_elsewhere(admin_database_url, key)
    with event_log.event_lock(pool, workspace, event_id):  # free again
        pass


def test_the_lock_connection_holds_no_transaction_while_a_job_runs(pool, workspace) -> None:
    # An open transaction for the whole job (an LLM call: seconds) would pin the oldest snapshot.
    with event_log.event_lock(pool, workspace, "Ev" + uuid.uuid4().hex[:10]):
        conn = event_log._lock_session(pool)._conn
        assert conn is not None
        assert conn.info.transaction_status == TransactionStatus.IDLE


def test_a_lock_is_refused_while_another_process_holds_it(pool, workspace, admin_database_url) -> None:
    event_id = "Ev" + uuid.uuid4().hex[:10]
    key = f"{workspace.tenant_id}:{event_id}"
    with psycopg.connect(admin_database_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [key])
        with pytest.raises(EventBusy), event_log.event_lock(pool, workspace, event_id):
            pass
    with event_log.event_lock(pool, workspace, event_id):  # that process is gone, and its lock with it
        pass
