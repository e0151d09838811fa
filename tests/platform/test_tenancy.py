"""Tenants never see each other: row-level security, not WHERE clauses, enforces it."""

from jamono.platform.db import no_tenant_tx, tenant_tx
from jamono.platform.tenancy import TeamIdentity, load_workspace, register_workspace


def test_registering_a_team_twice_keeps_one_tenant(pool):
    identity = TeamIdentity(team_id="TTWICE0001", team_name="Twice", bot_user_id="U0NOX")
    first = register_workspace(pool, identity)
    second = register_workspace(pool, identity.model_copy(update={"team_name": "Twice renamed"}))
    assert first.tenant_id == second.tenant_id and first.workspace_id == second.workspace_id
    assert second.deployment_id is not None
    assert load_workspace(pool, "TTWICE0001").tenant_id == first.tenant_id


def test_a_tenant_cannot_read_another_tenants_rows_even_without_a_filter(pool, workspace):
    other = register_workspace(pool, TeamIdentity(team_id="TOTHER0001", team_name="Other"))
    with tenant_tx(pool, workspace.tenant_id) as conn:
        teams = [r["slack_team_id"] for r in conn.execute("SELECT slack_team_id FROM workspaces")]
        tenants = [r["id"] for r in conn.execute("SELECT id FROM tenants")]
        # Crafted input cannot widen the scope either.
        crafted = conn.execute(
            "SELECT count(*) AS n FROM workspaces WHERE slack_team_id = %s OR %s = %s",
            ["TOTHER0001", "1' OR '1'='1", "x"],
        ).fetchone()["n"]
    assert teams == [workspace.team_id]
    assert tenants == [workspace.tenant_id]
    assert crafted == 0
    with no_tenant_tx(pool) as conn:
        assert conn.execute("SELECT count(*) AS n FROM workspaces").fetchone()["n"] == 0
    with tenant_tx(pool, other.tenant_id) as conn:
        updated = conn.execute(
            "UPDATE workspaces SET name = 'pwned' WHERE id = %s RETURNING id", [workspace.workspace_id]
        ).fetchall()
    assert updated == []


def test_team_routing_does_not_depend_on_a_superuser_owner(admin_database_url, workspace):
    """The definer function runs as jamono_router, which sees workspaces through its own policy
    even though FORCE row-level security binds every non-superuser, the owner included."""
    import psycopg

    with psycopg.connect(admin_database_url) as conn:
        owner = conn.execute(
            "SELECT r.rolname, r.rolsuper, r.rolbypassrls FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner"
            " WHERE p.proname = 'jamono_resolve_team'"
        ).fetchone()
        conn.execute("SET ROLE jamono_router")
        visible = conn.execute(
            "SELECT count(*) FROM workspaces WHERE slack_team_id = %s", [workspace.team_id]
        ).fetchone()[0]
        secret_columns = conn.execute(
            "SELECT has_column_privilege('jamono_router', 'workspaces', 'settings', 'SELECT')"
        ).fetchone()[0]
    assert owner == ("jamono_router", False, False)
    assert visible == 1 and secret_columns is False
