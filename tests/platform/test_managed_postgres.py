"""Managed PostgreSQL (RDS, Cloud SQL, Azure…): the migrations and the app run as the database's
owner, a role with CREATEROLE that is neither superuser nor BYPASSRLS."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from jamono.platform.embedded import EmbeddedPostgres


def _as(url: str, user: str, database: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}", path="/" + database))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> str:
    """A fresh cluster; yields the superuser's URL of database `nox`, owned by `nox_owner`."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("managed"), database="postgres")
    admin = server.start()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE ROLE nox_owner LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS")
        conn.execute("CREATE DATABASE nox OWNER nox_owner")
    with psycopg.connect(_as(admin, "postgres", "nox"), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION vector")  # what the provider's console (or rds_superuser) does
    yield _as(admin, "postgres", "nox")
    server.stop()


@pytest.fixture(scope="module")
def owner_url(cluster: str) -> str:
    return _as(cluster, "nox_owner", "nox")


def test_migrations_apply_as_a_non_superuser_owner(owner_url):
    from migrations.runner import apply_migrations

    applied = apply_migrations(owner_url)
    assert applied
    assert apply_migrations(owner_url) == []


def test_the_app_runs_as_the_owner_with_row_level_security(owner_url):
    """The app's connections SET ROLE jamono_app; each tenant sees only its own rows, and the
    owner itself, without a tenant, sees none (FORCE row-level security binds the owner too)."""
    from jamono.platform.db import open_pool, tenant_tx
    from jamono.platform.settings import load_settings
    from jamono.platform.tenancy import TeamIdentity, register_workspace, resolve_ids
    from migrations.runner import apply_migrations

    apply_migrations(owner_url)
    pool = open_pool(load_settings(_env_file=None, database_url=owner_url), max_size=2, name="managed")
    try:
        first = register_workspace(pool, TeamIdentity(team_id="T0FIRST", bot_user_id="U0NOX"))
        second = register_workspace(pool, TeamIdentity(team_id="T0SECOND", bot_user_id="U0NOX"))
        assert resolve_ids(pool, "T0SECOND", None)[:2] == (second.tenant_id, second.workspace_id)
        with tenant_tx(pool, first.tenant_id) as conn:
            assert conn.execute("SELECT current_user AS who").fetchone()["who"] == "jamono_app"
            seen = {r["slack_team_id"] for r in conn.execute("SELECT slack_team_id FROM workspaces")}
        assert seen == {"T0FIRST"}
    finally:
        pool.close()
    with psycopg.connect(owner_url) as conn:
        assert conn.execute("SELECT count(*) FROM workspaces").fetchone()[0] == 0


def test_the_owner_inheriting_the_router_still_sees_no_tenant(cluster, owner_url):
    """Before PostgreSQL 16 a granted role is inherited: the router's read-everything policy must
    still not apply to the owner (it holds for the router itself only)."""
    from jamono.platform.crypto import SecretBox, generate_key
    from jamono.platform.db import open_pool, tenant_tx
    from jamono.platform.settings import load_settings
    from jamono.platform.tenancy import TeamIdentity, register_workspace
    from migrations.runner import apply_migrations

    apply_migrations(owner_url)
    pool = open_pool(load_settings(_env_file=None, database_url=owner_url), max_size=2, name="managed-inherit")
    try:
        ws = register_workspace(pool, TeamIdentity(team_id="T0INHERIT", bot_user_id="U0NOX"))
        with tenant_tx(pool, ws.tenant_id) as conn:
            conn.execute(
                "INSERT INTO slack_installations (tenant_id, workspace_id, client_id, app_id, team_id,"
                " bot_token_enc, installed_at) VALUES (%s, %s, '1.2', 'A0NOX', 'T0INHERIT', %s, now())",
                [ws.tenant_id, ws.workspace_id, SecretBox([generate_key()]).encrypt("xoxb-1")],
            )
    finally:
        pool.close()
    with psycopg.connect(cluster, autocommit=True) as conn:
        conn.execute("GRANT jamono_router, jamono_keys TO nox_owner WITH INHERIT TRUE")
    try:
        with psycopg.connect(owner_url) as conn:
            assert conn.execute("SELECT count(*) FROM workspaces").fetchone()[0] == 0
            assert conn.execute("SELECT count(*) FROM slack_installations").fetchone()[0] == 0
            conn.execute("SET ROLE jamono_router")  # the router itself, as its definer functions run
            assert conn.execute("SELECT count(*) FROM workspaces").fetchone()[0] >= 1
            conn.execute("SET ROLE jamono_keys")  # and key rotation sees the ciphertext it re-encrypts
            assert conn.execute("SELECT count(*) FROM slack_installations").fetchone()[0] >= 1
    finally:
        with psycopg.connect(cluster, autocommit=True) as conn:
            conn.execute("GRANT jamono_router, jamono_keys TO nox_owner WITH INHERIT FALSE")


def test_the_definer_functions_answer_the_app_and_nobody_else(owner_url):
    """Routing and listing reveal every tenant's ids: only jamono_app may call them."""
    from migrations.runner import apply_migrations

    apply_migrations(owner_url)
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute("CREATE ROLE nox_stranger NOLOGIN")
        conn.execute("GRANT nox_stranger TO current_user")  # so this test can act as it
        for call in ("jamono_resolve_team(NULL, 'T0FIRST')", "jamono_list_workspaces()"):
            acl = conn.execute("SELECT proacl::text FROM pg_proc WHERE proname = %s", [call.split("(")[0]]).fetchone()[
                0
            ]
            assert not [e for e in acl.strip("{}").split(",") if e.startswith("=")], f"{call} is open to PUBLIC: {acl}"
            with conn.transaction():
                conn.execute("SET LOCAL ROLE nox_stranger")
                with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                    conn.execute(f"SELECT * FROM {call}")
            with conn.transaction():
                conn.execute("SET LOCAL ROLE jamono_app")
                conn.execute(f"SELECT * FROM {call}").fetchall()


def test_a_non_superuser_owner_keeps_the_tenant_indexes(owner_url):
    """Row-level security hides every tenant's chunks from such an owner: the index sync counts them
    through migrations/0022's function, which the app may not call."""
    import numpy as np

    from jamono.platform.db import open_pool, tenant_tx
    from jamono.platform.settings import load_settings
    from jamono.platform.tenancy import TeamIdentity, register_workspace
    from knowledge.search import tenant_index_name
    from knowledge.store import vector_literal
    from knowledge.tenant_index import sync_tenant_indexes
    from migrations.runner import apply_migrations

    model = "all-MiniLM-L6-v2"
    apply_migrations(owner_url)
    pool = open_pool(load_settings(_env_file=None, database_url=owner_url), max_size=2, name="managed-index")
    try:
        big = register_workspace(pool, TeamIdentity(team_id="T0BIGKB", bot_user_id="U0NOX")).tenant_id
        small = register_workspace(pool, TeamIdentity(team_id="T0SMALLKB", bot_user_id="U0NOX")).tenant_id
        vectors = np.random.default_rng(5).standard_normal((40, 384)).astype(np.float32)
        for tenant, n in ((big, 40), (small, 5)):
            with tenant_tx(pool, tenant) as conn:
                doc = conn.execute(
                    "INSERT INTO knowledge_documents (tenant_id, source, title, content, content_hash)"
                    " VALUES (%s, 'kb.md', 'KB', '', '') RETURNING id",
                    [tenant],
                ).fetchone()["id"]
                conn.cursor().executemany(
                    "INSERT INTO knowledge_chunks (tenant_id, document_id, ord, content, search_text,"
                    " embedding_model, embedding) VALUES (%s, %s, %s, 'c', 'c', %s, %s::vector)",
                    [[tenant, doc, i, model, vector_literal(v)] for i, v in enumerate(vectors[:n])],
                )
        with tenant_tx(pool, big) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM jamono_tenant_chunk_counts(%s)", [model])
    finally:
        pool.close()
    first = sync_tenant_indexes(owner_url, min_rows=20)
    assert first.created == [tenant_index_name(big, model)] and not first.dropped
    again = sync_tenant_indexes(owner_url, min_rows=20)
    assert again.kept == first.created and not again.created and not again.dropped


def test_the_search_role_functions_are_closed_to_public(owner_url):
    """Granted and revoked as their owner, jamono_search: a non-superuser's REVOKE on another role's
    function does nothing (0016's keyword search stayed open to PUBLIC until 0021)."""
    from migrations.runner import apply_migrations

    apply_migrations(owner_url)
    with psycopg.connect(owner_url) as conn:
        acls = conn.execute(
            "SELECT proname, pronargs, proacl::text FROM pg_proc"
            " WHERE proname IN ('jamono_keyword_search', 'jamono_tenant_chunk_counts') ORDER BY 1, 2"
        ).fetchall()
    assert [(name, args) for name, args, _ in acls] == [
        ("jamono_keyword_search", 7),
        ("jamono_keyword_search", 8),
        ("jamono_tenant_chunk_counts", 1),
    ]
    for name, _, acl in acls:
        entries = acl.strip("{}").split(",")
        assert not [e for e in entries if e.startswith("=")], f"{name} is open to PUBLIC: {acl}"
        grantees = {e.split("=")[0] for e in entries} - {"jamono_search"}
        assert grantees == ({"nox_owner"} if name == "jamono_tenant_chunk_counts" else {"jamono_app"}), acl
