"""Real parts for the tests: PostgreSQL with pgvector and Redis, embedded unless URLs are given.

TEST_DATABASE_URL must point at a PostgreSQL with pgvector (the machine's own has none, so the
default is pgserver); TEST_REDIS_URL may point at the machine's Redis.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from jamono.platform.embedded import EmbeddedPostgres, EmbeddedRedis
from jamono.platform.settings import Settings, load_settings
from migrations.runner import apply_migrations

ROOT = Path(__file__).resolve().parents[2]  # the repository: the test services live in its .jamono/test

# The Jira and Google stand-ins listen on loopback, which the egress guard refuses by default:
# the tests allow it explicitly, as a self-hosted operator would allow an internal Jira, so every
# plugin test also goes through the guard. (Subprocesses the tests start inherit it.)
os.environ["JAMONO_EGRESS_ALLOW"] = "127.0.0.1/32"


@contextmanager
def scratch_database(server_url: str, prefix: str = "jamono_test") -> Iterator[str]:
    """A new, migrated database on the same server, dropped afterwards (owner rights)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server_url)._replace(path="/" + name))
    try:
        apply_migrations(url)
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def pool_on(settings: Settings, database_url: str, name: str, max_size: int = 4) -> Iterator[Any]:
    """The app's pool (role jamono_app, row-level security) on another database: a module's own."""
    from jamono.platform.db import open_pool

    p = open_pool(settings.model_copy(update={"database_url": database_url}), max_size=max_size, name=name)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture(scope="session")
def admin_database_url() -> Iterator[str]:
    """A fresh, migrated database for this test session (owner rights: for setup only)."""
    given = os.environ.get("TEST_DATABASE_URL")
    server: EmbeddedPostgres | None = None
    if given:
        base_url = given
    else:
        server = EmbeddedPostgres(ROOT / ".jamono" / "test", database="postgres")
        base_url = server.start()
    with scratch_database(base_url) as url:
        yield url
    if server is not None:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persistent=False)
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def base_settings(admin_database_url: str, redis_url: str) -> Settings:
    return load_settings(
        database_url=admin_database_url,
        redis_url=redis_url,
        _env_file=None,
    )


@pytest.fixture(scope="session")
def pool(base_settings: Settings):
    from jamono.platform.db import open_pool

    p = open_pool(base_settings, max_size=8, name="tests")
    yield p
    p.close()


@pytest.fixture
def workspace(pool):
    """A brand-new tenant with one workspace, so tests never share rows."""
    from jamono.platform.tenancy import TeamIdentity, register_workspace

    team = "T" + uuid.uuid4().hex[:10].upper()
    return register_workspace(
        pool, TeamIdentity(team_id=team, team_name=f"Team {team}", bot_user_id="U0NOX", bot_id="B0NOX")
    )
