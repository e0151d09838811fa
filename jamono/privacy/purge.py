"""An uninstalled workspace's data: kept for a grace period, then deleted.
Why and how: docs/design/admin.md ("Uninstall grace period")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from jamono.platform.db import Connection
from knowledge.store import one_writer_per_tenant

DEFAULT_GRACE_DAYS = 30


def _value(row: Any, key: str, index: int) -> Any:
    return row[key] if isinstance(row, dict) else row[index]


def purge_if_due(conn: Connection, workspace_id: Any, grace: timedelta) -> bool:
    """Delete the workspace's data if it was uninstalled more than `grace` ago; True if deleted."""
    row = conn.execute(
        "SELECT is_active, deactivated_at < now() - %s AS due FROM workspaces WHERE id = %s FOR UPDATE",
        [grace, workspace_id],
    ).fetchone()
    if row is None or _value(row, "is_active", 0) or not _value(row, "due", 1):
        return False
    one_writer_per_tenant(conn)  # its documents' chunks go too: the term counts' one writer
    others = conn.execute("SELECT count(*) AS n FROM workspaces WHERE id <> %s", [workspace_id]).fetchone()
    if _value(others, "n", 0) == 0:
        conn.execute("DELETE FROM tenants WHERE id = jamono_current_tenant()")
    else:
        conn.execute("DELETE FROM workspaces WHERE id = %s", [workspace_id])
    return True
