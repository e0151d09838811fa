"""The idempotency record of Slack events: whatever Slack or Dramatiq redeliver, one reply.
Why and how: docs/design/queue.md."""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from dramatiq.errors import Retry
from psycopg.rows import tuple_row
from pydantic import BaseModel

from jamono.platform.db import Pool, tenant_tx
from jamono.platform.tenancy import WorkspaceContext


class EventBusy(Retry):
    """Another worker is handling this event right now: retry later (quietly; it may finish it)."""

    def __init__(self, event_id: str) -> None:
        super().__init__(f"event {event_id} is being handled by another worker", delay=1000)


class EventState(BaseModel):
    status: str
    reply_ts: str | None
    attempts: int


class _LockSession:
    """One connection holds every event lock of this process (per pool).

    A job holding a pooled connection for its whole run is a connection per answer in flight:
    with an LLM, dozens of threads wait seconds each for it, and would hold as many idle
    connections. Session advisory locks are re-entrant within a session, so the threads of this
    process are kept apart by `held`, other processes by PostgreSQL, as before; the locks still
    vanish with the process (its connection) if it dies.
    """

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._conn: psycopg.Connection[Any] | None = None
        self._generation = 0
        self._mutex = threading.Lock()
        self._held: dict[str, int] = {}

    def try_lock(self, key: str) -> bool:
        with self._mutex:
            if key in self._held:
                return False
            conn = self._connection()
            try:
                cur = conn.cursor(row_factory=tuple_row)
                row = cur.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [key]).fetchone()
            except psycopg.Error:
                self._drop()
                raise
            got = bool(row and row[0])
            if got:
                self._held[key] = self._generation
            return got

    def unlock(self, key: str) -> None:
        with self._mutex:
            generation = self._held.pop(key, None)
            if generation != self._generation or self._conn is None:
                return  # that connection is gone, and its locks with it
            try:
                self._conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
            except psycopg.Error:
                self._drop()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = self._pool.getconn()  # kept out of the pool for good
            # One round trip per lock or unlock, no BEGIN/COMMIT: every thread's lock waits on `_mutex`.
            self._conn.autocommit = True
            self._generation += 1
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None


_sessions: weakref.WeakKeyDictionary[Pool, _LockSession] = weakref.WeakKeyDictionary()
_sessions_lock = threading.Lock()


def _lock_session(pool: Pool) -> _LockSession:
    with _sessions_lock:
        session = _sessions.get(pool)
        if session is None:
            session = _sessions[pool] = _LockSession(pool)
        return session


@contextmanager
def event_lock(pool: Pool, ws: WorkspaceContext, event_id: str) -> Iterator[None]:
    """One worker at a time handles an event: EventBusy (a quiet retry) for the others."""
    key = f"{ws.tenant_id}:{event_id}"
    session = _lock_session(pool)
    if not session.try_lock(key):
        raise EventBusy(event_id)
    try:
        yield
    finally:
        session.unlock(key)


def claim(pool: Pool, ws: WorkspaceContext, event_id: str, channel: str) -> EventState:
    with tenant_tx(pool, ws.tenant_id) as conn:
        row = conn.execute(
            "INSERT INTO slack_events (tenant_id, event_id, workspace_id, channel_id, attempts)"
            " VALUES (%s, %s, %s, %s, 1)"
            " ON CONFLICT (tenant_id, event_id) DO UPDATE SET attempts = slack_events.attempts + 1"
            " RETURNING status, reply_ts, attempts",
            [ws.tenant_id, event_id, ws.workspace_id, channel],
        ).fetchone()
    return EventState.model_validate(row)


def set_reply_ts(pool: Pool, ws: WorkspaceContext, event_id: str, reply_ts: str) -> None:
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute(
            "UPDATE slack_events SET reply_ts = %s WHERE tenant_id = %s AND event_id = %s",
            [reply_ts, ws.tenant_id, event_id],
        )


def close_without_interaction(pool: Pool, ws: WorkspaceContext, event_id: str) -> None:
    """An event NOX answered with a notice rather than an interaction (e.g. a plan limit)."""
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute(
            "UPDATE slack_events SET status = 'answered' WHERE tenant_id = %s AND event_id = %s",
            [ws.tenant_id, event_id],
        )
