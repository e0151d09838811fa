"""Incident memory under the workspace's retention and a person's erasure, against real PostgreSQL
under row-level security: timeline words, postmortem drafts and lessons are blanked, their counts and
structure stay, and an old lesson's knowledge-base document goes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from jamono.home.settings_model import save_settings
from jamono.incidents import store as incidents
from jamono.memory import store as memory
from jamono.platform.db import tenant_tx
from jamono.privacy.erasure import erase_person
from jamono.queue.housekeeping import run_once


def _incident(pool, ws, *, age_days: float, words: str) -> uuid.UUID:
    """An incident with a timeline, a postmortem draft, a lesson and its KB document, `age_days` old."""
    with tenant_tx(pool, ws.tenant_id) as conn:
        inc = incidents.create(
            conn,
            workspace_id=ws.workspace_id,
            key=f"test:{uuid.uuid4()}",
            title=f"api down {words}",
            severity="high",
            reporter="U0REP",
            lead=None,
            lang="en",
            service=None,
            interaction_id=None,
            origin_channel="C0OPS",
            origin_thread_ts=None,
            runbooks=[],
        )
        for key, kind, actor, data in [
            ("declared", "declared", "U0REP", {"title": f"api down {words}", "severity": "high"}),
            ("update", "update", "U0REP", {"note": f"we think it is {words}"}),
            ("marked", "marked", "U0MARK", {"ts": "1.0", "author": "U0SAID", "text": f"I saw {words} in the logs"}),
            ("answer", "answer", "UBOT", {"ts": "2.0", "text": f"NOX about {words}"}),
            ("meeting", "action", "U0REP", {"text": "Meeting: review", "meeting": {"title": f"review {words}"}}),
            ("resolved", "resolved", "U0REP", {"note": ""}),
        ]:
            incidents.record_event(conn, incident_id=inc.id, key=f"{key}:{inc.id}", kind=kind, actor=actor, data=data)
        memory.save_postmortem(
            conn,
            inc.id,
            lang="en",
            writer="offline",
            markdown=f"# Postmortem\n{words}",
            items=[{"n": 1, "text": f"alert on {words}", "owner": "U0REP"}, {"n": 2, "text": "x", "owner": "U0REP"}],
        )
        memory.remember(
            conn,
            inc.id,
            ref="INC-1",
            title=f"api down {words}",
            symptoms=f"502 {words}",
            cause=f"cause {words}",
            fix=f"fix {words}",
            resolved_at=datetime.now(UTC) - timedelta(days=age_days),
        )
        conn.execute(
            "INSERT INTO knowledge_documents (tenant_id, source, title, content, content_hash, origin)"
            " VALUES (jamono_current_tenant(), %s, 'INC-1', %s, 'h', 'incident')",
            [f"incident://{inc.id}", f"fix {words}"],
        )
        then = datetime.now(UTC) - timedelta(days=age_days)
        for table in ("incident_events", "incident_postmortems", "incident_memories"):
            conn.execute(f"UPDATE {table} SET created_at = %s WHERE incident_id = %s", [then, inc.id])
    return inc.id


def _words(pool, ws, incident_id) -> str:
    """Everything stored about the incident's memory, as one string."""
    with tenant_tx(pool, ws.tenant_id) as conn:
        parts = [
            str(r["data"])
            for r in conn.execute("SELECT data FROM incident_events WHERE incident_id = %s", [incident_id]).fetchall()
        ]
        pm = conn.execute("SELECT markdown, items FROM incident_postmortems WHERE incident_id = %s", [incident_id])
        parts.append(str(pm.fetchone()))
        mem = conn.execute("SELECT symptoms, cause, fix FROM incident_memories WHERE incident_id = %s", [incident_id])
        parts.append(str(mem.fetchone()))
        doc = conn.execute("SELECT content FROM knowledge_documents WHERE source = %s", [f"incident://{incident_id}"])
        parts.append(str(doc.fetchone()))
    return " ".join(parts)


def _counts(pool, ws, incident_id) -> tuple[int, int, int]:
    with tenant_tx(pool, ws.tenant_id) as conn:
        events = conn.execute("SELECT count(*) AS n FROM incident_events WHERE incident_id = %s", [incident_id])
        items = conn.execute(
            "SELECT jsonb_array_length(items) AS n FROM incident_postmortems WHERE incident_id = %s", [incident_id]
        )
        memories = conn.execute("SELECT count(*) AS n FROM incident_memories WHERE incident_id = %s", [incident_id])
        return events.fetchone()["n"], items.fetchone()["n"], memories.fetchone()["n"]


def test_housekeeping_blanks_incident_memory_older_than_the_retention_and_keeps_the_counts(pool, workspace):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        save_settings(conn, workspace.workspace_id, {"policy": {"retention_days": 30}})
    old = _incident(pool, workspace, age_days=45, words="bluebird")
    recent = _incident(pool, workspace, age_days=3, words="redwing")
    report = run_once(pool, retention=timedelta(days=14))
    assert report.failed_tenants == 0 and report.texts_blanked >= 7  # 5 entries, the draft, the lesson
    assert "bluebird" not in _words(pool, workspace, old)
    assert _words(pool, workspace, recent).count("redwing") >= 9  # nothing recent touched
    assert _counts(pool, workspace, old) == (6, 2, 1)  # the entries, the items, the memory stay
    with tenant_tx(pool, workspace.tenant_id) as conn:
        kinds = [
            r["kind"]
            for r in conn.execute(
                "SELECT kind FROM incident_events WHERE incident_id = %s ORDER BY kind", [old]
            ).fetchall()
        ]
        assert kinds == sorted(["declared", "update", "marked", "answer", "action", "resolved"])
        marked = conn.execute(
            "SELECT data FROM incident_events WHERE incident_id = %s AND kind = 'marked'", [old]
        ).fetchone()["data"]
        assert marked == {"ts": "1.0", "author": "U0SAID", "text": ""}  # who and where stay
    assert run_once(pool, retention=timedelta(days=14)).texts_blanked == 0  # blanked once


def test_erasure_blanks_a_persons_words_on_timelines(pool, workspace):
    said = _incident(pool, workspace, age_days=1, words="kestrel")
    with tenant_tx(pool, workspace.tenant_id) as conn:
        report = erase_person(conn, "U0SAID")  # their message, marked by someone else
        assert report.timeline_entries == 1
        report = erase_person(conn, "U0REP")  # the reporter: the update's note, the declaration, the meeting
        assert (report.incident_updates, report.timeline_entries) == (1, 2)
        assert erase_person(conn, "U0MARK").timeline_entries == 0  # marking someone's words is not saying them
        rows = {
            r["kind"]: r["data"]
            for r in conn.execute("SELECT kind, data FROM incident_events WHERE incident_id = %s", [said]).fetchall()
        }
    assert rows["marked"]["text"] == "" and rows["update"]["note"] == "" and rows["declared"]["title"] == ""
    assert rows["action"]["meeting"]["title"] == "" and rows["declared"]["severity"] == "high"
    assert rows["answer"]["text"] == "NOX about kestrel"  # NOX's own answer is not the person's
