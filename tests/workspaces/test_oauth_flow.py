"""Installing NOX through Bolt's OAuth flow, end to end in-process: our HTTP app, the sandbox's
oauth.v2.access, PostgreSQL stores; then token rotation on the next event, and every failure page."""

from __future__ import annotations

import html
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.oauth.token_rotation import TokenRotator

from jamono.platform.tenancy import TeamIdentity, load_workspace, register_workspace
from jamono.sandbox.payloads import SlackPayloads
from jamono.sandbox.signing import signed_headers
from jamono.workspaces.installations import bot_token_for, route
from jamono.workspaces.oauth import OAuthNotConfigured, build_oauth_settings, manifest_scopes
from tests.workspaces.teams import SIGNING_SECRET, new_team

COOKIE = "slack-app-oauth-state"
# slack_sdk itself still uses aiohttp.BasicAuth for oauth.v2.access; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # No cookie jar: cookies are passed by hand, exactly as the browser would echo them.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield session


async def start_install(
    http: aiohttp.ClientSession, base: str, lang: str = "fr-FR,fr;q=0.9,en;q=0.5"
) -> dict[str, Any]:
    async with http.get(base + "/slack/install", headers={"Accept-Language": lang}) as resp:
        page = await resp.text()
        assert resp.status == 200, page
        cookie = SimpleCookie(resp.headers["Set-Cookie"])[COOKIE]
        link = re.search(r'id="add-to-slack" href="([^"]+)"', page)
        return {
            "page": page,
            "headers": resp.headers,
            "cookie": cookie,
            "state": cookie.value,
            "authorize_url": html.unescape(link.group(1)) if link else None,
        }


async def redirect(
    http: aiohttp.ClientSession,
    base: str,
    *,
    state: str | None,
    cookie_state: str | None,
    lang: str = "en",
    **query: str,
) -> tuple[int, str, Any]:
    params = {**query, **({"state": state} if state is not None else {})}
    headers = {"Accept-Language": lang}
    if cookie_state is not None:
        headers["Cookie"] = f"{COOKIE}={cookie_state}"
    async with http.get(base + "/slack/oauth_redirect", params=params, headers=headers) as resp:
        return resp.status, await resp.text(), resp.headers


async def test_install_end_to_end(app_factory, http, sandbox, pool, box, admin, caplog):
    team = new_team()
    caplog.set_level(logging.INFO)
    async with app_factory() as app:
        started = await start_install(http, app.url)
        # The install page: French, our button, no script, strict headers, a state cookie for this browser.
        assert 'lang="fr"' in started["page"] and "Ajouter à Slack" in started["page"]
        assert "<script" not in started["page"]
        assert "default-src 'none'" in started["headers"]["Content-Security-Policy"]
        assert started["headers"]["Cache-Control"] == "no-store"
        assert started["cookie"]["httponly"] and started["cookie"]["secure"]
        authorize = urlsplit(started["authorize_url"])
        assert started["authorize_url"].startswith(sandbox.base_url + "oauth/v2/authorize?")
        query = parse_qs(authorize.query)
        assert query["client_id"] == [sandbox.client_id] and query["state"] == [started["state"]]
        assert query["scope"][0].split(",") == manifest_scopes().bot

        code = sandbox.issue_oauth_code(team_id=team, team_name="Ops <b>&</b>", user="U0ADMIN")
        status, page, headers = await redirect(
            http, app.url, code=code, state=started["state"], cookie_state=started["state"], lang="fr"
        )
        assert status == 200, page
        assert "NOX est installé" in page and "Ops &lt;b&gt;&amp;&lt;/b&gt;" in page
        assert f"{COOKIE}=deleted" in headers["Set-Cookie"]

    token = sandbox.calls_to("oauth.v2.access")[-1].response["access_token"]
    ctx = load_workspace(pool, team)
    assert ctx.is_active and ctx.deployment_id is not None
    tenant = admin.execute("SELECT t::text AS whole FROM tenants t WHERE id = %s", [ctx.tenant_id]).fetchone()
    rows = admin.execute(
        "SELECT s.*, s::text AS whole FROM slack_installations s WHERE team_id = %s", [team]
    ).fetchall()
    assert len(rows) == 1 and tenant is not None
    row = rows[0]
    assert token not in row["whole"] and token not in tenant["whole"]
    assert box.decrypt(row["bot_token_enc"]) == token
    assert (row["user_id"], row["bot_user_id"], row["bot_id"], row["tenant_id"]) == (
        "U0ADMIN",
        "U0NOX",
        "B0NOX",
        ctx.tenant_id,
    )
    assert row["bot_refresh_token_enc"] is None and row["bot_token_expires_at"] is None  # no rotation asked
    found = app.bolt.oauth_flow.settings.installation_store.sync.find_bot(enterprise_id=None, team_id=team)
    assert found.bot_token == token and bot_token_for(pool, box, team) == token
    assert [i.team_id for i in app.installed] == [team] and app.installed[0].user_id == "U0ADMIN"
    assert "Slack workspace installed" in caplog.text and token not in caplog.text


