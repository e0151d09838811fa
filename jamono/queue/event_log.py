"""The idempotency record of Slack events: whatever Slack or Dramatiq redeliver, one reply.
Why and how: docs/design/queue.md."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dramatiq.errors import Retry
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


@contextmanager
def event_lock(pool: Pool, ws: WorkspaceContext, event_id: str) -> Iterator[None]:
    key = f"{ws.tenant_id}:{event_id}"
    with pool.connection() as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0)) AS ok", [key]).fetchone()
        assert row is not None  # a SELECT of a function returns one row
        got = row["ok"]
        conn.commit()
        if not got:
            raise EventBusy(event_id)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
            conn.commit()


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
