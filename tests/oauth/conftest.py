"""Fixtures for the install and secrets tests: a sandbox Slack, keys, stores and an HTTP app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import pytest
from aiohttp import web
from pydantic import SecretStr
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store import Installation

from jamono.platform.crypto import SecretBox, generate_key
from jamono.platform.settings import Settings
from jamono.sandbox import SandboxThread, SlackSandbox
from jamono.slack.client import async_web_client
from jamono.web.app import build_web_app
from jamono.workspaces.installations import PostgresInstallationStore
from jamono.workspaces.oauth import build_oauth_flow, oauth_routes
from tests.conftest import scratch_database

SIGNING_SECRET = "oauth-tests-signing-secret"


def new_team() -> str:
    return "T" + uuid.uuid4().hex[:10].upper()


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


def installation(
    team_id: str,
    *,
    user_id: str = "U0INSTALLER",
    bot_token: str | None = None,
    installed_at: float | None = None,
    **fields: Any,
) -> Installation:
    return Installation(
        app_id="A0NOX",
        team_id=team_id,
        team_name=f"Team {team_id}",
        user_id=user_id,
        bot_token=bot_token or f"xoxb-{team_id.lower()}-{uuid.uuid4().hex}",
        bot_id="B0NOX",
        bot_user_id="U0NOX",
        bot_scopes="chat:write,commands",
        token_type="bot",
        installed_at=installed_at,
        **fields,
    )


class InstallApp:
    """A running aiohttp app wired as production wires it: jamono.web.app + the OAuth routes."""

    def __init__(self, bolt: AsyncApp, url: str, installed: list[Installation], seen_tokens: list[str]) -> None:
        self.bolt = bolt
        self.url = url
        self.installed = installed
        self.seen_tokens = seen_tokens


@asynccontextmanager
async def running_app(
    settings: Settings, pool, box: SecretBox, *, hook: Callable[[Installation], Any] | None = None, **options: Any
) -> AsyncIterator[InstallApp]:
    installed: list[Installation] = []
    seen_tokens: list[str] = []

    async def on_installed(i: Installation) -> None:
        installed.append(i)
        if hook is not None:
            hook(i)

    flow = build_oauth_flow(settings, pool, box, on_installed=on_installed, **options)
    bolt = AsyncApp(
        name="nox-test",
        signing_secret=SIGNING_SECRET,
        oauth_flow=flow,
        client=async_web_client(None, settings.slack_api_url),
        process_before_response=True,
        request_verification_enabled=False,
    )

    @bolt.event("app_mention")
    async def mention(context: Any) -> None:
        seen_tokens.append(context.bot_token)

    http = build_web_app(bolt, SIGNING_SECRET, {})
    http.add_routes(oauth_routes(bolt.oauth_flow))
    runner = web.AppRunner(http, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield InstallApp(bolt, f"http://127.0.0.1:{port}", installed, seen_tokens)
    finally:
        await runner.cleanup()


@pytest.fixture
def app_factory(oauth_env: Settings, pool, box: SecretBox) -> Callable[..., Any]:
    return lambda **options: running_app(oauth_env, pool, box, **options)


@pytest.fixture(scope="module")
def fresh_database_url(admin_database_url: str) -> Iterator[str]:
    """A database of its own, for tests that count every row (key rotation spans all tenants)."""
    with scratch_database(admin_database_url, "jamono_keys") as url:
        yield url
