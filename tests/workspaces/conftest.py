"""Fixtures for the install and secrets tests: a sandbox Slack, keys, stores and an HTTP app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr

from jamono.platform.crypto import SecretBox, generate_key
from jamono.platform.settings import Settings
from jamono.sandbox import SandboxThread, SlackSandbox
from jamono.workspaces.installations import PostgresInstallationStore
from tests.plugins.services import scratch_database
from tests.workspaces.teams import SIGNING_SECRET, InstallApp, installation, new_team, running_app  # noqa: F401


@pytest.fixture(scope="session")
def key() -> str:
    return generate_key()


@pytest.fixture(scope="session")
def box(key: str) -> SecretBox:
    return SecretBox([key])


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SlackSandbox]:
    with SandboxThread() as sb:
        yield sb


@pytest.fixture
def oauth_env(base_settings: Settings, sandbox: SlackSandbox, key: str) -> Settings:
    """Settings for multi-workspace mode against the sandbox."""
    return base_settings.model_copy(
        update={
            "slack_client_id": sandbox.client_id,
            "slack_client_secret": SecretStr(sandbox.client_secret),
            "slack_api_url": sandbox.api_url,
            "jamono_encryption_keys": SecretStr(key),
        }
    )


@pytest.fixture
def store(pool, box: SecretBox, sandbox: SlackSandbox) -> PostgresInstallationStore:
    return PostgresInstallationStore(pool, box, sandbox.client_id)


@pytest.fixture
def admin(admin_database_url: str) -> Iterator[psycopg.Connection]:
    """The owner's connection (superuser here): sees every row, for asserting what is stored."""
    from psycopg.rows import dict_row

    with psycopg.connect(admin_database_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture
def app_factory(oauth_env: Settings, pool, box: SecretBox) -> Callable[..., Any]:
    return lambda **options: running_app(oauth_env, pool, box, **options)


@pytest.fixture(scope="module")
def fresh_database_url(admin_database_url: str) -> Iterator[str]:
    """A database of its own, for tests that count every row (key rotation spans all tenants)."""
    with scratch_database(admin_database_url, "jamono_keys") as url:
        yield url
