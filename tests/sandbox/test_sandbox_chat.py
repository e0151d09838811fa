"""The terminal chat, scripted through stdin against a small stand-in app."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from jamono.sandbox import SlackEventSender, SlackSandbox
from jamono.sandbox.chat import HELP, run_chat

SECRET = "chat-secret"
PROPOSAL = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Looks like an incident."}},
    {
        "type": "actions",
        "block_id": "p",
        "elements": [
            {
                "type": "button",
                "action_id": "create_ticket",
                "value": "inc-9",
                "text": {"type": "plain_text", "text": "Create Jira ticket"},
            }
        ],
    },
]


class FakeNox:
    """Answers like NOX would, synchronously, so the transcript is deterministic."""

    def __init__(self, sandbox: SlackSandbox) -> None:
        self.client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        self.verifier = SignatureVerifier(SECRET)
        self.received: list[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self.verifier.is_valid_request(body, dict(request.headers)):
            return web.Response(status=401)
        if request.content_type == "application/json":
            event = json.loads(body)["event"]
            self.received.append(event["type"])
            if event["type"] == "message" and event.get("channel_type") == "im":
                await self.client.chat_postMessage(
                    channel=event["channel"], thread_ts=event["ts"], text="incident?", blocks=PROPOSAL
                )
            elif event["type"] == "app_mention":
                placeholder = await self.client.chat_postMessage(
                    channel=event["channel"], thread_ts=event["ts"], text="Looking…"
                )
                await self.client.chat_update(
                    channel=event["channel"], ts=placeholder["ts"], text="Restart the <https://ci.example|runner>."
                )
            return web.Response(status=200)
        form = parse_qs(body.decode())
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            self.received.append(payload["actions"][0]["action_id"])
            await AsyncWebhookClient(payload["response_url"]).send(text="Ticket OPS-1 created", replace_original=True)
            return web.Response(status=200)
        self.received.append(form["command"][0])
        return web.json_response({"text": f"status: {form['text'][0]} is green"})


@pytest.fixture
async def nox_url(sandbox: SlackSandbox) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/slack/events", FakeNox(sandbox).handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    await runner.cleanup()


async def chat(sandbox: SlackSandbox, url: str, script: str) -> str:
    out = io.StringIO()
    async with SlackEventSender(url, SECRET, sandbox=sandbox) as sender:
        await run_chat(sandbox, sender, stdin=io.StringIO(script), stdout=out, ansi=False, poll_interval=0.01)
    return out.getvalue()


async def test_a_scripted_conversation(sandbox: SlackSandbox, nox_url: str) -> None:
    transcript = await chat(sandbox, nox_url, "hello\n:click 1\n#ops restart? @nox\n/nox ci\n:quit\nnever sent\n")
    lines = transcript.splitlines()
    assert lines[0].startswith("Chatting with NOX")
    assert "NOX ↳ › Looks like an incident.\n    [ Create Jira ticket ] #1" in transcript
    assert "(you clicked [ Create Jira ticket ])" in transcript
    assert "NOX ↳ (edited) › Ticket OPS-1 created" in transcript
    assert "NOX in #ops ↳ › Looking…" in transcript
    assert "NOX in #ops ↳ (edited) › Restart the runner (https://ci.example)." in transcript
    assert "NOX (only you) › status: ci is green" in transcript
    assert "never sent" not in transcript
    # What the person typed reached the sandbox's history as Slack would record it.
    assert sandbox.messages("D0DEV")[0]["text"] == "hello"
    assert sandbox.messages("C0OPS")[0]["text"] == "restart? <@U0NOX>"
    assert [m["text"] for m in sandbox.bot_messages("D0DEV")] == ["Ticket OPS-1 created"]


async def test_help_unknown_and_unreachable_app(sandbox: SlackSandbox) -> None:
    transcript = await chat(sandbox, "http://127.0.0.1:9/slack/events", ":help\n:nope\n:click\nhi\n")
    assert HELP in transcript
    assert "unknown command :nope" in transcript
    assert "NOX has shown no buttons yet" in transcript
    assert "⚠ could not reach the app" in transcript


async def test_refused_requests_are_reported(sandbox: SlackSandbox, nox_url: str) -> None:
    out = io.StringIO()
    async with SlackEventSender(nox_url, "wrong-secret", sandbox=sandbox) as sender:
        await run_chat(sandbox, sender, stdin=io.StringIO("hi\n"), stdout=out, ansi=False)
    assert "⚠ the app answered HTTP 401" in out.getvalue()


async def test_replies_continue_the_last_thread(sandbox: SlackSandbox, nox_url: str) -> None:
    await chat(sandbox, nox_url, "first\n> second\n")
    first, second = sandbox.messages("D0DEV")[0], [m for m in sandbox.messages("D0DEV") if m["text"] == "second"][0]
    assert second["thread_ts"] == first["ts"]
