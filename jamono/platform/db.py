"""Connection pools and the tenant-scoped transaction every tenant-owned query runs in.
Why and how: docs/design/platform.md."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from jamono.platform.settings import Settings, SettingsError

# What every pool here hands out: connections whose rows are dicts (`row_factory=dict_row`).
Connection = psycopg.Connection[DictRow]
Pool = ConnectionPool[Connection]


def _role_setter(role: str | None):
    statement = sql.SQL("SET ROLE {}").format(sql.Identifier(role)) if role else None

    def configure(conn: psycopg.Connection) -> None:
        if statement is not None:
            conn.execute(statement)
        conn.commit()

    return configure


def require_database_url(settings: Settings) -> str:
    """Where the app's own connections go: APP_DATABASE_URL (a login that can only become the app
    role) when set, else DATABASE_URL. Migrations and key rotation use DATABASE_URL (the owner)."""
    url = settings.app_database_url or settings.database_url
    if not url:
        raise SettingsError("DATABASE_URL: not set; `jamono run` starts an embedded PostgreSQL")
    return url


def open_pool(
    settings: Settings, *, min_size: int = 1, max_size: int | None = None, name: str = "jamono", timeout_s: float = 30.0
) -> Pool:
    """A sync pool for workers; reconnects by itself after a database restart (check on borrow).
    A database that never answers at start is a one-line SettingsError naming why."""
    url = require_database_url(settings)
    pool: Pool = ConnectionPool(
        url,
        connection_class=Connection,
        min_size=min_size,
        max_size=max_size or settings.db_pool_max,
        kwargs={"row_factory": dict_row},
        configure=_role_setter(settings.db_app_role),
        check=ConnectionPool.check_connection,
        name=name,
        open=False,
    )
    try:
        pool.open(wait=True, timeout=timeout_s)
    except PoolTimeout:
        pool.close()
        raise SettingsError(f"DATABASE_URL: no connection within {timeout_s:g} s ({_why_not(url)})") from None
    return pool


def _why_not(url: str) -> str:
    """The server's or the network's own words (psycopg's messages name host and user, never the password)."""
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0][:300]
    return "connections opened slowly or the role could not be set"


def _set_tenant(tenant_id: UUID | str) -> tuple[str, list[str]]:
    return "SELECT set_config('app.tenant_id', %s, true)", [str(UUID(str(tenant_id)))]


@contextmanager
def tenant_tx(pool: ConnectionPool[Any], tenant_id: UUID | str) -> Iterator[Connection]:
    """One transaction in which row-level security sees only this tenant's rows."""
    with pool.connection() as conn, conn.transaction():
        conn.execute(*_set_tenant(tenant_id))
        yield conn


@contextmanager
def no_tenant_tx(pool: ConnectionPool[Any]) -> Iterator[Connection]:
    """A transaction with no tenant set: only definer functions and global tables answer."""
    with pool.connection() as conn, conn.transaction():
        yield conn
