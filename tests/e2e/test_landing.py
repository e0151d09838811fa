"""`GET /` and `GET /playground` through the production wiring (`app.build_http_app`): the landing
page in French and English with the install pages' strict headers; the playground only for the
loopback sandbox, a 404 with real Slack credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from pydantic import SecretStr

from jamono.platform.crypto import generate_key
from jamono.platform.settings import Settings
from jamono.web.landing import PAGE_HEADERS
from jamono.workspaces.oauth import PAGE_HEADERS as INSTALL_HEADERS
from tests.e2e.serving import serve

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@asynccontextmanager
async def running(settings: Settings, pool, broker, identity) -> AsyncIterator[str]:
    import app
    from jamono.queue.client import DramatiqJobQueue

    runner, url = await serve(app.build_http_app(settings, pool, DramatiqJobQueue(broker), identity))
    try:
        yield url
    finally:
        await runner.cleanup()


async def get(url: str, **headers: str) -> tuple[int, str, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers, allow_redirects=False) as response:
        return response.status, await response.text(), dict(response.headers)


def sandboxed(settings: Settings, sandbox) -> Settings:
    """As `make run` sets the web process up with the sandbox: loopback, its secret, its playground."""
    return settings.model_copy(update={"host": "127.0.0.1", "playground_url": sandbox.base_url + "playground"})


async def test_the_landing_page_in_english_and_french_with_strict_headers(
    e2e_settings, pool, broker, sandbox_workspace, sandbox
):
    identity, _ = sandbox_workspace
    async with running(sandboxed(e2e_settings, sandbox), pool, broker, identity) as url:
        status, english, headers = await get(url + "/", **{"Accept-Language": "en-GB,en;q=0.9"})
        _, french, _ = await get(url + "/", **{"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
        _, forced, _ = await get(url + "/?lang=fr", **{"Accept-Language": "en"})
        status_redirect, _, redirect_headers = await get(url + "/playground")
    assert status == 200
    assert '<html lang="en">' in english and "What NOX does" in english and "runbooks" in english
    assert '<html lang="fr">' in french and "Ce que fait NOX" in french and "le bac à sable" in french
    assert forced == french
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cache-Control",
    ):
        assert headers[name] == PAGE_HEADERS[name], name
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'none'; style-src 'sha256-") and "script-src" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'none'" in csp
    # The same rules as the install pages, only the stylesheet's hash differs.
    assert csp.split("style-src")[0] == INSTALL_HEADERS["Content-Security-Policy"].split("style-src")[0]
    assert "<script" not in english and "http://" not in english.split("</style>")[1]
    # One workspace: no Add to Slack; the sandbox: the playground, one redirect away.
    assert 'id="add-to-slack"' not in english
    assert 'id="playground" href="/playground"' in english
    assert status_redirect == 302 and redirect_headers["Location"] == sandbox.base_url + "playground"


async def test_many_workspaces_get_add_to_slack_and_no_playground(e2e_settings, pool, broker, sandbox):
    multi = e2e_settings.model_copy(
        update={
            "slack_bot_token": None,
            "slack_client_id": sandbox.client_id,
            "host": "127.0.0.1",
            "slack_client_secret": SecretStr(sandbox.client_secret),
            "jamono_encryption_keys": SecretStr(generate_key()),
            "slack_signing_secret": SecretStr("a-real-apps-signing-secret"),
            "playground_url": sandbox.base_url + "playground",  # even if someone sets it
        }
    )
    async with running(multi, pool, broker, None) as url:
        status, page, _ = await get(url + "/", **{"Accept-Language": "fr"})
        playground, _, _ = await get(url + "/playground")
    assert status == 200
    assert 'id="add-to-slack" href="/slack/install">Ajouter à Slack<' in page
    assert 'id="playground"' not in page
    assert playground == 404


async def test_real_slack_credentials_never_serve_the_playground(
    e2e_settings, pool, broker, sandbox_workspace, sandbox
):
    identity, _ = sandbox_workspace
    real = sandboxed(e2e_settings, sandbox).model_copy(
        update={"slack_signing_secret": SecretStr("a-real-apps-signing-secret")}
    )
    public = sandboxed(e2e_settings, sandbox).model_copy(update={"host": "0.0.0.0"})
    for settings in (real, public, e2e_settings):
        async with running(settings, pool, broker, identity) as url:
            status, page, _ = await get(url + "/")
            playground, _, _ = await get(url + "/playground")
        assert status == 200 and 'id="playground"' not in page
        assert playground == 404
