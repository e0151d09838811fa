"""Two tenants side by side: neither reads, changes nor deletes the other's rows — interactions,
documents, tokens, credentials, events, channels, actions — even with the tenant filter left out
of a query, through crafted input, or with no tenant set. Row-level security does it, so the
checks run over every tenant-owned table the catalog knows, including tables added later."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row
from pydantic import SecretStr

from jamono.conversation.exchanges import record_interaction
from jamono.platform.crypto import SecretBox, generate_key
from jamono.platform.db import no_tenant_tx, tenant_tx
from jamono.platform.tenancy import TeamIdentity, WorkspaceContext, register_workspace
from jamono.queue import event_log
from jamono.slack.payloads import MessageJob
from jamono.workspaces.installations import PostgresInstallationStore
from knowledge.documents import SourceDocument
from knowledge.ingest import ingest_documents
from knowledge.search import search
from tests.knowledge.doubles import HashEmbedder
from tests.workspaces.teams import installation


@pytest.fixture
def admin(admin_database_url: str):
    with psycopg.connect(admin_database_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn


def tenant_tables(admin: psycopg.Connection) -> list[str]:
    rows = admin.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped"
        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    ).fetchall()
    return [r["relname"] for r in rows]


def populate(pool, box: SecretBox, secret_word: str) -> WorkspaceContext:
    """A tenant with one row of each kind NOX writes."""
    team = "T" + uuid.uuid4().hex[:9].upper()
    ws = register_workspace(pool, TeamIdentity(team_id=team, team_name=f"Team {secret_word}", bot_user_id="U0NOX"))
    job = MessageJob(
        event_id="Ev" + uuid.uuid4().hex[:10],
        team_id=team,
        message_type="direct_message",
        user="U0ME",
        channel="D0" + secret_word.upper()[:8],
        text=f"tell me about {secret_word}",
        ts="1700000000.000100",
    )
    event_log.claim(pool, ws, job.event_id, job.channel)
    with tenant_tx(pool, ws.tenant_id) as conn:
        record_interaction(
            conn,
            ws,
            job,
            reply_ts="1700000000.000200",
            response=f"{secret_word} answer",
            response_time_ms=12,
            success=True,
        )
        conn.execute(
            "INSERT INTO slack_channels (tenant_id, workspace_id, channel_id, name) VALUES (%s, %s, %s, %s)",
            [ws.tenant_id, ws.workspace_id, "C0" + secret_word.upper()[:8], secret_word],
        )
    doc = SourceDocument(
        source=f"team/{secret_word}.md",
        title=f"{secret_word} runbook",
        content=f"# {secret_word}\n\nRestart the {secret_word} service with systemctl restart {secret_word}.",
    )
    ingest_documents(pool, ws.tenant_id, [doc], HashEmbedder())
    PostgresInstallationStore(pool, box, "client-isolation").save(
        installation(team, bot_token=f"xoxb-{secret_word}-{uuid.uuid4().hex}")
    )
    from jamono.workspaces.credentials import CredentialStore

    with tenant_tx(pool, ws.tenant_id) as conn:
        CredentialStore(box).put(conn, ws.workspace_id, "jira_api_token", SecretStr(f"jira-{secret_word}"))
    from jamono.incidents import store as incidents

    with tenant_tx(pool, ws.tenant_id) as conn:
        incident = incidents.create(
            conn,
            workspace_id=ws.workspace_id,
            key=f"incident:{secret_word}",
            title=f"{secret_word} is down",
            severity="high",
            reporter="U0ME",
            lead=None,
            lang="en",
            service=secret_word,
            interaction_id=None,
            origin_channel=None,
            origin_thread_ts=None,
            runbooks=[],
        )
        incidents.record_event(
            conn,
            incident_id=incident.id,
            key=f"declared:{incident.id}",
            kind="declared",
            actor="U0ME",
            data={"title": incident.title},
        )
    return ws


@pytest.fixture
def two_tenants(pool):
    box = SecretBox([generate_key()])
    a_word, b_word = "zebrafish" + uuid.uuid4().hex[:4], "quokka" + uuid.uuid4().hex[:4]
    return populate(pool, box, a_word), populate(pool, box, b_word), a_word, b_word


def test_every_tenant_table_is_protected_by_forced_row_level_security(admin):
    tables = tenant_tables(admin)
    assert {
        "agent_interactions",
        "knowledge_documents",
        "knowledge_chunks",
        "slack_installations",
        "integration_credentials",
        "slack_events",
        "slack_channels",
        "incidents",
        "incident_events",
    } <= set(tables)
    for table in tables:
        row = admin.execute(
            "SELECT c.relrowsecurity, c.relforcerowsecurity,"
            " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation') AS policies"
            " FROM pg_class c WHERE c.relname = %s AND c.relnamespace = 'public'::regnamespace",
            [table],
        ).fetchone()
        assert (row["relrowsecurity"], row["relforcerowsecurity"], row["policies"]) == (True, True, 1), table
    app_role = admin.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'jamono_app'").fetchone()
    assert app_role == {"rolsuper": False, "rolbypassrls": False}
    owners = admin.execute(
        "SELECT count(*) AS n FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
        " WHERE c.relname = ANY(%s) AND r.rolname = 'jamono_app'",
        [tables],
    ).fetchone()
    assert owners["n"] == 0


def test_no_tenant_sees_changes_or_deletes_anothers_rows_without_a_filter(pool, admin, two_tenants):
    a, b, _, _ = two_tenants
    populated = {
        "agent_interactions",
        "knowledge_documents",
        "knowledge_chunks",
        "slack_installations",
        "integration_credentials",
        "slack_events",
        "slack_channels",
        "incidents",
        "incident_events",
    }
    for table in tenant_tables(admin):
        ident = sql.Identifier(table)
        for me, other in ((a, b), (b, a)):
            stored = admin.execute(
                sql.SQL("SELECT count(*) AS n FROM {} WHERE tenant_id = %s").format(ident), [me.tenant_id]
            ).fetchone()["n"]
            if table in populated:
                assert stored >= 1, table
            with tenant_tx(pool, me.tenant_id) as conn:
                # The query a careless developer writes: no WHERE tenant_id at all.
                seen = conn.execute(sql.SQL("SELECT tenant_id FROM {}").format(ident)).fetchall()
                assert len(seen) == stored and {r["tenant_id"] for r in seen} <= {me.tenant_id}, table
                # Asking for the other tenant's rows outright, changing or deleting them: nothing happens.
                theirs = conn.execute(
                    sql.SQL("SELECT count(*) AS n FROM {} WHERE tenant_id = %s").format(ident), [other.tenant_id]
                ).fetchone()["n"]
                changed = conn.execute(
                    sql.SQL("UPDATE {} SET tenant_id = tenant_id WHERE tenant_id = %s").format(ident), [other.tenant_id]
                ).rowcount
                deleted = conn.execute(
                    sql.SQL("DELETE FROM {} WHERE tenant_id = %s").format(ident), [other.tenant_id]
                ).rowcount
                assert (theirs, changed, deleted) == (0, 0, 0), table
            with no_tenant_tx(pool) as conn:
                assert conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(ident)).fetchone()["n"] == 0, table
    # Nothing was lost by the attempts above.
    for ws in (a, b):
        left = admin.execute("SELECT count(*) AS n FROM agent_interactions WHERE tenant_id = %s", [ws.tenant_id])
        assert left.fetchone()["n"] == 1


def test_a_tenant_cannot_write_rows_into_another_tenant(pool, two_tenants):
    a, b, _, _ = two_tenants
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        tenant_tx(pool, a.tenant_id) as conn,
    ):
        conn.execute(
            "INSERT INTO slack_channels (tenant_id, workspace_id, channel_id) VALUES (%s, %s, 'C0EVIL')",
            [b.tenant_id, b.workspace_id],
        )
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        tenant_tx(pool, a.tenant_id) as conn,
    ):
        conn.execute("UPDATE slack_channels SET tenant_id = %s", [b.tenant_id])


def test_crafted_input_does_not_cross_tenants(pool, two_tenants):
    a, b, a_word, b_word = two_tenants
    embedder = HashEmbedder()
    with tenant_tx(pool, a.tenant_id) as conn:
        mine = search(conn, f"restart {a_word}", embedder, k=5)
        theirs = search(conn, f"restart {b_word} service systemctl", embedder, k=5)
        injected = search(conn, f"{b_word}' OR tenant_id IS NOT NULL --", embedder, k=5)
        tokens = conn.execute("SELECT bot_token_enc FROM slack_installations").fetchall()
        creds = conn.execute("SELECT count(*) AS n FROM integration_credentials").fetchone()["n"]
    assert mine and all(a_word in h.title for h in mine)
    assert all(b_word not in h.title for h in [*theirs, *injected])
    assert len(tokens) == 1 and creds == 1
    # A tenant id is a UUID or nothing: text smuggled in as one is refused before reaching SQL.
    for crafted in (f"{b.tenant_id}' OR '1'='1", "", "*"):
        with pytest.raises(ValueError), tenant_tx(pool, crafted):
            pass
