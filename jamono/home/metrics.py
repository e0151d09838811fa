"""Usage numbers for the App Home, from the `agent_metrics` rollup where that is exact.
Why and how: docs/design/home.md."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg import sql
from pydantic import BaseModel, Field

from jamono.observability.agent_metrics import ACTION_KINDS, refresh_agent_metrics
from jamono.platform.db import Connection

# Counters over `metadata->>'action'`; the `actions` table's done rows add to them (ACTION_KINDS).
ACTION_COUNTERS: dict[str, str] = {name: meta for name, (meta, _) in ACTION_KINDS.items()}
MAX_DAYS = 366
RECENT_MAX = 50
RECENT_MESSAGE_CHARS = 300


class DayCount(BaseModel):
    day: date
    count: int


class UsageMetrics(BaseModel):
    days: int
    since: datetime
    until: datetime
    interactions: int = 0
    questions: int = 0
    incidents: int = 0
    failures: int = 0
    actions: dict[str, int] = Field(default_factory=dict)
    median_ms: float | None = None
    p95_ms: float | None = None
    thumbs_up: int = 0
    thumbs_down: int = 0
    tokens: int = 0
    per_day: list[DayCount] = Field(default_factory=list)

    @property
    def tickets(self) -> int:
        return self.actions.get("tickets", 0)

    @property
    def meetings(self) -> int:
        return self.actions.get("meetings", 0)

    @property
    def satisfaction(self) -> float | None:
        """Share of 👍 among votes, or None before anyone voted."""
        votes = self.thumbs_up + self.thumbs_down
        return self.thumbs_up / votes if votes else None


class RecentInteraction(BaseModel):
    id: UUID
    created_at: datetime
    message_type: str
    message: str
    channel_id: str
    intent: str | None = None
    severity: str | None = None
    success: bool = True
    user_satisfaction: int | None = None


def window(days: int, *, now: datetime | None = None, tz: str = "UTC") -> tuple[datetime, datetime, list[date]]:
    """[since, until) covering the last `days` calendar days in `tz`, today included, and those days."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    zone = ZoneInfo(tz)
    local_now = (now or datetime.now(UTC)).astimezone(zone)
    today = local_now.date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    return since, until, [first + timedelta(days=i) for i in range(days)]


def _where(workspace_id: UUID | None) -> sql.Composable:
    clause: sql.Composable = sql.SQL("created_at >= %(since)s AND created_at < %(until)s")
    if workspace_id is not None:
        clause = clause + sql.SQL(" AND workspace_id = %(workspace_id)s")
    return clause


def _totals_query(workspace_id: UUID | None) -> sql.Composed:
    actions = sql.SQL("").join(
        sql.SQL(", count(*) FILTER (WHERE metadata->>'action' = {value}) AS {alias}").format(
            value=sql.Literal(value), alias=sql.Identifier(f"action_{name}")
        )
        for name, value in ACTION_COUNTERS.items()
    )
    return sql.SQL(
        "SELECT count(*) AS interactions,"
        " count(*) FILTER (WHERE intent = 'question') AS questions,"
        " count(*) FILTER (WHERE intent = 'incident') AS incidents,"
        " count(*) FILTER (WHERE NOT success) AS failures,"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms) AS median_ms,"
        " percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms) AS p95_ms,"
        # One vote per person per answer (answer_votes), counted on the answer; a row with no
        # counts (written before them) counts its one recorded vote.
        " coalesce(sum(CASE WHEN votes_up + votes_down > 0 THEN votes_up"
        "   ELSE (user_satisfaction = 1)::int END), 0)::bigint AS thumbs_up,"
        " coalesce(sum(CASE WHEN votes_up + votes_down > 0 THEN votes_down"
        "   ELSE (user_satisfaction = -1)::int END), 0)::bigint AS thumbs_down,"
        # Only numeric token counts are summed: a malformed row must not break the dashboard.
        " coalesce(sum(CASE WHEN jsonb_typeof(metadata->'tokens') = 'number'"
        "   THEN (metadata->>'tokens')::numeric END), 0)::bigint AS tokens"
        "{actions} FROM agent_interactions WHERE {where}"
    ).format(actions=actions, where=_where(workspace_id))


def _per_day_query(workspace_id: UUID | None) -> sql.Composed:
    return sql.SQL(
        "SELECT (created_at AT TIME ZONE %(tz)s)::date AS day, count(*) AS n"
        " FROM agent_interactions WHERE {where} GROUP BY 1"
    ).format(where=_where(workspace_id))


