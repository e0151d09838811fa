"""Teams, installations and a running app for the workspace tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store import Installation

from jamono.platform.crypto import SecretBox
from jamono.platform.settings import Settings
from jamono.slack.client import async_web_client
from jamono.web.app import build_web_app
from jamono.workspaces.oauth import build_oauth_flow, oauth_routes

SIGNING_SECRET = "oauth-tests-signing-secret"


def new_team() -> str:
    return "T" + uuid.uuid4().hex[:10].upper()


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
