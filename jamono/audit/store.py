"""Audit entries, written in the same transaction as the change they record.
Why and how: docs/design/admin.md ("Audit log")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from jamono.platform.db import Connection

# The actions the log knows; new ones are added here so the App Home can name them.
ACTIONS = (
    "settings.changed",
    "admins.changed",
    "policy.changed",
    "integration.connected",
    "integration.disconnected",
    "action.confirmed",
    "action.dismissed",
    "kb.saved",
    "kb.removed",
    "kb.refused",
    "privacy.erased",
    "incident.lesson_published",
)


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]


def record(
    conn: Connection,
    workspace_id: UUID | None,
    actor: str,
    action: str,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry for the transaction's tenant (RLS refuses any other tenant's id)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(
        "INSERT INTO audit_log (tenant_id, workspace_id, actor, action, target, details)"
        " VALUES (jamono_current_tenant(), %s, %s, %s, %s, %s)",
        [workspace_id, actor, action, target[:300], Jsonb(details or {})],
    )


def latest(conn: Connection, limit: int = 10) -> list[AuditEntry]:
    rows = (
        conn.cursor(row_factory=dict_row)
        .execute(
            "SELECT id, at, actor, action, target, details FROM audit_log"
            " WHERE tenant_id = jamono_current_tenant() ORDER BY at DESC, id DESC LIMIT %s",
            [limit],
        )
        .fetchall()
    )
    return [AuditEntry.model_validate(r) for r in rows]


def since(conn: Connection, moment: datetime, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry from `moment` on, oldest first, read in batches (an export may be long)."""
    last_id = 0
    while True:
        rows = (
            conn.cursor(row_factory=dict_row)
            .execute(
                "SELECT id, at, actor, action, target, details FROM audit_log"
                " WHERE tenant_id = jamono_current_tenant() AND at >= %s AND id > %s ORDER BY id LIMIT %s",
                [moment, last_id, batch],
            )
            .fetchall()
        )
        if not rows:
            return
        for row in rows:
            yield AuditEntry.model_validate(row)
        last_id = rows[-1]["id"]