async def test_a_failing_post_install_hook_does_not_fail_the_install(app_factory, http, sandbox, pool, caplog):
    team = new_team()

    def hook(installation):
        raise RuntimeError(f"queue down while welcoming {installation.bot_token}")

    async with app_factory(hook=hook) as app:
        started = await start_install(http, app.url)
        code = sandbox.issue_oauth_code(team_id=team)
        status, page, _ = await redirect(
            http, app.url, code=code, state=started["state"], cookie_state=started["state"]
        )
    assert status == 200 and "NOX is installed" in page
    token = sandbox.calls_to("oauth.v2.access")[-1].response["access_token"]
    assert "post-install hook failed (RuntimeError)" in caplog.text and token not in caplog.text
    assert bot_token_for(pool, app.bolt.oauth_flow.settings.installation_store.sync.box, team) == token


async def test_every_failure_ends_on_a_clear_page_with_a_retry_link(app_factory, http, sandbox, admin, pool):
    async with app_factory() as app:
        started = await start_install(http, app.url)
        code = sandbox.issue_oauth_code(team_id=new_team())
        ok, _, _ = await redirect(http, app.url, code=code, state=started["state"], cookie_state=started["state"])
        assert ok == 200

        cases: dict[str, tuple[int, str, str]] = {}
        # Reused state (the same link twice).
        cases["reused"] = await redirect(
            http,
            app.url,
            code=sandbox.issue_oauth_code(team_id=new_team()),
            state=started["state"],
            cookie_state=started["state"],
        )
        # Expired state.
        late = await start_install(http, app.url)
        admin.execute(
            "UPDATE slack_oauth_states SET expire_at = now() - interval '1 second' WHERE state = %s", [late["state"]]
        )
        cases["expired"] = await redirect(
            http,
            app.url,
            code=sandbox.issue_oauth_code(team_id=new_team()),
            state=late["state"],
            cookie_state=late["state"],
        )
        # A state this browser was never given (no cookie), and one nobody issued.
        other = await start_install(http, app.url)
        cases["no_cookie"] = await redirect(http, app.url, code="x", state=other["state"], cookie_state=None)
        cases["forged"] = await redirect(http, app.url, code="x", state="forged", cookie_state="forged")
        # A code Slack refuses, and the installer pressing Cancel in Slack.
        bad = await start_install(http, app.url)
        cases["bad_code"] = await redirect(
            http, app.url, code="not-a-code", state=bad["state"], cookie_state=bad["state"]
        )
        cases["cancelled"] = await redirect(
            http, app.url, error="access_denied", state="s", cookie_state="s", lang="fr"
        )

    expected = {
        "reused": (401, "invalid_state", "expired or was already used"),
        "expired": (401, "invalid_state", "expired or was already used"),
        "no_cookie": (400, "invalid_browser", "another browser"),
        "forged": (401, "invalid_state", "expired or was already used"),
        "bad_code": (401, "invalid_code", "did not accept the authorization code"),
        "cancelled": (200, "access_denied", "annulée dans Slack"),
    }
    for name, (status, page, headers) in cases.items():
        want_status, reason, words = expected[name]
        assert status == want_status, (name, page)
        assert f"{reason}</p>" in page and words in page, (name, page)
        assert 'href="/slack/install"' in page, name
        assert "<script" not in page and headers["Cache-Control"] == "no-store", name
        assert f"{COOKIE}=deleted" in headers["Set-Cookie"], name
    assert not app.installed[1:]  # only the one good install ran the hook


