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
