"""Web and workers log in as `jamono_login`: it can become `jamono_app` and nothing else.

So a leaked APP_DATABASE_URL (or an SQL injection in the app) reads one tenant's rows at a time,
under row-level security, and can neither become the owner nor the router that reads every
workspace; the owner's credentials stay with `jamono migrate` and `jamono keys rotate`."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from jamono.platform.db import open_pool, tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace

LOGIN = "jamono_login"


def login_url(admin_url: str) -> str:
    """The same database, as jamono_login (the embedded server trusts its unix socket; a real one
    would also need the password the operator set)."""
    parts = urlsplit(admin_url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{LOGIN}@{host}"))


def _team(pool):
    team = "T" + uuid.uuid4().hex[:10].upper()
    return register_workspace(pool, TeamIdentity(team_id=team, team_name=team, bot_user_id="U0NOX"))


def test_the_login_role_is_noinherit_and_joins_only_the_app_role(admin_database_url: str) -> None:
    with psycopg.connect(admin_database_url) as conn:
        row = conn.execute(
            "SELECT rolcanlogin, rolinherit, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = %s",
            [LOGIN],
        ).fetchone()
        member_of = [
            r[0]
            for r in conn.execute(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
                [LOGIN],
            )
        ]
    assert row == (True, False, False, False, False)
    assert member_of == ["jamono_app"]


def test_as_the_login_role_one_tenant_cannot_read_another_nor_become_the_owner(
    admin_database_url: str, base_settings, pool
) -> None:
    mine, theirs = _team(pool), _team(pool)
    with psycopg.connect(admin_database_url) as conn:
        owner = conn.execute("SELECT current_user").fetchone()[0]
    with psycopg.connect(login_url(admin_database_url), autocommit=True) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == LOGIN
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # NOINHERIT: nothing before SET ROLE
            conn.execute("SELECT count(*) FROM workspaces")
        for role in (owner, "jamono_router", "postgres"):
            with pytest.raises(psycopg.errors.Error):
                conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"ALTER ROLE {LOGIN} BYPASSRLS")
        conn.execute("SET ROLE jamono_app")
        conn.execute("SELECT set_config('app.tenant_id', %s, false)", [str(mine.tenant_id)])
        seen = {r[0] for r in conn.execute("SELECT slack_team_id FROM workspaces")}
        assert seen == {mine.team_id}
        assert conn.execute("SELECT count(*) FROM tenants WHERE id = %s", [theirs.tenant_id]).fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # jamono_app cannot undo RLS either
            conn.execute("ALTER TABLE workspaces NO FORCE ROW LEVEL SECURITY")


def test_the_app_pool_uses_app_database_url(admin_database_url: str, base_settings, pool) -> None:
    """APP_DATABASE_URL set: the app's pool logs in as jamono_login, and tenant_tx still scopes it."""
    mine, theirs = _team(pool), _team(pool)
    settings = base_settings.model_copy(update={"app_database_url": login_url(admin_database_url)})
    app_pool = open_pool(settings, max_size=1, name="login-test")
    try:
        with tenant_tx(app_pool, mine.tenant_id) as conn:
            assert conn.execute("SELECT session_user AS u").fetchone()["u"] == LOGIN
            assert conn.execute("SELECT current_user AS u").fetchone()["u"] == "jamono_app"
            teams = {r["slack_team_id"] for r in conn.execute("SELECT slack_team_id FROM workspaces")}
        assert teams == {mine.team_id} and theirs.team_id not in teams
    finally:
        app_pool.close()