async def test_error_and_team_parameters_are_ours_to_word(app_factory, http):
    """`?error=` is a stranger's text: plan_limit renders (it was a 500), an unknown error shows a
    generic reason; `?team=` reaches Slack's authorize URL only when it is a real team id."""
    async with app_factory() as app:
        plan = await redirect(http, app.url, error="plan_limit", state="s", cookie_state="s")
        odd = await redirect(http, app.url, error="Call_support_at_+1-555-0100", state="s", cookie_state="s")
        async with http.get(app.url + "/slack/install", params={"team": 'T1"><a href=//evil'}) as resp:
            bad_team = (resp.status, await resp.text())
        async with http.get(app.url + "/slack/install", params={"team": "T0ABC123"}) as resp:
            good_team = (resp.status, await resp.text())
    assert plan[0] == 200 and "Your plan does not allow NOX in another workspace" in plan[1]
    assert "555" not in odd[1] and "Call_support" not in odd[1] and "Reason code: other" in odd[1]
    assert bad_team[0] == 400 and "evil" not in bad_team[1] and 'href="/slack/install"' in bad_team[1]
    assert good_team[0] == 200 and "team=T0ABC123" in good_team[1]


async def test_token_rotation_round_trip(app_factory, http, sandbox, pool, box, admin, oauth_env):
    team = new_team()
    async with app_factory() as app:
        started = await start_install(http, app.url)
        code = sandbox.issue_oauth_code(team_id=team, token_rotation=True)
        status, page, _ = await redirect(
            http, app.url, code=code, state=started["state"], cookie_state=started["state"]
        )
        assert status == 200, page
        first = sandbox.calls_to("oauth.v2.access")[-1].response
        row = admin.execute("SELECT * FROM slack_installations WHERE team_id = %s", [team]).fetchone()
        assert box.decrypt(row["bot_refresh_token_enc"]) == first["refresh_token"]
        assert abs(row["bot_token_expires_at"].timestamp() - (time.time() + first["expires_in"])) < 60
        # Make the token about to expire: Bolt refreshes it when the next event comes in.
        admin.execute(
            "UPDATE slack_installations SET bot_token_expires_at = now() + interval '1 minute' WHERE team_id = %s",
            [team],
        )
        envelope = SlackPayloads(team_id=team).app_mention("U0DEV", "C0OPS", "hello")
        body = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json", **signed_headers(SIGNING_SECRET, body)}
        async with http.post(app.url + "/slack/events", data=body, headers=headers) as resp:
            assert resp.status == 200, await resp.text()
        assert len(app.seen_tokens) == 1

    refresh = sandbox.calls_to("oauth.v2.access")[-1]
    assert refresh.params.get("grant_type") == "refresh_token"
    rotated = app.seen_tokens[0]
    assert rotated == refresh.response["access_token"] != first["access_token"]
    assert rotated in sandbox.valid_tokens()
    rows = admin.execute("SELECT * FROM slack_installations WHERE team_id = %s", [team]).fetchall()
    assert len(rows) == 1 and rows[0]["id"] == row["id"]  # refreshed in place, still one install
    assert box.decrypt(rows[0]["bot_token_enc"]) == rotated
    assert box.decrypt(rows[0]["bot_refresh_token_enc"]) == refresh.response["refresh_token"] != first["refresh_token"]
    assert rows[0]["bot_token_expires_at"].timestamp() > time.time() + 11 * 3600

    # Workers refresh too (sync rotator, row lock), spending the refresh token Bolt stored.
    rotator = TokenRotator(
        client_id=sandbox.client_id, client_secret=sandbox.client_secret, client=WebClient(base_url=sandbox.api_url)
    )
    assert bot_token_for(pool, box, team, rotator=rotator) == rotated  # not expiring: no refresh
    again = bot_token_for(pool, box, team, rotator=rotator, minutes_before_expiration=24 * 60)
    assert again != rotated and again in sandbox.valid_tokens()
    assert bot_token_for(pool, box, team) == again