def usage_metrics(
    conn: Connection,
    days: int,
    *,
    now: datetime | None = None,
    tz: str = "UTC",
    workspace_id: UUID | None = None,
) -> UsageMetrics:
    """Totals, latency percentiles, votes, tokens and per-day counts for the last `days` days.

    Scoped to the tenant by RLS; pass `workspace_id` to narrow to one workspace of an Enterprise Grid
    tenant. `conn` must use a dict row factory (the app's pools do).
    """
    since, until, day_list = window(days, now=now, tz=tz)
    if since.utcoffset() == until.utcoffset() == timedelta(0):
        return _from_rollup(conn, days, since, until, day_list, workspace_id)
    params = {"since": since, "until": until, "tz": tz, "workspace_id": workspace_id}
    totals = conn.execute(_totals_query(workspace_id), params).fetchone()
    counts = {row["day"]: int(row["n"]) for row in conn.execute(_per_day_query(workspace_id), params).fetchall()}
    assert totals is not None  # an aggregate always returns one row
    done = _actions_done(conn, params, workspace_id)
    return UsageMetrics(
        days=days,
        since=since,
        until=until,
        interactions=totals["interactions"],
        questions=totals["questions"],
        incidents=totals["incidents"],
        failures=totals["failures"],
        actions={name: totals[f"action_{name}"] + done.get(name, 0) for name in ACTION_COUNTERS},
        median_ms=totals["median_ms"],
        p95_ms=totals["p95_ms"],
        thumbs_up=totals["thumbs_up"],
        thumbs_down=totals["thumbs_down"],
        tokens=totals["tokens"],
        per_day=[DayCount(day=d, count=counts.get(d, 0)) for d in day_list],
    )


def _actions_done(conn: Connection, params: dict, workspace_id: UUID | None) -> dict[str, int]:
    """Actions done in the window, per kind, from the `actions` table (when it exists)."""
    found = conn.execute("SELECT to_regclass('public.actions') AS t").fetchone()
    if found is None or found["t"] is None:
        return {}
    counts = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE type = {t}) AS {a}").format(t=sql.Literal(kind), a=sql.Identifier(name))
        for name, (_, kind) in ACTION_KINDS.items()
    )
    where: sql.Composable = sql.SQL(
        "status = 'done' AND coalesce(done_at, updated_at) >= %(since)s AND coalesce(done_at, updated_at) < %(until)s"
    )
    if workspace_id is not None:
        where = where + sql.SQL(" AND workspace_id = %(workspace_id)s")
    row = conn.execute(
        sql.SQL("SELECT {counts} FROM actions WHERE {where}").format(counts=counts, where=where), params
    ).fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    return {name: int(row[name]) for name in ACTION_KINDS}


def _from_rollup(
    conn: Connection, days: int, since: datetime, until: datetime, day_list: list[date], workspace_id: UUID | None
) -> UsageMetrics:
    """The window's figures from `agent_metrics` (refreshed first), percentiles from the interactions."""
    refresh_agent_metrics(conn, day_list[0], day_list[-1], workspace_id=workspace_id)
    params = {"first": day_list[0], "last": day_list[-1], "since": since, "until": until, "workspace_id": workspace_id}
    ws = sql.SQL(" AND workspace_id = %(workspace_id)s") if workspace_id is not None else sql.SQL("")
    kinds = sql.SQL("").join(
        sql.SQL(", coalesce(sum((actions->>{k})::bigint), 0)::bigint AS {a}").format(
            k=sql.Literal(name), a=sql.Identifier(f"action_{name}")
        )
        for name in ACTION_KINDS
    )
    rows = conn.execute(
        sql.SQL(
            "SELECT day, sum(interactions)::bigint AS interactions, sum(questions)::bigint AS questions,"
            " sum(incidents)::bigint AS incidents, sum(interactions - successes)::bigint AS failures,"
            " sum(thumbs_up)::bigint AS thumbs_up, sum(thumbs_down)::bigint AS thumbs_down,"
            " sum(token_usage)::bigint AS tokens{kinds}"
            " FROM agent_metrics WHERE day BETWEEN %(first)s AND %(last)s{ws} GROUP BY day"
        ).format(kinds=kinds, ws=ws),
        params,
    ).fetchall()
    latency = conn.execute(
        sql.SQL(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY response_time_ms) AS median_ms,"
            " percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms) AS p95_ms"
            " FROM agent_interactions WHERE {where}"
        ).format(where=_where(workspace_id)),
        params,
    ).fetchone()
    assert latency is not None  # an aggregate always returns one row

    def total(column: str) -> int:
        return sum(int(row[column]) for row in rows)

    counts = {row["day"]: int(row["interactions"]) for row in rows}
    return UsageMetrics(
        days=days,
        since=since,
        until=until,
        interactions=total("interactions"),
        questions=total("questions"),
        incidents=total("incidents"),
        failures=total("failures"),
        actions={name: total(f"action_{name}") for name in ACTION_KINDS},
        median_ms=latency["median_ms"],
        p95_ms=latency["p95_ms"],
        thumbs_up=total("thumbs_up"),
        thumbs_down=total("thumbs_down"),
        tokens=total("tokens"),
        per_day=[DayCount(day=d, count=counts.get(d, 0)) for d in day_list],
    )


def recent_interactions(conn: Connection, user_id: str, limit: int = 5) -> list[RecentInteraction]:
    """The user's own latest exchanges with NOX (index on tenant_id, user_id, created_at DESC)."""
    limit = max(1, min(limit, RECENT_MAX))
    rows = conn.execute(
        "SELECT id, created_at, message_type, left(message, %s) AS message, channel_id, intent, severity,"
        " success, user_satisfaction FROM agent_interactions"
        " WHERE user_id = %s ORDER BY created_at DESC LIMIT %s",
        [RECENT_MESSAGE_CHARS, user_id, limit],
    ).fetchall()
    return [RecentInteraction.model_validate(dict(row)) for row in rows]
