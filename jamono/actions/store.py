"""The `actions` table: the idempotency record and state machine behind every external effect.
Why and how: docs/design/actions.md."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from jamono.actions.models import Action, ActionType
from jamono.platform.db import Connection

_COLUMNS = (
    "id, tenant_id, workspace_id, interaction_id, type, idempotency_key, fingerprint, parameters, status,"
    " external_id, external_url, result, attempts, last_error, proposed_by, confirmed_by, confirmed_at,"
    " channel_id, thread_ts, lease_until, announced_at, notified_at, created_at, updated_at"
)


def _action(row: dict[str, Any] | None) -> Action | None:
    return Action.model_validate(row) if row else None


def propose(
    conn: Connection,
    *,
    workspace_id: UUID,
    type: ActionType,
    key: str,
    fingerprint: str,
    parameters: dict[str, Any],
    interaction_id: UUID | None,
    proposed_by: str | None,
    channel_id: str | None,
    thread_ts: str | None,
) -> Action:
    """The action for `key`, created as `proposed` on first sight; an existing row is returned as is."""
    conn.execute(
        "INSERT INTO actions (tenant_id, workspace_id, interaction_id, type, idempotency_key, fingerprint, parameters,"
        " proposed_by, channel_id, thread_ts)"
        " VALUES (jamono_current_tenant(), %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
        [workspace_id, interaction_id, type, key, fingerprint, Jsonb(parameters), proposed_by, channel_id, thread_ts],
    )
    found = by_key(conn, key)
    assert found is not None
    return found


def by_key(conn: Connection, key: str) -> Action | None:
    return _action(conn.execute(f"SELECT {_COLUMNS} FROM actions WHERE idempotency_key = %s", [key]).fetchone())


def get(conn: Connection, action_id: UUID) -> Action | None:
    return _action(conn.execute(f"SELECT {_COLUMNS} FROM actions WHERE id = %s", [action_id]).fetchone())


def update_parameters(conn: Connection, action_id: UUID, parameters: dict[str, Any]) -> None:
    """Only while nothing has happened yet: a booked meeting is not silently changed."""
    conn.execute(
        "UPDATE actions SET parameters = %s, updated_at = now()"
        " WHERE id = %s AND status IN ('proposed', 'failed', 'dismissed')",
        [Jsonb(parameters), action_id],
    )


def confirm(conn: Connection, action_id: UUID, user: str) -> Action | None:
    """proposed/failed/dismissed → confirmed by `user`; None when it is already under way or done."""
    return _action(
        conn.execute(
            f"UPDATE actions SET status = 'confirmed', confirmed_by = %s, confirmed_at = clock_timestamp(), last_error = NULL,"
            f" updated_at = now() WHERE id = %s AND status IN ('proposed', 'failed', 'dismissed') RETURNING {_COLUMNS}",
            [user, action_id],
        ).fetchone()
    )


def claim(conn: Connection, action_id: UUID, lease: timedelta, owner: str) -> Action | None:
    """confirmed → running for `owner`; None when another holds it. A running row is taken over
    when its lease expired, or when `owner` already held it: the queue redelivers a message only
    once the worker that had it is gone."""
    return _action(
        conn.execute(
            f"UPDATE actions SET status = 'running', attempts = attempts + 1, lease_until = now() + %s,"
            f" lease_owner = %s, updated_at = now()"
            f" WHERE id = %s AND (status = 'confirmed'"
            f"  OR (status = 'running' AND (lease_until < now() OR lease_owner = %s)))"
            f" RETURNING {_COLUMNS}",
            [lease, owner, action_id, owner],
        ).fetchone()
    )


def release(conn: Connection, action_id: UUID, error: str) -> None:
    """An attempt failed and the queue will try again: back to confirmed, with the reason."""
    conn.execute(
        "UPDATE actions SET status = 'confirmed', lease_until = NULL, last_error = %s, updated_at = now()"
        " WHERE id = %s AND status = 'running'",
        [error[:1000], action_id],
    )


def fail(conn: Connection, action_id: UUID, error: str) -> None:
    conn.execute(
        "UPDATE actions SET status = 'failed', lease_until = NULL, last_error = %s, updated_at = now()"
        " WHERE id = %s AND status IN ('running', 'confirmed')",
        [error[:1000], action_id],
    )


def done(conn: Connection, action_id: UUID, *, external_id: str, external_url: str, result: dict[str, Any]) -> None:
    conn.execute(
        "UPDATE actions SET status = 'done', external_id = %s, external_url = %s, result = result || %s,"
        " lease_until = NULL, last_error = NULL, done_at = now(), updated_at = now() WHERE id = %s",
        [external_id, external_url, Jsonb(result), action_id],
    )


def merge_result(conn: Connection, action_id: UUID, result: dict[str, Any]) -> None:
    conn.execute(
        "UPDATE actions SET result = result || %s, updated_at = now() WHERE id = %s", [Jsonb(result), action_id]
    )


def dismiss(conn: Connection, action_id: UUID, user: str) -> bool:
    return (
        conn.execute(
            "UPDATE actions SET status = 'dismissed', confirmed_by = %s, updated_at = now()"
            " WHERE id = %s AND status IN ('proposed', 'failed')",
            [user, action_id],
        ).rowcount
        == 1
    )


def set_thread(conn: Connection, action_id: UUID, channel_id: str, thread_ts: str) -> None:
    conn.execute(
        "UPDATE actions SET channel_id = %s, thread_ts = %s, updated_at = now() WHERE id = %s",
        [channel_id, thread_ts, action_id],
    )


def mark(conn: Connection, action_id: UUID, column: str) -> bool:
    """Set announced_at / notified_at once; False when it was already set (someone posted it)."""
    if column not in ("announced_at", "notified_at"):
        raise ValueError(column)
    return (
        conn.execute(f"UPDATE actions SET {column} = now() WHERE id = %s AND {column} IS NULL", [action_id]).rowcount
        == 1
    )


def same_incident(conn: Connection, action: Action, window: timedelta) -> Action | None:
    """Another ticket action for the same incident (same thread, or same service and symptom within
    `window`) that opened its ticket or is opening it; None, and `action` is now the one opening it.

    Decided under transaction-scoped advisory locks on the incident's keys (thread, dedup key),
    taken in one order: of two concurrent reports the first to decide files and marks itself the
    filer, the second sees that mark and waits for the ticket. (Ordering by confirmation time was
    not enough: a confirmation stamped earlier can commit later, and then both filed.) A filer
    that fails for good stops counting, so a later report files instead."""
    params = action.parameters
    keys = sorted(
        {
            f"thread:{action.channel_id}:{action.thread_ts}" if action.thread_ts else "",
            f"dedup:{params.get('dedup_key')}" if params.get("dedup_key") else "",
        }
        - {""}
    )
    for key in keys:
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{action.tenant_id}:{key}"])
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM actions WHERE type = 'jira.create_ticket' AND id <> %s"
        " AND NOT (result ? 'duplicate_of')"
        " AND (status = 'done' OR (status IN ('confirmed', 'running') AND result ? 'filer'))"
        " AND ((channel_id = %s AND thread_ts = %s)"
        "      OR (%s::text IS NOT NULL AND parameters->>'dedup_key' = %s::text AND created_at > now() - %s))"
        " ORDER BY status = 'done' DESC, created_at ASC LIMIT 1",
        [action.id, action.channel_id, action.thread_ts, params.get("dedup_key"), params.get("dedup_key"), window],
    ).fetchone()
    if row is None:
        conn.execute("UPDATE actions SET result = result || '{\"filer\": true}' WHERE id = %s", [action.id])
    return _action(row)


def for_interaction(conn: Connection, interaction_id: UUID) -> list[Action]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM actions WHERE interaction_id = %s ORDER BY created_at", [interaction_id]
    ).fetchall()
    return [Action.model_validate(r) for r in rows]


def listing(conn: Connection, *, status: str | None = None, limit: int = 50) -> list[Action]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM actions WHERE (%s::text IS NULL OR status = %s::text)"
        " ORDER BY updated_at DESC LIMIT %s",
        [status, status, limit],
    ).fetchall()
    return [Action.model_validate(r) for r in rows]