async def test_plan_limit_refuses_an_install_beyond_the_plan(app_factory, http, sandbox, pool, admin):
    first, second = new_team(), new_team()
    ctx = register_workspace(pool, TeamIdentity(team_id=first, team_name="First"))
    # An operator attached a second workspace to the same (free, one-agent) tenant.
    admin.execute(
        "INSERT INTO workspaces (tenant_id, slack_team_id, name) VALUES (%s, %s, 'Second')", [ctx.tenant_id, second]
    )
    async with app_factory() as app:
        started = await start_install(http, app.url)
        code = sandbox.issue_oauth_code(team_id=second)
        status, page, _ = await redirect(
            http, app.url, code=code, state=started["state"], cookie_state=started["state"]
        )
    assert status == 403 and "plan_limit</p>" in page and "allows NOX in 1 workspace(s)" in page
    assert not app.installed
    assert not load_workspace(pool, second).is_active and load_workspace(pool, first).is_active
    assert route(pool, second, None).tenant_id == ctx.tenant_id
    assert (
        admin.execute("SELECT count(*) AS n FROM slack_installations WHERE team_id = %s", [second]).fetchone()["n"] == 0
    )


async def test_bolts_own_server_works_with_the_settings_alone(oauth_env, pool, box, http, admin):
    """`AsyncApp(oauth_settings=build_oauth_settings(...))` + `app.web_app()` also runs on our stores."""
    bolt = AsyncApp(signing_secret=SIGNING_SECRET, oauth_settings=build_oauth_settings(oauth_env, pool, box))
    runner = web.AppRunner(bolt.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with http.get(base + "/slack/install") as resp:
            state = SimpleCookie(resp.headers["Set-Cookie"])[COOKIE].value
            assert resp.status == 200
        assert admin.execute("SELECT 1 FROM slack_oauth_states WHERE state = %s", [state]).fetchone()
        status, page, _ = await redirect(http, base, code="x", state="nope", cookie_state="nope")
        assert status == 401 and "invalid_state</p>" in page
    finally:
        await runner.cleanup()


def test_settings_need_client_credentials(base_settings, pool, box):
    with pytest.raises(OAuthNotConfigured, match="SLACK_CLIENT_ID"):
        build_oauth_settings(base_settings, pool, box)


async def _install(http, app, sandbox, team: str, enterprise_id: str | None = None) -> tuple[int, str]:
    started = await start_install(http, app.url, lang="en")
    code = sandbox.issue_oauth_code(team_id=team, enterprise_id=enterprise_id)
    status, page, _ = await redirect(http, app.url, code=code, state=started["state"], cookie_state=started["state"])
    return status, page


async def test_a_grid_orgs_workspaces_are_one_customer(app_factory, http, sandbox, pool, admin):
    """An Enterprise Grid org is one tenant: its plan's max_agents counts all its workspaces (each
    install used to make a tenant of its own, so max_agents could never trip)."""
    org = "E" + new_team()[1:]
    first, second, third, alone = new_team(), new_team(), new_team(), new_team()
    async with app_factory() as app:
        assert (await _install(http, app, sandbox, first, org))[0] == 200
        tenant = load_workspace(pool, first, org).tenant_id
        status, page = await _install(http, app, sandbox, second, org)
        assert status == 403 and "allows NOX in 1 workspace(s)" in page, "the free plan's one workspace"
        assert route(pool, second, org).tenant_id == tenant and not route(pool, second, org).is_active
        admin.execute("UPDATE tenants SET max_agents = 2 WHERE id = %s", [tenant])
        assert (await _install(http, app, sandbox, second, org))[0] == 200
        assert (await _install(http, app, sandbox, third, org))[0] == 403
        assert (await _install(http, app, sandbox, alone))[0] == 200
    ours = load_workspace(pool, second, org)
    assert ours.tenant_id == tenant and ours.is_active and ours.enterprise_id == org
    assert load_workspace(pool, alone).tenant_id != tenant, "a workspace outside any org is its own customer"
    assert (
        admin.execute(
            "SELECT count(*) AS n FROM tenants t WHERE EXISTS (SELECT 1 FROM workspaces w"
            " WHERE w.tenant_id = t.id AND w.slack_enterprise_id = %s)",
            [org],
        ).fetchone()["n"]
        == 1
    )
