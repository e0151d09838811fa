"""Many workspaces through the production wiring (`app.build_http_app` in multi-workspace mode):
"Add to Slack" for two teams, each welcomed and answered with its own token, then uninstall and
revocation; and, in single-workspace mode, newcomers, new ops channels and /nox status|config."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from typing import Any

import aiohttp
import psycopg
import pytest
from psycopg.rows import dict_row
from pydantic import SecretStr

from jamono.platform.crypto import generate_key
from jamono.platform.db import tenant_tx
from jamono.platform.settings import SANDBOX_SIGNING_SECRET, Settings
from jamono.platform.tenancy import load_workspace
from tests.e2e.serving import serve
from tests.plugins.drained import queue_drained

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
COOKIE = "slack-app-oauth-state"


def new_team() -> str:
    return "T" + uuid.uuid4().hex[:9].upper()


@pytest.fixture
def multi_settings(e2e_settings: Settings, sandbox) -> Settings:
    return e2e_settings.model_copy(
        update={
            "slack_bot_token": None,
            "slack_client_id": sandbox.client_id,
            "slack_client_secret": SecretStr(sandbox.client_secret),
            "jamono_encryption_keys": SecretStr(generate_key()),
        }
    )


@pytest.fixture
def multi_runtime(multi_settings: Settings, worker, broker):
    """The worker's runtime, as a multi-workspace deployment builds it (tokens from installations)."""
    from jamono.container import Runtime, get_runtime, set_runtime

    before = get_runtime()
    runtime = Runtime(multi_settings)
    set_runtime(runtime)
    yield runtime
    from jamono.queue.names import QUEUES

    for queue in QUEUES:
        broker.join(queue, timeout=20_000)  # let this test's jobs finish on the runtime they started with
    set_runtime(before)
    runtime.close()


@pytest.fixture
async def multi_url(multi_settings: Settings, pool, broker, multi_runtime) -> AsyncIterator[str]:
    import app
    from jamono.queue.client import DramatiqJobQueue

    assert app.multi_workspace(multi_settings)
    runner, url = await serve(app.build_http_app(multi_settings, pool, DramatiqJobQueue(broker), None))
    yield url
    await runner.cleanup()


