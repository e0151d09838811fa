"""Shared helpers for the App Home tests: seeding interactions with explicit timestamps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import WorkspaceContext


def seed(pool, ws: WorkspaceContext, rows: list[dict[str, Any]]) -> None:
    """Insert interactions; each row gives created_at and any columns it cares about."""
    with tenant_tx(pool, ws.tenant_id) as conn:
        for row in rows:
            conn.execute(
                "INSERT INTO agent_interactions (tenant_id, workspace_id, user_id, channel_id, message_type, message,"
                " response_time_ms, success, intent, user_satisfaction, metadata, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    ws.tenant_id,
                    ws.workspace_id,
                    row.get("user_id", "U0DEV"),
                    row.get("channel_id", "C0OPS"),
                    row.get("message_type", "app_mention"),
                    row.get("message", f"message {uuid.uuid4().hex[:6]}"),
                    row.get("response_time_ms"),
                    row.get("success", True),
                    row.get("intent"),
                    row.get("user_satisfaction"),
                    Jsonb(row.get("metadata", {})),
                    row["created_at"],
                ],
            )


@pytest.fixture
def seed_rows(pool):
    def _seed(ws: WorkspaceContext, rows: list[dict[str, Any]]) -> None:
        seed(pool, ws, rows)

    return _seed


NOW = datetime.fromisoformat("2025-03-14T15:00:00+00:00")  # a Friday
