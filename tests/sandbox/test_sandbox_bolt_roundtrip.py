"""A real Bolt AsyncApp between the sender and the sandbox: proof that both sides look like Slack
to Bolt (signatures, payload parsing, say/respond/views.open, own-message filtering)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from jamono.sandbox import SlackEventSender, SlackSandbox

SECRET = "bolt-roundtrip-secret"
BUTTONS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "CI is red on *main*."}},
    {
        "type": "actions",
        "block_id": "proposal",
        "elements": [
            {
                "type": "button",
                "action_id": "create_ticket",
                "value": "inc-1",
                "text": {"type": "plain_text", "text": "Create Jira ticket"},
            }
        ],
    },
]
MODAL = {
    "type": "modal",
    "callback_id": "ticket_form",
    "title": {"type": "plain_text", "text": "New ticket"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "Summary"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def build_app(sandbox: SlackSandbox, seen: list[dict[str, Any]]) -> AsyncApp:
    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url))

    @app.event("app_mention")
    async def mention(event: dict[str, Any], say: Any, client: AsyncWebClient) -> None:
        await client.reactions_add(channel=event["channel"], timestamp=event["ts"], name="eyes")
        await say(text="CI is red on main.", blocks=BUTTONS, thread_ts=event.get("thread_ts") or event["ts"])

    @app.event("message")
    async def message(event: dict[str, Any], say: Any) -> None:
        seen.append(event)
        if event.get("channel_type") == "im":
            await say(text=f"you said: {event['text']}", thread_ts=event["ts"])

    @app.command("/nox")
    async def command(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(f"status for {command['user_name']}: all green")

    @app.action("create_ticket")
    async def create(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(
            trigger_id=body["trigger_id"], view={**MODAL, "private_metadata": body["actions"][0]["value"]}
        )

    @app.view("ticket_form")
    async def submitted(ack: Any, view: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        summary = view["state"]["values"]["summary"]["value"]["value"]
        await client.chat_postMessage(channel="C0OPS", text=f"Ticket for {view['private_metadata']}: {summary}")

    return app


@pytest.fixture
async def bolt(sandbox: SlackSandbox) -> AsyncIterator[tuple[SlackEventSender, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    runner = web.AppRunner(build_app(sandbox, seen).web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    async with SlackEventSender(url, SECRET, sandbox=sandbox) as sender:
        yield sender, seen
    await runner.cleanup()


async def test_mention_button_modal_submission(
    sandbox: SlackSandbox, bolt: tuple[SlackEventSender, list[dict[str, Any]]]
) -> None:
    sender, _ = bolt
    mention = sender.app_mention("U0DEV", "C0OPS", "why is CI red?")
    assert (await sender.send_event(mention)).status == 200
    thread_ts = mention["event"]["ts"]
    reply = await sandbox.wait_for_bot_reply("C0OPS", thread_ts, timeout=3)
    assert reply["blocks"] == BUTTONS
    assert sandbox.reactions("C0OPS", thread_ts) == {"eyes": ["U0NOX"]}

    click = sender.block_actions("U0DEV", [{"action_id": "create_ticket"}], channel="C0OPS", message_ts=reply["ts"])
    assert (await sender.send_interactive(click)).status == 200
    [modal] = await sandbox.wait_for(lambda: sandbox.open_views("U0DEV"), timeout=3)
    assert modal["private_metadata"] == "inc-1"

    submit = sender.view_submission("U0DEV", "ticket_form", {"summary": {"value": "fix the flaky test"}})
    assert submit["view"]["id"] == modal["id"]
    assert (await sender.send_interactive(submit)).status == 200
    posted = await sandbox.wait_for_bot_reply("C0OPS", predicate=lambda m: m["text"].startswith("Ticket"), timeout=3)
    assert posted["text"] == "Ticket for inc-1: fix the flaky test"
    assert sandbox.open_views("U0DEV") == []  # an empty ack closes the modal, as in Slack


async def test_dm_and_slash_command(sandbox: SlackSandbox, bolt: tuple[SlackEventSender, list[dict[str, Any]]]) -> None:
    sender, _ = bolt
    dm = sender.dm("U0DEV", "hello")
    assert (await sender.send_event(dm)).status == 200
    reply = await sandbox.wait_for_bot_reply("D0DEV", dm["event"]["ts"], timeout=3)
    assert reply["text"] == "you said: hello"

    assert (await sender.send_command(sender.slash_command("U0DEV", "status"))).status == 200
    [eph] = await sandbox.wait_for(lambda: sandbox.ephemerals("C0OPS", user="U0DEV"), timeout=3)
    assert eph["text"] == "status for dev: all green" and eph["source"] == "response_url"


async def test_bad_signatures_are_refused_by_bolt(bolt: tuple[SlackEventSender, list[dict[str, Any]]]) -> None:
    import time

    sender, _ = bolt
    assert (await sender.send_event(sender.dm("U0DEV", "x"), signature="v0=deadbeef")).status == 401
    assert (await sender.send_event(sender.dm("U0DEV", "x"), timestamp=int(time.time()) - 400)).status == 401
    challenge = await sender.send_event(sender.url_verification("c-123"))
    assert challenge.status == 200 and challenge.json() == {"challenge": "c-123"}


@pytest.mark.parametrize("subtype", ["bot_message", None])
async def test_echoed_own_messages_reach_the_app_and_are_dropped(
    sandbox: SlackSandbox, bolt: tuple[SlackEventSender, list[dict[str, Any]]], subtype: str | None
) -> None:
    sender, seen = bolt
    sandbox.echo_events_to(sender.events_url, SECRET, subtype=subtype)
    await AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url).chat_postMessage(
        channel="D0DEV", text="from NOX"
    )
    await sandbox.wait_for(lambda: sandbox.echo_results, timeout=3)
    assert sandbox.echo_results[0][1] == 200  # signed well enough for Bolt to accept it
    # A human DM after the echo: once it is seen, the echo would have been seen before it.
    await sender.send_event(sender.dm("U0DEV", "ping"))
    await sandbox.wait_for(lambda: seen, timeout=3)
    assert [e["text"] for e in seen] == ["ping"]  # Bolt recognised its own bot and dropped the echo
    assert [m["text"] for m in sandbox.bot_messages("D0DEV")][0] == "from NOX"
