"""Managed PostgreSQL (RDS, Cloud SQL, Azure…): the migrations and the app run as the database's
owner, a role with CREATEROLE that is neither superuser nor BYPASSRLS."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from jamono.embedded import EmbeddedPostgres


def _as(url: str, user: str, database: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}", path="/" + database))


@pytest.fixture(scope="module")
def owner_url(tmp_path_factory) -> str:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("managed"), database="postgres")
    admin = server.start()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE ROLE nox_owner LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS")
        conn.execute("CREATE DATABASE nox OWNER nox_owner")
    with psycopg.connect(_as(admin, "postgres", "nox"), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION vector")  # what the provider's console (or rds_superuser) does
    yield _as(admin, "nox_owner", "nox")
    server.stop()


def test_migrations_apply_as_a_non_superuser_owner(owner_url):
    from migrations.runner import apply_migrations

    applied = apply_migrations(owner_url)
    assert applied
    assert apply_migrations(owner_url) == []


def test_the_app_runs_as_the_owner_with_row_level_security(owner_url):
    """The app's connections SET ROLE jamono_app; each tenant sees only its own rows, and the
    owner itself, without a tenant, sees none (FORCE row-level security binds the owner too)."""
    from jamono.db import open_pool, tenant_tx
    from jamono.settings import load_settings
    from jamono.tenancy import TeamIdentity, register_workspace, resolve_ids
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
