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
    timeline_entries: int = 0
    cached_threads: int = 0


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


# The words a timeline entry holds (people's messages, notes, titles, NOX's answers, a meeting's title).
_EVENT_TEXT = ("text", "note", "title")
_EVENT_HAS_TEXT = " OR ".join(
    [*(f"coalesce(data->>'{k}', '') <> ''" for k in _EVENT_TEXT), "coalesce(data#>>'{meeting,title}', '') <> ''"]
)


def _blanked_data() -> str:
    expr = "data"
    for key in _EVENT_TEXT:
        expr = f"CASE WHEN data ? '{key}' THEN jsonb_set({expr}, '{{{key}}}', '\"\"') ELSE {expr} END"
    return f"CASE WHEN data ? 'meeting' THEN jsonb_set({expr}, '{{meeting,title}}', '\"\"') ELSE {expr} END"


def _blank_timeline(conn: Connection, where: str, params: list[Any]) -> int:
    """Blank the words of timeline entries; the entries (kind, who, when, links) stay."""
    return conn.execute(
        f"UPDATE incident_events e SET data = {_blanked_data()}"
        f" WHERE e.tenant_id = jamono_current_tenant() AND ({where}) AND ({_EVENT_HAS_TEXT})",
        params,
    ).rowcount


_OF_WORKSPACE = "incident_id IN (SELECT id FROM incidents WHERE workspace_id = %s)"
_OLDER = "created_at < now() - make_interval(days => %s)"


def _blank_memory(conn: Connection, workspace_id: Any, days: int) -> int:
    """Incident memory past retention: timeline words, postmortem drafts (their items' text, not
    their count), lessons (symptoms, cause, fix) and the lessons' knowledge-base documents."""
    blanked = _blank_timeline(conn, f"e.{_OF_WORKSPACE} AND e.{_OLDER}", [workspace_id, days])
    blanked += conn.execute(
        "UPDATE incident_postmortems SET markdown = '', items = (SELECT coalesce(jsonb_agg(i || '{\"text\": \"\"}'::jsonb"
        " ORDER BY ord), '[]'::jsonb) FROM jsonb_array_elements(items) WITH ORDINALITY AS x(i, ord))"
        f" WHERE {_OF_WORKSPACE} AND {_OLDER}"
        " AND (markdown <> '' OR EXISTS (SELECT 1 FROM jsonb_array_elements(items) i WHERE i->>'text' <> ''))",
        [workspace_id, days],
    ).rowcount
    old = conn.execute(
        "UPDATE incident_memories SET symptoms = '', cause = '', fix = '', document_id = NULL"
        f" WHERE {_OF_WORKSPACE} AND {_OLDER} AND (symptoms <> '' OR cause <> '' OR fix <> '')"
        " RETURNING incident_id",
        [workspace_id, days],
    ).fetchall()
    ids = [f"incident://{r['incident_id'] if isinstance(r, dict) else r[0]}" for r in old]
    if ids:
        conn.execute("DELETE FROM knowledge_documents WHERE origin = 'incident' AND source = ANY(%s)", [ids])
    return blanked + len(ids)


def apply_retention(conn: Connection, workspace_id: Any, days: int) -> int:
    """Blank message text older than `days` in one workspace; returns the rows blanked."""
    older = "workspace_id = %s AND created_at < now() - make_interval(days => %s)"
    blanked = _blank_interactions(conn, older, [workspace_id, days])
    blanked += _blank_actions(conn, older + " AND status IN ('done', 'failed', 'dismissed')", [workspace_id, days])
    blanked += _blank_memory(conn, workspace_id, days)
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
    # Their words on timelines: what they said or declared, and their messages others marked.
    report.timeline_entries = _blank_timeline(
        conn, "(e.kind <> 'marked' AND e.actor = %s) OR e.data->>'author' = %s", [user, user]
    )
    return report


def forget_cached_threads(cache: Any, team_id: str) -> int:
    """Drop the workspace's cached threads (they hold everyone's words for 30 minutes)."""
    if cache is None:
        return 0
    gone = 0
    for key in cache.scan_iter(match=f"jamono:thread:{team_id}:*", count=500):
        gone += cache.delete(key)
    return gone
