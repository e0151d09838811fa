"""The `incidents` and `incident_events` tables. Every function runs inside the caller's
tenant transaction (row-level security scopes it); conditional UPDATEs are the claims that make
each step happen once."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from jamono.incidents.models import Incident, IncidentEvent
from jamono.platform.db import Connection

_COLUMNS = (
    "id, tenant_id, workspace_id, idempotency_key, interaction_id, title, severity, status, lead, reporter,"
    " lang, service, origin_channel, origin_thread_ts, channel_name, channel_id, card_ts, ticket_action_id,"
    " jira_key, jira_url, jira_status, jira_error, last_update, steps, runbooks, started_at, updated_at,"
    " last_update_at, reminded_at, resolved_at"
)
_EVENT_COLUMNS = "id, tenant_id, incident_id, idempotency_key, kind, actor, data, effects, jira_synced_at, created_at"
_UPDATABLE = {
    "title",
    "severity",
    "status",
    "lead",
    "channel_name",
    "channel_id",
    "card_ts",
    "ticket_action_id",
    "jira_key",
    "jira_url",
    "jira_status",
    "jira_error",
    "last_update",
    "runbooks",
    "resolved_at",
    "last_update_at",
}


def _incident(row: dict[str, Any] | None) -> Incident | None:
    return Incident.model_validate(row) if row else None


def create(
    conn: Connection,
    *,
    workspace_id: UUID,
    key: str,
    title: str,
    severity: str,
    reporter: str,
    lead: str | None,
    lang: str,
    service: str | None,
    interaction_id: UUID | None,
    origin_channel: str | None,
    origin_thread_ts: str | None,
    runbooks: list[dict[str, Any]],
) -> Incident:
    """The incident for `key`, created on first sight; an existing row is returned as is."""
    conn.execute(
        "INSERT INTO incidents (tenant_id, workspace_id, idempotency_key, interaction_id, title, severity, lead,"
        " reporter, lang, service, origin_channel, origin_thread_ts, runbooks)"
        " VALUES (jamono_current_tenant(), %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
        [
            workspace_id,
            key,
            interaction_id,
            title,
            severity,
            lead or reporter,
            reporter,
            lang,
            service,
            origin_channel,
            origin_thread_ts,
            Jsonb(runbooks),
        ],
    )
    found = by_key(conn, key)
    assert found is not None
    return found


def by_key(conn: Connection, key: str) -> Incident | None:
    return _incident(conn.execute(f"SELECT {_COLUMNS} FROM incidents WHERE idempotency_key = %s", [key]).fetchone())


def get(conn: Connection, incident_id: UUID, *, lock: bool = False) -> Incident | None:
    suffix = " FOR UPDATE" if lock else ""
    return _incident(conn.execute(f"SELECT {_COLUMNS} FROM incidents WHERE id = %s{suffix}", [incident_id]).fetchone())


def by_channel(conn: Connection, channel_id: str) -> Incident | None:
    return _incident(conn.execute(f"SELECT {_COLUMNS} FROM incidents WHERE channel_id = %s", [channel_id]).fetchone())


def by_interaction(conn: Connection, interaction_id: UUID) -> Incident | None:
    return _incident(
        conn.execute(
            f"SELECT {_COLUMNS} FROM incidents WHERE interaction_id = %s ORDER BY started_at LIMIT 1", [interaction_id]
        ).fetchone()
    )


def open_incidents(conn: Connection, limit: int = 20) -> list[Incident]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM incidents WHERE status <> 'resolved' ORDER BY started_at DESC LIMIT %s", [limit]
    ).fetchall()
    return [Incident.model_validate(r) for r in rows]


def update(conn: Connection, incident_id: UUID, **changes: Any) -> None:
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValueError(sorted(unknown))
    if not changes:
        return
    sets = ", ".join(f"{name} = %s" for name in changes)
    values = [Jsonb(v) if isinstance(v, (dict, list)) else v for v in changes.values()]
    conn.execute(f"UPDATE incidents SET {sets}, updated_at = now() WHERE id = %s", [*values, incident_id])


def reserve_name(conn: Connection, incident_id: UUID, name: str) -> bool:
    """Reserve a channel name for this incident; False when another incident holds it."""
    taken = conn.execute("SELECT 1 FROM incidents WHERE channel_name = %s AND id <> %s", [name, incident_id]).fetchone()
    if taken:
        return False
    conn.execute("UPDATE incidents SET channel_name = %s, updated_at = now() WHERE id = %s", [name, incident_id])
    return True


def mark_step(conn: Connection, incident_id: UUID, step: str) -> bool:
    """Set a declaration step once; False when it was already set."""
    return (
        conn.execute(
            "UPDATE incidents SET steps = steps || jsonb_build_object(%s::text, now()) WHERE id = %s AND NOT (steps ? %s)",
            [step, incident_id, step],
        ).rowcount
        == 1
    )


def claim_reminder(conn: Connection, incident_id: UUID, now: datetime, minutes: int) -> bool:
    """The one reminder due now (no update and no reminder for `minutes`); False when not due
    or another worker sent it."""
    return (
        conn.execute(
            "UPDATE incidents SET reminded_at = %s WHERE id = %s AND status <> 'resolved'"
            " AND GREATEST(last_update_at, COALESCE(reminded_at, '-infinity')) <= %s::timestamptz - make_interval(mins => %s)",
            [now, incident_id, now, minutes],
        ).rowcount
        == 1
    )


# --- events --------------------------------------------------------------------------------------


def record_event(
    conn: Connection, *, incident_id: UUID, key: str, kind: str, actor: str, data: dict[str, Any]
) -> tuple[IncidentEvent, bool]:
    """The event for `key` and whether this call created it (False: a retry of the same request)."""
    row = conn.execute(
        f"INSERT INTO incident_events (tenant_id, incident_id, idempotency_key, kind, actor, data)"
        f" VALUES (jamono_current_tenant(), %s, %s, %s, %s, %s)"
        f" ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING {_EVENT_COLUMNS}",
        [incident_id, key, kind, actor, Jsonb(data)],
    ).fetchone()
    if row is not None:
        return IncidentEvent.model_validate(row), True
    found = event_by_key(conn, key)
    assert found is not None
    return found, False


def event_by_key(conn: Connection, key: str) -> IncidentEvent | None:
    row = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM incident_events WHERE idempotency_key = %s", [key]).fetchone()
    return IncidentEvent.model_validate(row) if row else None


def get_event(conn: Connection, event_id: UUID) -> IncidentEvent | None:
    row = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM incident_events WHERE id = %s", [event_id]).fetchone()
    return IncidentEvent.model_validate(row) if row else None


def events(conn: Connection, incident_id: UUID) -> list[IncidentEvent]:
    rows = conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM incident_events WHERE incident_id = %s ORDER BY created_at", [incident_id]
    ).fetchall()
    return [IncidentEvent.model_validate(r) for r in rows]


def unsynced_events(conn: Connection, incident_id: UUID) -> list[IncidentEvent]:
    rows = conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM incident_events WHERE incident_id = %s AND jira_synced_at IS NULL"
        " AND kind IN ('status', 'severity', 'lead', 'update', 'resolved') ORDER BY created_at",
        [incident_id],
    ).fetchall()
    return [IncidentEvent.model_validate(r) for r in rows]


def mark_effect(conn: Connection, event_id: UUID, effect: str) -> bool:
    return (
        conn.execute(
            "UPDATE incident_events SET effects = effects || jsonb_build_object(%s::text, now())"
            " WHERE id = %s AND NOT (effects ? %s)",
            [effect, event_id, effect],
        ).rowcount
        == 1
    )


def mark_synced(conn: Connection, event_id: UUID) -> None:
    conn.execute(
        "UPDATE incident_events SET jira_synced_at = now() WHERE id = %s AND jira_synced_at IS NULL", [event_id]
    )
