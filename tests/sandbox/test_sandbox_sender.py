"""Signing and payload shapes of the event sender, checked against slack_sdk's verifier."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from jamono.sandbox import SlackEventSender, SlackSandbox
from jamono.sandbox.signing import signature

SECRET = "test-signing-secret"

# Slack's documented example, also used by slack_sdk's own tests.
VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VECTOR_TS = 1531420618
VECTOR_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


class _FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_signature_matches_slacks_known_vector() -> None:
    assert signature(VECTOR_SECRET, VECTOR_TS, VECTOR_BODY.encode()) == VECTOR_SIGNATURE
    sender = SlackEventSender("http://unused", VECTOR_SECRET)
    headers = sender.sign(VECTOR_BODY.encode(), VECTOR_TS)
    assert headers == {"X-Slack-Request-Timestamp": str(VECTOR_TS), "X-Slack-Signature": VECTOR_SIGNATURE}
    verifier = SignatureVerifier(VECTOR_SECRET, clock=_FixedClock(VECTOR_TS + 10))
    assert verifier.is_valid_request(VECTOR_BODY, headers)


def test_signatures_verify_and_tampering_or_staleness_fails() -> None:
    sender = SlackEventSender("http://unused", SECRET)
    verifier = SignatureVerifier(SECRET)
    body = json.dumps(sender.dm("U0DEV", "hello")).encode()
    assert verifier.is_valid_request(body, sender.sign(body))
    assert not verifier.is_valid_request(body.replace(b"hello", b"hullo"), sender.sign(body))
    assert not verifier.is_valid_request(body, sender.sign(body, int(time.time()) - 301))
    assert not SignatureVerifier("other-secret").is_valid_request(body, sender.sign(body))


def test_event_envelope_shape() -> None:
    sender = SlackEventSender("http://unused", SECRET)
    a, b = sender.app_mention("U0DEV", "C0OPS", "help"), sender.app_mention("U0DEV", "C0OPS", "again")
    assert a["type"] == "event_callback" and a["team_id"] == "T0SANDBOX" and a["api_app_id"] == "A0NOX"
    assert a["event_id"].startswith("Ev") and a["event_id"] != b["event_id"] and isinstance(a["event_time"], int)
    assert a["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": "T0SANDBOX",
            "user_id": "U0NOX",
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]
    assert a["is_ext_shared_channel"] is False and a["event_context"]
    event = a["event"]
    assert event["type"] == "app_mention" and event["text"] == "<@U0NOX> help" and event["channel"] == "C0OPS"
    assert event["ts"] == event["event_ts"] and "channel_type" not in event
    assert float(b["event"]["ts"]) > float(event["ts"])
    assert sender.url_verification("abc") == {
        "token": "sandbox-verification-token",
        "challenge": "abc",
        "type": "url_verification",
    }
    own = sender.message("C0OPS", "my own post", user="U0NOX", bot_id="B0NOX")["event"]
    assert own["bot_id"] == "B0NOX" and own["channel_type"] == "channel"
    edited = sender.message("C0OPS", "x", subtype="message_changed")["event"]
    assert edited["subtype"] == "message_changed"


def test_builders_keep_the_sandbox_consistent(sandbox: SlackSandbox) -> None:
    sender = SlackEventSender("http://unused", SECRET, sandbox=sandbox)
    pair = sender.channel_mention("U0DEV", "C0OPS", "why is CI red?")
    assert [p["event"]["type"] for p in pair] == ["app_mention", "message"]
    assert pair[0]["event"]["ts"] == pair[1]["event"]["ts"] and pair[1]["event"]["channel_type"] == "channel"
    assert [m["text"] for m in sandbox.messages("C0OPS")] == ["<@U0NOX> why is CI red?"]
    dm = sender.dm("U0DEV", "hi")["event"]
    assert dm["channel"] == "D0DEV" and dm["channel_type"] == "im"
    in_thread = sender.dm("U0DEV", "more", thread_ts=dm["ts"])["event"]
    assert in_thread["thread_ts"] == dm["ts"] and in_thread["parent_user_id"] == "U0DEV"

    command = sender.slash_command("U0DEV", "status")
    assert command["command"] == "/nox" and command["channel_name"] == "ops" and command["user_name"] == "dev"
    assert command["response_url"].startswith(sandbox.base_url + "response_url/")
    assert command["is_enterprise_install"] == "false" and all(isinstance(v, str) for v in command.values())

    home = sender.app_home_opened("U0DEV")["event"]
    assert home == {**home, "type": "app_home_opened", "user": "U0DEV", "tab": "home", "channel": "D0DEV"}
    assert sender.team_join("U0DEV")["event"]["user"]["tz"] == "Europe/Paris"
    assert sender.tokens_revoked(oauth=["U0DEV"])["event"]["tokens"] == {"oauth": ["U0DEV"], "bot": ["U0NOX"]}
    assert sender.app_uninstalled()["event"]["type"] == "app_uninstalled"
    sender.channel_created("C0NEWS", "news")
    assert sandbox.channel("C0NEWS").name == "news"


async def test_block_actions_fill_in_the_clicked_button(sandbox: SlackSandbox) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    blocks = [
        {
            "type": "actions",
            "block_id": "proposal",
            "elements": [
                {
                    "type": "button",
                    "action_id": "create_ticket",
                    "value": "inc-7",
                    "text": {"type": "plain_text", "text": "Create Jira ticket"},
                    "style": "primary",
                }
            ],
        }
    ]
    posted = await AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url).chat_postMessage(
        channel="C0OPS", text="proposal", blocks=blocks
    )
    sender = SlackEventSender("http://unused", SECRET, sandbox=sandbox)
    payload = sender.block_actions("U0DEV", [{"action_id": "create_ticket"}], channel="C0OPS", message_ts=posted["ts"])
    assert payload["type"] == "block_actions" and payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": "C0OPS",
        "is_ephemeral": False,
    }
    [action] = payload["actions"]
    assert (action["block_id"], action["value"], action["type"], action["text"]["text"]) == (
        "proposal",
        "inc-7",
        "button",
        "Create Jira ticket",
    )
    assert payload["message"]["blocks"] == blocks and payload["user"]["id"] == "U0DEV" and payload["trigger_id"]
    assert payload["response_url"].startswith(sandbox.base_url)


def test_view_submission_state_values() -> None:
    sender = SlackEventSender("http://unused", SECRET)
    payload = sender.view_submission(
        "U0DEV",
        "create_ticket",
        {
            "summary": {"value": "CI is red"},
            "assignees": ["U0DEV", "U0ANA"],
            "priority": {"pick": {"type": "static_select", "selected_option": {"value": "high"}}},
        },
        private_metadata='{"interaction": 1}',
    )
    view = payload["view"]
    assert (
        payload["type"] == "view_submission"
        and view["callback_id"] == "create_ticket"
        and view["private_metadata"] == '{"interaction": 1}'
    )
    assert view["state"]["values"] == {
        "summary": {"value": {"type": "plain_text_input", "value": "CI is red"}},
        "assignees": {"assignees": {"type": "multi_users_select", "selected_users": ["U0DEV", "U0ANA"]}},
        "priority": {"pick": {"type": "static_select", "selected_option": {"value": "high"}}},
    }
    assert sender.shortcut("U0DEV", "ask_nox")["callback_id"] == "ask_nox"
    action = sender.message_action("U0DEV", "summarize", {"ts": "1.000001", "text": "x"}, "C0OPS")
    assert (
        action["type"] == "message_action" and action["message_ts"] == "1.000001" and action["channel"]["id"] == "C0OPS"
    )


class _Receiver:
    """A stand-in app that records what arrives and verifies it like Bolt does."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.verifier = SignatureVerifier(SECRET)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests.append((dict(request.headers), body))
        if not self.verifier.is_valid_request(body, dict(request.headers)):
            return web.Response(status=401, text="invalid signature")
        return web.Response(status=200, text="")


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[_Receiver, str]]:
    rec = _Receiver()
    app = web.Application()
    app.router.add_post("/slack/events", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield rec, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    await runner.cleanup()


async def test_sending_signed_requests_and_crafted_bad_ones(receiver: tuple[_Receiver, str]) -> None:
    rec, url = receiver
    async with SlackEventSender(url, SECRET) as sender:
        assert (
            await sender.send_event(sender.dm("U0DEV", "hi"), retry_num=1, retry_reason="http_timeout")
        ).status == 200
        headers, body = rec.requests[-1]
        assert headers["Content-Type"] == "application/json" and json.loads(body)["event"]["text"] == "hi"
        assert (headers["X-Slack-Retry-Num"], headers["X-Slack-Retry-Reason"]) == ("1", "http_timeout")

        assert (await sender.send_command(sender.slash_command("U0DEV", "status"))).status == 200
        headers, body = rec.requests[-1]
        assert headers["Content-Type"] == "application/x-www-form-urlencoded" and parse_qs(body.decode())["text"] == [
            "status"
        ]

        assert (await sender.send_interactive(sender.shortcut("U0DEV", "ask"))).status == 200
        assert json.loads(parse_qs(rec.requests[-1][1].decode())["payload"][0])["type"] == "shortcut"

        stale = await sender.send_event(sender.dm("U0DEV", "old"), timestamp=int(time.time()) - 600)
        forged = await sender.send_event(sender.dm("U0DEV", "x"), signature="v0=" + "0" * 64)
        swapped = await sender.send_event(
            sender.dm("U0DEV", "x"),
            raw_body=b'{"type":"event_callback"}',
            signature=sender.sign(b"other")["X-Slack-Signature"],
        )
        assert (stale.status, forged.status, swapped.status) == (401, 401, 401)

    # The sync twin, as used from worker threads.
    import asyncio

    sync_sender = SlackEventSender(url, SECRET)
    response = await asyncio.to_thread(sync_sender.send_event_sync, sync_sender.dm("U0DEV", "from a thread"))
    assert response.status == 200 and json.loads(rec.requests[-1][1])["event"]["text"] == "from a thread"
    bad = await asyncio.to_thread(sync_sender.send_command_sync, {"text": "x"}, signature="v0=bad")
    assert bad.status == 401 and bad.body == "invalid signature"


async def test_response_url_posts_are_recorded(sandbox: SlackSandbox) -> None:
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    sender = SlackEventSender("http://unused", SECRET, sandbox=sandbox)
    url = sender.slash_command("U0DEV", "status", channel="C0OPS")["response_url"]
    hook = AsyncWebhookClient(url)
    assert (await hook.send(text="only for you")).status_code == 200
    assert (await hook.send(text="for everyone", response_type="in_channel")).status_code == 200
    [eph] = sandbox.ephemerals("C0OPS", user="U0DEV")
    assert (eph["text"], eph["source"]) == ("only for you", "response_url")
    assert [m["text"] for m in sandbox.bot_messages("C0OPS")] == ["for everyone"]
    for _ in range(3):
        await hook.send(text="again")
    assert (await hook.send(text="sixth")).status_code == 404  # five uses per response_url
    assert (await AsyncWebhookClient(sandbox.base_url + "response_url/nope").send(text="x")).status_code == 404
    assert [c.http_status for c in sandbox.calls_to("response_url")][-2:] == [404, 404]
