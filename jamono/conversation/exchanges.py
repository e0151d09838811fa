"""Every exchange with NOX is stored with its tenant: what was asked, what NOX said, how fast."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from dramatiq.errors import Retry
from psycopg.types.json import Jsonb

from jamono.platform.db import Connection
from jamono.platform.tenancy import WorkspaceContext
from jamono.slack.payloads import MessageJob

T = TypeVar("T")
# The answer is shown a few milliseconds before its interaction row commits: a quick click waits
# for it here rather than spending one of its job's bounded retries.
RECORD_WAIT_S = 3.0


def interaction_id(ws: WorkspaceContext, event_id: str) -> UUID:
    """Deterministic, so a redelivered event renders the same feedback buttons and row."""
    return uuid.uuid5(ws.tenant_id, event_id)


def record_interaction(
    conn: Connection,
    ws: WorkspaceContext,
    job: MessageJob,
    *,
    reply_ts: str | None,
    response: str | None,
    response_time_ms: int,
    success: bool,
    intent: str | None = None,
    severity: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> UUID:
    """Insert (or, for a redelivered event, overwrite) the interaction and close the event."""
    row_id = interaction_id(ws, job.event_id)
    conn.execute(
        "INSERT INTO agent_interactions (id, tenant_id, workspace_id, deployment_id, slack_event_id, user_id,"
        " channel_id, thread_ts, message_ts, reply_ts, message_type, message, response, response_time_ms,"
        " success, intent, severity, metadata)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET response = EXCLUDED.response, reply_ts = EXCLUDED.reply_ts,"
        " response_time_ms = EXCLUDED.response_time_ms, success = EXCLUDED.success, intent = EXCLUDED.intent,"
        " severity = EXCLUDED.severity, metadata = EXCLUDED.metadata",
        [
            row_id,
            ws.tenant_id,
            ws.workspace_id,
            ws.deployment_id,
            job.event_id,
            job.user,
            job.channel,
            job.thread_ts,
            job.ts,
            reply_ts,
            job.message_type,
            job.text,
            response,
            response_time_ms,
            success,
            intent,
            severity,
            Jsonb(metadata or {}),
        ],
    )
    conn.execute(
        "UPDATE slack_events SET status = %s, done_at = now(), last_error = NULL"
        " WHERE tenant_id = %s AND event_id = %s",
        ["answered" if success else "failed", ws.tenant_id, job.event_id],
    )
    return row_id


def record_feedback(conn: Connection, interaction: UUID, user_id: str, vote: int) -> bool:
    """A 👍 (1) or 👎 (-1) by one person: their second vote replaces their first, never another's.
    RLS guarantees a tenant can only vote on its own interactions. False: no such interaction."""
    # The row lock orders concurrent votes on one answer, so each recount sees the ones before it.
    found = conn.execute("SELECT id FROM agent_interactions WHERE id = %s FOR UPDATE", [interaction]).fetchone()
    if found is None:
        return False
    conn.execute(
        "INSERT INTO answer_votes (tenant_id, interaction_id, user_id, vote)"
        " SELECT tenant_id, id, %s, %s FROM agent_interactions WHERE id = %s"
        " ON CONFLICT (interaction_id, user_id) DO UPDATE SET vote = EXCLUDED.vote, voted_at = now()",
        [user_id, vote, interaction],
    )
    recount_votes(conn, [interaction])
    return True


def recount_votes(conn: Connection, interactions: list[UUID]) -> None:
    """The answers' counts from their votes; `user_satisfaction` is the majority (None on a tie)."""
    conn.execute(
        "UPDATE agent_interactions i SET votes_up = v.up, votes_down = v.down,"
        " user_satisfaction = CASE WHEN v.up > v.down THEN 1 WHEN v.down > v.up THEN -1 END"
        " FROM (SELECT x.id, count(a.vote) FILTER (WHERE a.vote = 1) AS up,"
        "       count(a.vote) FILTER (WHERE a.vote = -1) AS down"
        "       FROM unnest(%s::uuid[]) AS x(id) LEFT JOIN answer_votes a ON a.interaction_id = x.id"
        "       GROUP BY x.id) v"
        " WHERE i.id = v.id",
        [interactions],
    )


class InteractionNotRecordedYet(Retry):
    def __init__(self, interaction_id: str) -> None:
        super().__init__(f"interaction {interaction_id} is not recorded yet", delay=500)


def once_recorded(look: Callable[[], T | None], interaction_id: UUID, within_s: float | None = None) -> T:
    """`look()`'s first non-empty answer within `within_s`; then the queue retries the job."""
    deadline = time.monotonic() + (RECORD_WAIT_S if within_s is None else within_s)
    while True:
        found = look()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise InteractionNotRecordedYet(str(interaction_id))
        time.sleep(0.05)


def demoted_documents(conn: Connection, limit: int = 200) -> dict[UUID, float]:
    """Documents cited by answers this workspace voted 👎 (net of 👍), with a demotion weight."""
    rows = conn.execute(
        "SELECT src::uuid AS document_id, sum(-user_satisfaction) AS net"
        " FROM (SELECT user_satisfaction, jsonb_array_elements_text(metadata->'sources') AS src"
        "       FROM agent_interactions WHERE user_satisfaction IS NOT NULL"
        "       ORDER BY created_at DESC LIMIT %s) votes"
        " GROUP BY src HAVING sum(-user_satisfaction) > 0",
        [limit],
    ).fetchall()
    return {row["document_id"]: min(1.0, 0.25 * float(row["net"])) for row in rows}