@pytest.fixture
def admin(admin_database_url: str):
    with psycopg.connect(admin_database_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn


async def install(url: str, sandbox, team: str, installer: str) -> str:
    """What a browser does: the install page, Slack's consent (the sandbox), the redirect back."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        async with http.get(url + "/slack/install", headers={"Accept-Language": "fr"}) as resp:
            assert resp.status == 200
            page = await resp.text()
            state = SimpleCookie(resp.headers["Set-Cookie"])[COOKIE].value
        link = re.search(r'id="add-to-slack" href="([^"]+)"', page)
        assert "Ajouter à Slack" in page and link
        # The person clicks the button; Slack's consent screen (the sandbox's) sends them back.
        sandbox.oauth_redirect_url = url + "/slack/oauth_redirect"
        authorize = html.unescape(link.group(1)) + f"&team={team}&user={installer}"
        async with http.get(authorize, allow_redirects=False) as resp:
            assert resp.status == 302
            back = resp.headers["Location"]
        assert back.startswith(url + "/slack/oauth_redirect?code=")
        # The browser sends the state cookie it got from the install page back to our site.
        async with http.get(back, headers={"Cookie": f"{COOKIE}={state}", "Accept-Language": "en"}) as resp:
            done = await resp.text()
            assert resp.status == 200, done
            assert "NOX" in html.unescape(done)
    return sandbox.calls_to("oauth.v2.access")[-1].response["access_token"]


def sender_for(url: str, sandbox, team: str):
    from jamono.sandbox.sender import SlackEventSender

    return SlackEventSender(f"{url}/slack/events", SANDBOX_SIGNING_SECRET, team_id=team, sandbox=sandbox)


def _replies_with_token(sandbox, channel: str, ts: str) -> list[str | None]:
    return [
        c.token
        for c in sandbox.calls_to("chat.postMessage")
        if c.params.get("channel") == channel and c.params.get("thread_ts") == ts
    ]


async def test_two_workspaces_install_get_welcomed_and_answered_with_their_own_tokens(
    multi_url, sandbox, pool, admin, multi_runtime
):
    sandbox.add_user("U0ALICE", "alice", locale="fr-FR")
    sandbox.add_user("U0BOB", "bob", locale="en-US", tz="America/New_York")
    teams = {new_team(): "U0ALICE", new_team(): "U0BOB"}
    hello = {"U0ALICE": "NOX est prêt", "U0BOB": "NOX is ready"}
    tokens = {team: await install(multi_url, sandbox, team, user) for team, user in teams.items()}
    assert len(set(tokens.values())) == 2

    for team, user in teams.items():
        ws = load_workspace(pool, team)
        assert ws.is_active and ws.deployment_id is not None
        # The installer hears from NOX once, in their own language.
        dm = sandbox.dm_channel(user)
        welcome = await sandbox.wait_for(lambda dm=dm: sandbox.bot_messages(dm), timeout=30)
        assert hello[user] in str(welcome[0]["blocks"])
        post = [c for c in sandbox.calls_to("chat.postMessage") if c.params.get("channel") == user]
        assert [c.token for c in post] == [tokens[team]]
        # Each tenant got its own runbook library, visible only to itself.
        with tenant_tx(pool, ws.tenant_id) as conn:
            mine = conn.execute("SELECT count(*) AS n FROM knowledge_documents").fetchone()["n"]
        assert mine > 10
        stored = admin.execute("SELECT count(*) AS n FROM knowledge_documents WHERE tenant_id = %s", [ws.tenant_id])
        assert stored.fetchone()["n"] == mine

    # A mention in each workspace is answered in its thread, with that workspace's own token.
    asked: dict[str, tuple[str, str]] = {}
    for i, team in enumerate(teams):
        channel = f"C0MULTI{i}{team[-4:]}"
        async with sender_for(multi_url, sandbox, team) as sender:
            envelope = sender.app_mention(teams[team], channel, "how do I debug a pod in CrashLoopBackOff?")
            assert (await sender.send_event(envelope)).status == 200
            asked[team] = (channel, envelope["event"]["ts"])
    for team, (channel, ts) in asked.items():
        await sandbox.wait_for(
            lambda channel=channel, ts=ts: len(_replies_with_token(sandbox, channel, ts)) >= 1, timeout=30
        )
        assert set(_replies_with_token(sandbox, channel, ts)) == {tokens[team]}

    # Neither tenant sees the other's interactions, through the app's role with no tenant filter.
    a, b = (load_workspace(pool, t) for t in teams)

    def recorded(ws) -> int:
        with tenant_tx(pool, ws.tenant_id) as conn:
            return conn.execute("SELECT count(*) AS n FROM agent_interactions").fetchone()["n"]

    await sandbox.wait_for(lambda: recorded(a) and recorded(b), timeout=30)
    for ws, other in ((a, b), (b, a)):
        with tenant_tx(pool, ws.tenant_id) as conn:
            rows = conn.execute("SELECT tenant_id, channel_id FROM agent_interactions").fetchall()
            installs = conn.execute("SELECT tenant_id FROM slack_installations").fetchall()
        assert rows and {r["tenant_id"] for r in rows} == {ws.tenant_id}
        assert {r["tenant_id"] for r in installs} == {ws.tenant_id}
        assert asked[other.team_id][0] not in {r["channel_id"] for r in rows}


async def test_uninstall_and_revocation_forget_tokens_and_silence_nox(
    multi_url, sandbox, pool, admin, multi_runtime, broker
):
    team, other = new_team(), new_team()
    sandbox.add_user("U0CAROL", "carol")
    sandbox.add_user("U0DAVE", "dave")
    await install(multi_url, sandbox, team, "U0CAROL")
    await install(multi_url, sandbox, other, "U0DAVE")
    async with sender_for(multi_url, sandbox, other) as sender:
        assert (await sender.send_event(sender.tokens_revoked(bot=[sandbox.bot_user_id]))).status == 200
    async with sender_for(multi_url, sandbox, team) as sender:
        assert (await sender.send_event(sender.app_uninstalled())).status == 200

        def gone() -> bool:
            rows = admin.execute(
                "SELECT count(*) AS n FROM slack_installations s JOIN workspaces w"
                " ON w.id = s.workspace_id WHERE w.slack_team_id = %s",
                [team],
            ).fetchone()
            return rows["n"] == 0 and not load_workspace(pool, team).is_active

        await sandbox.wait_for(gone, timeout=20)
        deployment = admin.execute(
            "SELECT d.status FROM agent_deployments d JOIN workspaces w ON w.id = d.workspace_id"
            " WHERE w.slack_team_id = %s",
            [team],
        ).fetchone()
        assert deployment["status"] == "removed"

        # Redelivered uninstall: still fine, nothing else changes.
        assert (await sender.send_event(sender.app_uninstalled())).status == 200
        # An event that slips in after the uninstall is acked (so Slack stops) and never answered.
        before = len(sandbox.calls_to("chat.postMessage"))
        envelope = sender.app_mention("U0CAROL", "C0GONE", "are you still there?")
        assert (await sender.send_event(envelope)).status == 200
        await queue_drained(broker)
        assert len(sandbox.calls_to("chat.postMessage")) == before

    def revoked() -> bool:
        row = admin.execute(
            "SELECT count(*) AS n FROM slack_installations s JOIN workspaces w ON w.id = s.workspace_id"
            " WHERE w.slack_team_id = %s AND s.bot_token_enc IS NOT NULL",
            [other],
        ).fetchone()
        return row["n"] == 0

    await sandbox.wait_for(revoked, timeout=20)
    # Re-installing brings the workspace back, with a new token.
    token = await install(multi_url, sandbox, team, "U0CAROL")
    ws = load_workspace(pool, team)
    assert ws.is_active
    assert multi_runtime.bot_token(ws) == token


# --- single-workspace mode: people, channels, commands -----------------------------------------
@pytest.mark.parametrize("locale, words", [("fr-FR", "Bienvenue"), ("en-GB", "Welcome aboard")])
async def test_a_newcomer_is_welcomed_once_in_their_language(sender, sandbox, broker, locale, words):
    user = "U0NEW" + uuid.uuid4().hex[:6].upper()
    sandbox.add_user(user, "newcomer", locale=locale)
    envelope = sender.team_join(user)
    assert (await sender.send_event(envelope)).status == 200
    # Slack redelivers: still one DM.
    assert (await sender.send_event(envelope, retry_num=1)).status == 200
    dm = sandbox.dm_channel(user)
    found = await sandbox.wait_for(lambda: sandbox.bot_messages(dm), timeout=20)
    await queue_drained(broker)  # the redelivery's job has run
    assert len(sandbox.bot_messages(dm)) == len(found) == 1 and words in str(found[0]["blocks"])


async def test_a_new_ops_channel_gets_an_offer_and_a_watched_channel_gets_incident_help(
    sender, sandbox, pool, sandbox_workspace, broker
):
    channel = "C0INC" + uuid.uuid4().hex[:6].upper()
    assert (await sender.send_event(sender.channel_created(channel, f"inc-{channel[-6:].lower()}-db"))).status == 200
    assert (await sender.send_event(sender.channel_created("C0RANDOM" + channel[-4:], "random-fun"))).status == 200
    await sandbox.wait_for(  # the offer to watch the ops-looking channel
        lambda: [
            e
            for e in sandbox.ephemerals(user="U0DEV")
            if "channel_watch" in str(e.get("blocks")) and channel in str(e.get("blocks"))
        ],
        timeout=20,
    )
    _, ws = sandbox_workspace

    def channels() -> dict[str, Any]:
        with tenant_tx(pool, ws.tenant_id) as conn:
            return {r["channel_id"]: r for r in conn.execute("SELECT * FROM slack_channels").fetchall()}

    rows = await sandbox.wait_for(
        lambda: (found := channels()).get(channel, {}).get("offered_at") and found, timeout=10
    )
    assert rows[channel]["looks_ops"] and rows[channel]["offered_at"] is not None
    assert not rows["C0RANDOM" + channel[-4:]]["looks_ops"]

    # Before watching, an incident-looking message in the channel gets no reply.
    quiet = sender.message(channel, "the orders database is down, checkout returns 500 for everyone")
    assert (await sender.send_event(quiet)).status == 200
    await queue_drained(broker)
    assert not sandbox.bot_messages(channel, thread_ts=quiet["event"]["ts"])

    # Watch it: NOX joins, confirms, then answers incidents (and only incidents) there.
    click = ephemeral_click(sender, sandbox, "U0DEV", channel, "channel_watch", channel)
    assert (await sender.send_interactive(click)).status == 200
    await sandbox.wait_for(
        lambda: any(c.params.get("channel") == channel for c in sandbox.calls_to("conversations.join")), timeout=20
    )
    incident = sender.message(channel, "URGENT: production API is down, all requests time out since the last deploy")
    chatter = sender.message(channel, "who wants coffee?")
    for envelope in (incident, chatter):
        assert (await sender.send_event(envelope)).status == 200
    reply = await sandbox.wait_for_bot_reply(
        channel, thread_ts=incident["event"]["ts"], predicate=lambda m: "Incident" in str(m.get("blocks")), timeout=30
    )
    assert reply
    await queue_drained(broker)
    assert not sandbox.bot_messages(channel, thread_ts=chatter["event"]["ts"])


def ephemeral_click(sender, sandbox, user: str, channel: str, action_id: str, value: str) -> dict[str, Any]:
    """A button click on an ephemeral message (Slack keeps no copy of it; its response_url replaces it)."""
    import time

    payload = sender._interaction("block_actions", user)
    payload.update(
        container={"type": "message", "message_ts": f"{time.time():.6f}", "channel_id": channel, "is_ephemeral": True},
        channel={"id": channel, "name": channel.lower()},
        state={"values": {}},
        response_url=sandbox.response_url_for(channel, user),
        actions=[
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "channel_watch",
                "value": value,
                "action_ts": f"{time.time():.6f}",
                "text": {"type": "plain_text", "text": "Watch"},
            }
        ],
    )
    return payload


async def test_nox_status_reports_health_and_unconnected_integrations(sender, sandbox):
    before = len(sandbox.ephemerals(user="U0DEV"))
    response = await sender.send_command(sender.slash_command("U0DEV", "status"))
    assert response.status == 200 and "Checking" in response.body
    found = await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0DEV")[before:] if "Jira" in str(e.get("blocks"))], timeout=20
    )
    text = str(found[-1]["blocks"])
    assert ":large_green_circle: *Database*" in text and "Knowledge base" in text
    assert "*Job queue* — reachable, " in text and "job(s) waiting" in text
    assert ":white_circle: *Jira* — not connected" in text and "Google Calendar" in text


async def test_nox_config_opens_the_settings_modal_for_admins_only(sender, sandbox):
    admin_user, member = "U0ADM" + uuid.uuid4().hex[:5].upper(), "U0MEM" + uuid.uuid4().hex[:5].upper()
    sandbox.add_user(admin_user, "admin", is_admin=True, locale="en-US")
    sandbox.add_user(member, "member", locale="en-US")
    response = await sender.send_command(sender.slash_command(admin_user, "config jira"))
    assert response.status == 200 and "settings" in response.body.lower()
    await sandbox.wait_for(
        lambda: [v for v in sandbox.open_views(admin_user) if v.get("callback_id") == "settings_jira"], timeout=20
    )
    assert (await sender.send_command(sender.slash_command(member, "config"))).status == 200
    refusal = await sandbox.wait_for(
        lambda: [v for v in sandbox.open_views(member) if "admin" in str(v.get("blocks")).lower()], timeout=20
    )
    forms = ("settings_general", "settings_jira", "settings_google")
    assert not [v for v in sandbox.open_views(member) if v.get("callback_id") in forms] and refusal


async def test_unknown_subcommand_gets_help_not_a_trace(sender):
    response = await sender.send_command(sender.slash_command("U0DEV", "frobnicate"))
    assert response.status == 200 and "frobnicate" in response.body and "Traceback" not in response.body


async def test_a_newcomer_beyond_the_plan_gets_a_clear_notice_and_known_people_are_answered(
    sender, sandbox, admin, sandbox_workspace, broker
):
    _, ws = sandbox_workspace
    known = sender.dm("U0DEV", "how do I roll back a deployment?")
    assert (await sender.send_event(known)).status == 200
    await sandbox.wait_for_bot_reply(
        known["event"]["channel"],
        thread_ts=known["event"]["ts"],
        predicate=lambda m: "actions" in str(m.get("blocks")),
        timeout=30,
    )

    def people() -> int:
        return admin.execute(
            "SELECT count(*) AS n FROM (SELECT DISTINCT workspace_id, user_id FROM agent_interactions"
            " WHERE tenant_id = %s AND created_at > now() - interval '30 days') u",
            [ws.tenant_id],
        ).fetchone()["n"]

    used = await sandbox.wait_for(people, timeout=10)
    admin.execute("UPDATE tenants SET max_users = %s WHERE id = %s", [used, ws.tenant_id])
    try:
        newcomer = "U0LATE" + uuid.uuid4().hex[:5].upper()
        sandbox.add_user(newcomer, "late", locale="en-US")
        asked = sender.dm(newcomer, "how do I restart a crashed pod?", channel=sandbox.dm_channel(newcomer))
        assert (await sender.send_event(asked)).status == 200
        notice = await sandbox.wait_for_bot_reply(asked["event"]["channel"], thread_ts=asked["event"]["ts"], timeout=30)
        assert f"covers {used} people a month" in notice["text"]
        again = sender.dm("U0DEV", "and how do I check the rollout status?")
        assert (await sender.send_event(again)).status == 200
        await sandbox.wait_for_bot_reply(
            again["event"]["channel"],
            thread_ts=again["event"]["ts"],
            predicate=lambda m: "actions" in str(m.get("blocks")),
            timeout=30,
        )
        await queue_drained(broker)
        assert (
            admin.execute(
                "SELECT count(*) AS n FROM agent_interactions WHERE tenant_id = %s AND user_id = %s",
                [ws.tenant_id, newcomer],
            ).fetchone()["n"]
            == 0
        )
        assert len(sandbox.bot_messages(asked["event"]["channel"], thread_ts=asked["event"]["ts"])) == 1
    finally:
        admin.execute("UPDATE tenants SET max_users = 50 WHERE id = %s", [ws.tenant_id])
