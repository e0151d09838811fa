"""The incident_postmortems and incident_memories tables (inside the caller's tenant transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from jamono.platform.db import Connection


def postmortem(conn: Connection, incident_id: UUID) -> dict[str, Any] | None:
    row: Any = conn.execute("SELECT * FROM incident_postmortems WHERE incident_id = %s", [incident_id]).fetchone()
    return row


def save_postmortem(
    conn: Connection, incident_id: UUID, *, lang: str, writer: str, markdown: str, items: list[dict[str, Any]]
) -> dict[str, Any]:
    """The draft, written once: a retry after a crash reuses the first one (same file, same items)."""
    conn.execute(
        "INSERT INTO incident_postmortems (incident_id, tenant_id, lang, writer, markdown, items)"
        " VALUES (%s, jamono_current_tenant(), %s, %s, %s, %s) ON CONFLICT (incident_id) DO NOTHING",
        [incident_id, lang, writer, markdown, Jsonb(items)],
    )
    row = postmortem(conn, incident_id)
    assert row is not None
    return row


def set_posted(
    conn: Connection, incident_id: UUID, *, file_id: str | None = None, message_ts: str | None = None
) -> None:
    conn.execute(
        "UPDATE incident_postmortems SET file_id = COALESCE(%s, file_id), message_ts = COALESCE(%s, message_ts)"
        " WHERE incident_id = %s",
        [file_id, message_ts, incident_id],
    )


def number(conn: Connection, started_at: datetime) -> int:
    """The incident's number in its workspace (INC-<n>): its rank by start."""
    row: Any = conn.execute("SELECT count(*) AS n FROM incidents WHERE started_at <= %s", [started_at]).fetchone()
    return int((row or {}).get("n") or 1)


def remember(conn: Connection, incident_id: UUID, **fields: Any) -> bool:
    """The incident's memory, once; False when it was already remembered."""
    columns = ["incident_id", "tenant_id", *fields]
    values = [incident_id, *[Jsonb(v) if isinstance(v, (list, dict)) else v for v in fields.values()]]
    placeholders = ", ".join(["%s", "jamono_current_tenant()", *["%s"] * len(fields)])
    return (
        conn.execute(
            f"INSERT INTO incident_memories ({', '.join(columns)}) VALUES ({placeholders})"
            " ON CONFLICT (incident_id) DO NOTHING",
            values,
        ).rowcount
        == 1
    )


def set_document(conn: Connection, incident_id: UUID, document_id: UUID | None) -> None:
    conn.execute("UPDATE incident_memories SET document_id = %s WHERE incident_id = %s", [document_id, incident_id])


def memories(conn: Connection, limit: int = 500) -> list[dict[str, Any]]:
    rows: Any = conn.execute(
        "SELECT m.*, i.jira_key, i.jira_url FROM incident_memories m JOIN incidents i ON i.id = m.incident_id"
        " ORDER BY m.resolved_at DESC LIMIT %s",
        [limit],
    ).fetchall()
    return list(rows)


def memory_by_ref(conn: Connection, ref: str) -> dict[str, Any] | None:
    row: Any = conn.execute("SELECT * FROM incident_memories WHERE upper(ref) = upper(%s)", [ref]).fetchone()
    return row


def publish(conn: Connection, incident_id: UUID, user: str) -> bool:
    """A private memory made the workspace's; False when it was not private (already published)."""
    return (
        conn.execute(
            "UPDATE incident_memories SET private = false, published_by = %s, published_at = now()"
            " WHERE incident_id = %s AND private",
            [user, incident_id],
        ).rowcount
        == 1
    )
