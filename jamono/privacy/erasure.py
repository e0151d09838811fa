"""Retention and erasure of stored message text, leaving the counts.
Why and how: docs/design/admin.md ("Retention and erasure")."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel

from jamono.conversation.exchanges import recount_votes
from jamono.platform.db import Connection

log = logging.getLogger(__name__)
ERASED = ""
# Message text inside jsonb: the analysis' one-line summary of the message.
_SCRUB_METADATA = "metadata #- '{analysis,summary}'"


class Erased(BaseModel):
    interactions: int = 0
    votes: int = 0
    actions: int = 0
    incident_updates: int = 0
    cached_threads: int = 0
    dead_letters: int = 0


def _blank_interactions(conn: Connection, where: str, params: list[Any]) -> int:
    return conn.execute(
        f"UPDATE agent_interactions SET message = %s, response = NULL, metadata = {_SCRUB_METADATA}"
        f" WHERE tenant_id = jamono_current_tenant() AND {where}"
        " AND (message <> %s OR response IS NOT NULL OR metadata #> '{analysis,summary}' IS NOT NULL)",
        [ERASED, *params, ERASED],
    ).rowcount


def _blank_actions(conn: Connection, where: str, params: list[Any]) -> int:
    return conn.execute(
        "UPDATE actions SET parameters = parameters"
        "   || CASE WHEN parameters ? 'description' THEN jsonb_build_object('description', '') ELSE '{}' END"
        "   || CASE WHEN parameters ? 'agenda' THEN jsonb_build_object('agenda', '') ELSE '{}' END"
        f" WHERE tenant_id = jamono_current_tenant() AND {where}"
        " AND (coalesce(parameters->>'description', '') <> '' OR coalesce(parameters->>'agenda', '') <> '')",
        params,
    ).rowcount


def apply_retention(conn: Connection, workspace_id: Any, days: int) -> int:
    """Blank message text older than `days` in one workspace; returns the rows blanked."""
    older = "workspace_id = %s AND created_at < now() - make_interval(days => %s)"
    blanked = _blank_interactions(conn, older, [workspace_id, days])
    blanked += _blank_actions(conn, older + " AND status IN ('done', 'failed', 'dismissed')", [workspace_id, days])
    return blanked


def erase_person(conn: Connection, user: str) -> Erased:
    """Remove one person's stored words in the transaction's tenant; counts stay."""
    report = Erased(interactions=_blank_interactions(conn, "user_id = %s", [user]))
    voted = [
        row["interaction_id"] if isinstance(row, dict) else row[0]
        for row in conn.execute(
            "DELETE FROM answer_votes WHERE tenant_id = jamono_current_tenant() AND user_id = %s"
            " RETURNING interaction_id",
            [user],
        ).fetchall()
    ]
    if voted:
        recount_votes(conn, voted)
    report.votes = len(voted)
    report.actions = _blank_actions(conn, "proposed_by = %s", [user])
    report.incident_updates = conn.execute(
        "UPDATE incident_events SET data = data || jsonb_build_object('note', '')"
        " WHERE tenant_id = jamono_current_tenant() AND actor = %s AND coalesce(data->>'note', '') <> ''",
        [user],
    ).rowcount
    return report


def forget_cached_threads(cache: Any, team_id: str) -> int:
    """Drop the workspace's cached threads (they hold everyone's words for 30 minutes)."""
    if cache is None:
        return 0
    gone = 0
    for key in cache.scan_iter(match=f"jamono:thread:{team_id}:*", count=500):
        gone += cache.delete(key)
    return gone
