"""The sandbox's consent screen: back to the app with a code that oauth.v2.access accepts once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

# slack_sdk itself still uses aiohttp.BasicAuth for oauth.v2.access; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


async def consent(sandbox, **query: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(sandbox.base_url + "oauth/v2/authorize", params=query, allow_redirects=False) as resp,
    ):
        return resp.status, resp.headers.get("Location", "")


async def test_allow_sends_a_code_for_the_asked_team_and_deny_an_error(sandbox):
    sandbox.oauth_redirect_url = "https://app.example/slack/oauth_redirect"
    status, location = await consent(
        sandbox, client_id=sandbox.client_id, scope="chat:write,commands", state="s1", team="T0NEWTEAM", user="U0DEV"
    )
    assert status == 302 and location.startswith("https://app.example/slack/oauth_redirect?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s1"]
    client = AsyncWebClient(base_url=sandbox.api_url)
    granted = await client.oauth_v2_access(
        client_id=sandbox.client_id, client_secret=sandbox.client_secret, code=query["code"][0]
    )
    assert granted["team"]["id"] == "T0NEWTEAM" and granted["scope"] == "chat:write,commands"
    status, location = await consent(sandbox, client_id=sandbox.client_id, state="s2", deny="1")
    assert status == 302 and parse_qs(urlsplit(location).query) == {"error": ["access_denied"], "state": ["s2"]}


async def test_a_wrong_client_or_no_redirect_is_refused(sandbox):
    assert (await consent(sandbox, client_id="nope"))[0] == 400
    sandbox.oauth_redirect_url = None
    assert (await consent(sandbox, client_id=sandbox.client_id))[0] == 400
