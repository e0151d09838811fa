"""Migrations apply once, in order; every tenant-owned table is under forced row-level security."""

import psycopg

from migrations.runner import apply_migrations, discover


def test_rerunning_migrations_is_a_noop(admin_database_url):
    assert apply_migrations(admin_database_url) == []
    with psycopg.connect(admin_database_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [m.version for m in discover()]


def test_every_tenant_table_forces_row_level_security(admin_database_url):
    with psycopg.connect(admin_database_url) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'r' AND EXISTS ("
            "   SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')"
        ).fetchall()
        app_role = conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'jamono_app'").fetchone()
    assert rows, "no tenant-owned tables found"
    unprotected = [name for name, rls, forced in rows if not (rls and forced)]
    assert unprotected == []
    assert app_role == (False, False)
