"""Votes per person, retention, erasure and the uninstall grace period, against real PostgreSQL
(and Redis for the thread cache), under row-level security as the app runs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import redis
from psycopg.types.json import Jsonb

from jamono.conversation.exchanges import record_feedback
from jamono.home.metrics import usage_metrics
from jamono.home.settings_model import save_settings
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace
from jamono.privacy.erasure import erase_person, forget_cached_threads
from jamono.queue.housekeeping import run_once

NOW = datetime.now(UTC)


def _interaction(pool, ws, user: str, text: str, *, age_days: float = 0, channel: str = "C0OPS") -> uuid.UUID:
    row_id = uuid.uuid4()
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute(
            "INSERT INTO agent_interactions (id, tenant_id, workspace_id, user_id, channel_id, message_type, message,"
            " response, response_time_ms, success, intent, metadata, created_at)"
            " VALUES (%s, %s, %s, %s, %s, 'app_mention', %s, %s, 120, true, 'question', %s, %s)",
            [
                row_id,
                ws.tenant_id,
                ws.workspace_id,
                user,
                channel,
                text,
                f"NOX about {text}",
                Jsonb({"analysis": {"summary": text[:40], "intent": "question"}, "tokens": 10}),
                NOW - timedelta(days=age_days),
            ],
        )
    return row_id


def _row(pool, ws, row_id):
    with tenant_tx(pool, ws.tenant_id) as conn:
        return conn.execute(
            "SELECT message, response, metadata, votes_up, votes_down, user_satisfaction"
            " FROM agent_interactions WHERE id = %s",
            [row_id],
        ).fetchone()


def _vote(pool, ws, row_id, user: str, vote: int) -> None:
    with tenant_tx(pool, ws.tenant_id) as conn:
        assert record_feedback(conn, row_id, user, vote)


def test_one_vote_per_person_per_answer_and_the_counts_add_up(pool, workspace):
    answer = _interaction(pool, workspace, "U0ASK", "why is the build red?")
    _vote(pool, workspace, answer, "U0ADA", 1)
    _vote(pool, workspace, answer, "U0BOB", -1)  # another person's vote never replaces Ada's
    _vote(pool, workspace, answer, "U0CAT", 1)
    _vote(pool, workspace, answer, "U0BOB", 1)  # Bob changes his mind: his own vote is replaced
    _vote(pool, workspace, answer, "U0BOB", 1)
    row = _row(pool, workspace, answer)
    assert (row["votes_up"], row["votes_down"], row["user_satisfaction"]) == (3, 0, 1)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        metrics = usage_metrics(conn, 7)
        votes = conn.execute("SELECT user_id, vote FROM answer_votes ORDER BY user_id").fetchall()
    assert (metrics.thumbs_up, metrics.thumbs_down) == (3, 0)
    assert [(v["user_id"], v["vote"]) for v in votes] == [("U0ADA", 1), ("U0BOB", 1), ("U0CAT", 1)]


def test_votes_of_two_people_both_count(pool, workspace):
    answer = _interaction(pool, workspace, "U0ASK", "how do I rotate the vault token?")
    _vote(pool, workspace, answer, "U0ADA", 1)
    _vote(pool, workspace, answer, "U0BOB", -1)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        metrics = usage_metrics(conn, 7)
    assert (metrics.thumbs_up, metrics.thumbs_down) == (1, 1)


def test_erasure_removes_one_persons_words_and_votes_and_keeps_the_counts(pool, workspace, redis_url):
    mine = _interaction(pool, workspace, "U0ERASE", "my secret project codename is bluebird")
    theirs = _interaction(pool, workspace, "U0KEEP", "the deploy of bluebird failed")
    _vote(pool, workspace, theirs, "U0ERASE", -1)
    _vote(pool, workspace, theirs, "U0KEEP", 1)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        conn.execute(
            "INSERT INTO actions (tenant_id, workspace_id, type, idempotency_key, fingerprint, parameters, proposed_by)"
            " VALUES (%s, %s, 'jira.create_ticket', %s, 'fp', %s, 'U0ERASE')",
            [
                workspace.tenant_id,
                workspace.workspace_id,
                f"k-{uuid.uuid4()}",
                Jsonb({"summary": "bluebird down", "description": "my secret project codename is bluebird"}),
            ],
        )
        before = usage_metrics(conn, 7)
    cache = redis.Redis.from_url(redis_url)
    cache.set(f"jamono:thread:{workspace.team_id}:C0OPS:1.0", '["my secret project codename is bluebird"]')
    cache.set("jamono:thread:TOTHER:C0OPS:1.0", '["another workspace"]')

    with tenant_tx(pool, workspace.tenant_id) as conn:
        report = erase_person(conn, "U0ERASE")
    assert forget_cached_threads(cache, workspace.team_id) == 1
    assert (report.interactions, report.votes, report.actions) == (1, 1, 1)

    gone, kept = _row(pool, workspace, mine), _row(pool, workspace, theirs)
    assert gone["message"] == "" and gone["response"] is None and "summary" not in gone["metadata"]["analysis"]
    assert kept["message"] == "the deploy of bluebird failed" and kept["response"]
    assert (kept["votes_up"], kept["votes_down"]) == (1, 0)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        after = usage_metrics(conn, 7)
        params = conn.execute("SELECT parameters FROM actions WHERE proposed_by = 'U0ERASE'").fetchone()["parameters"]
        text = " ".join(
            str(v)
            for row in conn.execute("SELECT message, response, metadata FROM agent_interactions").fetchall()
            for v in row.values()
        )
    assert "codename" not in text and "codename" not in params["description"]
    assert (after.interactions, after.questions, after.tokens) == (before.interactions, before.questions, before.tokens)
    assert cache.get("jamono:thread:TOTHER:C0OPS:1.0") is not None
    cache.close()


def test_housekeeping_blanks_text_older_than_the_workspace_retention(pool, workspace):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        save_settings(conn, workspace.workspace_id, {"policy": {"retention_days": 30}})
    old = _interaction(pool, workspace, "U0OLD", "the old incident text", age_days=45)
    recent = _interaction(pool, workspace, "U0NEW", "the recent incident text", age_days=3)
    report = run_once(pool, retention=timedelta(days=14))
    assert report.texts_blanked >= 1 and report.failed_tenants == 0
    assert _row(pool, workspace, old)["message"] == "" and _row(pool, workspace, old)["response"] is None
    assert _row(pool, workspace, recent)["message"] == "the recent incident text"
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert conn.execute("SELECT count(*) AS n FROM agent_interactions").fetchone()["n"] == 2  # counts stay


def test_default_retention_keeps_ninety_days(pool, workspace):
    kept = _interaction(pool, workspace, "U0A", "eighty days old", age_days=80)
    blanked = _interaction(pool, workspace, "U0B", "a hundred days old", age_days=100)
    run_once(pool, retention=timedelta(days=14))
    assert _row(pool, workspace, kept)["message"] == "eighty days old"
    assert _row(pool, workspace, blanked)["message"] == ""


def test_uninstall_keeps_data_for_the_grace_period_then_deletes_it(pool, admin_database_url):
    from jamono.workspaces.installations import deactivate_workspace

    team = "T" + uuid.uuid4().hex[:10].upper()
    ws = register_workspace(pool, TeamIdentity(team_id=team, team_name="leaving"))
    _interaction(pool, ws, "U0A", "something said before leaving")
    deactivate_workspace(pool, team)
    run_once(pool, retention=timedelta(days=14), grace=timedelta(days=30))
    with psycopg.connect(admin_database_url) as admin:
        assert (
            admin.execute("SELECT count(*) FROM agent_interactions WHERE tenant_id = %s", [ws.tenant_id]).fetchone()[0]
            == 1
        )
        # A re-install within the grace period finds everything and stops the clock.
        register_workspace(pool, TeamIdentity(team_id=team, team_name="back"))
        assert (
            admin.execute("SELECT deactivated_at FROM workspaces WHERE id = %s", [ws.workspace_id]).fetchone()[0]
            is None
        )
        deactivate_workspace(pool, team)
        admin.execute(
            "UPDATE workspaces SET deactivated_at = now() - interval '31 days' WHERE id = %s", [ws.workspace_id]
        )
        admin.commit()
    report = run_once(pool, retention=timedelta(days=14), grace=timedelta(days=30))
    assert report.workspaces_purged == 1
    with psycopg.connect(admin_database_url) as admin:
        for table in ("tenants", "workspaces", "agent_interactions"):
            column = "id" if table == "tenants" else "tenant_id"
            assert admin.execute(f"SELECT count(*) FROM {table} WHERE {column} = %s", [ws.tenant_id]).fetchone()[0] == 0


def test_an_active_workspace_is_never_purged(pool, workspace, admin_database_url):
    with psycopg.connect(admin_database_url) as admin:
        admin.execute(
            "UPDATE workspaces SET deactivated_at = now() - interval '400 days' WHERE id = %s", [workspace.workspace_id]
        )
        admin.commit()
    run_once(pool, retention=timedelta(days=14), grace=timedelta(days=30))
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert conn.execute("SELECT count(*) AS n FROM workspaces").fetchone()["n"] == 1


@pytest.mark.parametrize("table", ["audit_log", "answer_votes"])
def test_new_tables_are_tenant_isolated(pool, workspace, table):
    from jamono.audit.store import record

    other = register_workspace(pool, TeamIdentity(team_id="T" + uuid.uuid4().hex[:10].upper()))
    answer = _interaction(pool, workspace, "U0A", "isolated")
    with tenant_tx(pool, workspace.tenant_id) as conn:
        record(conn, workspace.workspace_id, "U0A", "settings.changed", "general")
        record_feedback(conn, answer, "U0A", 1)
    with tenant_tx(pool, other.tenant_id) as conn:
        assert conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO audit_log (tenant_id, actor, action) VALUES (%s, 'U0X', 'settings.changed')",
                [workspace.tenant_id],
            )
