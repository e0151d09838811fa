"""Worst-case inputs for the views: every string at its maximum, 50 of everything."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb

from jamono.home.metrics import DayCount, RecentInteraction, UsageMetrics
from jamono.home.settings_model import WorkspaceSettings
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


NOW = datetime.fromisoformat("2025-03-14T15:00:00+00:00")  # a Friday


NASTY = "<!channel> *bold* `code` & <https://evil.example|click> \n next line ```"


def big_settings() -> WorkspaceSettings:
    return WorkspaceSettings.model_validate(
        {
            "action_mode": "automatic",
            "incident_channel": "C0123456789",
            "language": "fr",
            "display_name": "N" * 80,
            "admins": [f"U{i:010d}" for i in range(50)],
            "jira": {
                "url": "https://" + "a" * 178 + ".atlassian.net",
                "email": "e" * 60 + "@example.com",
                "project_key": "INFRA" + "9" * 25,
                "issue_type": "T" * 60,
                "priorities": {s: s[0].upper() * 60 for s in ("critical", "high", "medium", "low")},
                "has_token": True,
            },
            "google": {
                "mode": "oauth",
                "organizer_email": "o" * 60 + "@example.com",
                "calendar_id": "c" * 200 + "@group.calendar.google.com",
                "has_credentials": True,
            },
        }
    )


def big_recent(n: int = 50) -> list[RecentInteraction]:
    return [
        RecentInteraction(
            id=uuid.uuid4(),
            created_at=NOW - timedelta(hours=i),
            message_type="app_mention",
            message=(NASTY * 20)[:300],
            channel_id="D0DM" if i % 3 == 0 else "C0OPS",
            intent=("incident", "question", "meeting", None)[i % 4],
            success=i % 5 != 0,
            user_satisfaction=(1, -1, None)[i % 3],
        )
        for i in range(n)
    ]


def big_metrics(days: int) -> UsageMetrics:
    first = date(2025, 3, 14) - timedelta(days=days - 1)
    return UsageMetrics(
        days=days,
        since=NOW - timedelta(days=days),
        until=NOW,
        interactions=9_876_543,
        questions=1_234_567,
        incidents=12_345,
        failures=99,
        actions={"tickets": 4_321, "meetings": 321},
        median_ms=2_400.0,
        p95_ms=123_456.0,
        thumbs_up=12_345,
        thumbs_down=678,
        tokens=9_876_543_210,
        per_day=[DayCount(day=first + timedelta(days=i), count=(i * 7919) % 100_000) for i in range(days)],
    )
