"""The `agent_metrics` rollup: NOX's figures per tenant, workspace, agent and UTC day.
Why and how: docs/design/observability.md."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from psycopg import sql

from jamono.platform.db import Connection

# Kinds of action the App Home counts: the interaction metadata value NOX used to record, and the
# `actions` row type that now records the real effect.
ACTION_KINDS: dict[str, tuple[str, str]] = {
    "tickets": ("jira_ticket", "jira.create_ticket"),
    "meetings": ("meeting", "calendar.schedule_meeting"),
}


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[since, until) of UTC days first..last."""
    since = datetime.combine(first, time.min, tzinfo=UTC)
    return since, datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)


def _has_actions_table(conn: Connection) -> bool:
    row = conn.execute("SELECT to_regclass('public.actions') IS NOT NULL AS present").fetchone()
    return bool(row and (row["present"] if isinstance(row, dict) else row[0]))


def _rollup_query(workspace_id: UUID | None, with_actions: bool) -> sql.Composed:
    ws_filter = sql.SQL(" AND workspace_id = %(workspace_id)s") if workspace_id is not None else sql.SQL("")
    meta_kinds = sql.SQL("").join(
        sql.SQL(", count(*) FILTER (WHERE i.metadata->>'action' = {v}) AS {a}").format(
            v=sql.Literal(meta), a=sql.Identifier(f"meta_{name}")
        )
        for name, (meta, _) in ACTION_KINDS.items()
    )
    if with_actions:
        acts = sql.SQL(
            "SELECT workspace_id, (coalesce(done_at, updated_at) AT TIME ZONE 'UTC')::date AS day,"
            " count(*) AS n{kinds} FROM actions WHERE status = 'done'"
            " AND coalesce(done_at, updated_at) >= %(since)s AND coalesce(done_at, updated_at) < %(until)s{ws}"
            " GROUP BY 1, 2"
        ).format(
            ws=ws_filter,
            kinds=sql.SQL("").join(
                sql.SQL(", count(*) FILTER (WHERE type = {t}) AS {a}").format(
                    t=sql.Literal(kind), a=sql.Identifier(f"act_{name}")
                )
                for name, (_, kind) in ACTION_KINDS.items()
            ),
        )
    else:
        acts = sql.SQL(
            "SELECT NULL::uuid AS workspace_id, NULL::date AS day, 0::bigint AS n{kinds} WHERE false"
        ).format(
            kinds=sql.SQL("").join(
                sql.SQL(", 0::bigint AS {a}").format(a=sql.Identifier(f"act_{name}")) for name in ACTION_KINDS
            )
        )
    kinds_json = sql.SQL(", ").join(
        sql.SQL("{k}, coalesce(i.{m}, 0) + coalesce(a.{x}, 0)").format(
            k=sql.Literal(name), m=sql.Identifier(f"meta_{name}"), x=sql.Identifier(f"act_{name}")
        )
        for name in ACTION_KINDS
    )
    return sql.SQL(
        "WITH i AS ("
        " SELECT i.workspace_id, (i.created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS interactions,"
        "  count(*) FILTER (WHERE i.success) AS successes,"
        "  count(*) FILTER (WHERE i.intent = 'question') AS questions,"
        "  count(*) FILTER (WHERE i.intent = 'incident') AS incidents,"
        "  avg(i.response_time_ms) AS response_time,"
        "  percentile_cont(0.5) WITHIN GROUP (ORDER BY i.response_time_ms) AS p50,"
        "  percentile_cont(0.95) WITHIN GROUP (ORDER BY i.response_time_ms) AS p95,"
        "  coalesce(sum(CASE WHEN i.votes_up + i.votes_down > 0 THEN i.votes_up"
        "   ELSE (i.user_satisfaction = 1)::int END), 0) AS up,"
        "  coalesce(sum(CASE WHEN i.votes_up + i.votes_down > 0 THEN i.votes_down"
        "   ELSE (i.user_satisfaction = -1)::int END), 0) AS down,"
        # Only numeric token counts are summed: a malformed row must not break the rollup.
        "  coalesce(sum(CASE WHEN jsonb_typeof(i.metadata->'tokens') = 'number'"
        "   THEN (i.metadata->>'tokens')::numeric END), 0)::bigint AS tokens,"
        "  count(*) FILTER (WHERE i.metadata ? 'action') AS meta_actions{meta_kinds}"
        " FROM agent_interactions i WHERE i.created_at >= %(since)s AND i.created_at < %(until)s{ws}"
        " GROUP BY 1, 2),"
        " a AS ({acts})"
        " INSERT INTO agent_metrics AS m (tenant_id, workspace_id, agent_id, day, interactions, successes, questions,"
        "  incidents, response_time, response_time_p50, response_time_p95, success_rate, thumbs_up, thumbs_down,"
        "  user_satisfaction, token_usage, action_count, actions, computed_at)"
        " SELECT jamono_current_tenant(), coalesce(i.workspace_id, a.workspace_id),"
        "  (SELECT id FROM agents WHERE slug = 'nox'), coalesce(i.day, a.day),"
        "  coalesce(i.interactions, 0), coalesce(i.successes, 0), coalesce(i.questions, 0), coalesce(i.incidents, 0),"
        "  i.response_time, i.p50, i.p95,"
        "  CASE WHEN i.interactions > 0 THEN i.successes::float8 / i.interactions END,"
        "  coalesce(i.up, 0), coalesce(i.down, 0),"
        "  CASE WHEN i.up + i.down > 0 THEN i.up::float8 / (i.up + i.down) END,"
        "  coalesce(i.tokens, 0), coalesce(i.meta_actions, 0) + coalesce(a.n, 0),"
        "  jsonb_build_object({kinds_json}), now()"
        " FROM i FULL JOIN a ON a.workspace_id = i.workspace_id AND a.day = i.day"
        # A fixed order: concurrent rollups of one tenant lock rows in the same order (no deadlock).
        " ORDER BY 2, 4"
        " ON CONFLICT (tenant_id, workspace_id, agent_id, day) DO UPDATE SET"
        "  interactions = EXCLUDED.interactions, successes = EXCLUDED.successes, questions = EXCLUDED.questions,"
        "  incidents = EXCLUDED.incidents, response_time = EXCLUDED.response_time,"
        "  response_time_p50 = EXCLUDED.response_time_p50, response_time_p95 = EXCLUDED.response_time_p95,"
        "  success_rate = EXCLUDED.success_rate, thumbs_up = EXCLUDED.thumbs_up, thumbs_down = EXCLUDED.thumbs_down,"
        "  user_satisfaction = EXCLUDED.user_satisfaction, token_usage = EXCLUDED.token_usage,"
        "  action_count = EXCLUDED.action_count, actions = EXCLUDED.actions, computed_at = EXCLUDED.computed_at"
    ).format(meta_kinds=meta_kinds, ws=ws_filter, acts=acts, kinds_json=kinds_json)


def refresh_agent_metrics(conn: Connection, first: date, last: date, *, workspace_id: UUID | None = None) -> int:
    """Recompute the UTC days first..last of the current tenant (or one of its workspaces).

    Days whose interactions were all deleted keep their last figures; everything else is exact.
    Returns the number of day rows written.
    """
    since, until = day_bounds(first, last)
    params = {"since": since, "until": until, "workspace_id": workspace_id}
    cur = conn.execute(_rollup_query(workspace_id, _has_actions_table(conn)), params)
    return cur.rowcount


def rollup_recent(pool, tenant_id: UUID, days: int = 2, *, today: date | None = None) -> int:  # noqa: ANN001
    """The job's unit of work: refresh a tenant's last `days` UTC days (today included)."""
    from jamono.platform.db import tenant_tx

    last = today or datetime.now(UTC).date()
    with tenant_tx(pool, tenant_id) as conn:
        return refresh_agent_metrics(conn, last - timedelta(days=days - 1), last)
