"""Socket Mode end to end: the sandbox's Socket Mode stand-in pushes envelopes, the real
slack_sdk SocketModeClient (Bolt's handler, ours on top) receives them, and the real worker
answers through the sandbox's Web API. Same rules as over HTTP: acknowledged once queued,
answered once, bad payloads acknowledged and dropped, no ack while the broker is down."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import redis
from dramatiq.brokers.redis import RedisBroker
from prometheus_client import REGISTRY
from pydantic import SecretStr

from jamono.queue.client import DramatiqJobQueue
from jamono.sandbox.payloads import SlackPayloads
from tests.plugins.drained import queue_drained
from tests.plugins.stack import NAMESPACE


async def _connected(handler, sandbox) -> None:
    await handler.connect_async()
    await sandbox.wait_for(lambda: sandbox.socket_mode.sockets, timeout=10)


@pytest.fixture
async def socket_app(e2e_settings, pool, broker, sandbox, sandbox_workspace, worker) -> AsyncIterator[object]:
    import app

    settings = e2e_settings.model_copy(update={"slack_app_token": SecretStr(sandbox.app_token)})
    identity, _ = sandbox_workspace
    handler = app.socket_mode_handler(settings, pool, DramatiqJobQueue(broker), identity)
    await _connected(handler, sandbox)
    yield handler
    await handler.close_async()


@pytest.fixture
def payloads(sandbox) -> SlackPayloads:
    return SlackPayloads(sandbox=sandbox)


def _events(event_type: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("jamono_slack_events_total", {"type": event_type, "outcome": outcome}) or 0.0


def _replies(sandbox, channel: str, ts: str) -> list[dict]:
    return [m for m in sandbox.bot_messages(channel, thread_ts=ts) if m.get("ts") != ts]


def _answers_with_feedback(sandbox, channel: str, ts: str) -> list[dict]:
    return [m for m in _replies(sandbox, channel, ts) if "feedback:" in str(m.get("blocks"))]


async def test_a_mention_over_socket_mode_is_acked_then_answered_in_its_thread(socket_app, sandbox, payloads):
    before = _events("app_mention", "queued")
    envelope = payloads.app_mention("U0DEV", "C0OPS", "how do I roll back a bad deploy?")
    ack = await sandbox.socket_send("events_api", envelope)
    assert ack["envelope_id"] and "payload" not in ack  # events are acked empty
    ts = envelope["event"]["ts"]
    answer = await sandbox.wait_for(lambda: _answers_with_feedback(sandbox, "C0OPS", ts), timeout=20)
    assert answer[0]["thread_ts"] == ts and "Sources" in str(answer[0]["blocks"])
    assert _events("app_mention", "queued") == before + 1  # counted in the ack metrics, as over HTTP


async def test_a_redelivered_envelope_is_answered_once(socket_app, sandbox, payloads, broker):
    envelope = payloads.dm("U0DEV", "where is the runbook for a full disk?")
    await sandbox.socket_send("events_api", envelope)
    await sandbox.socket_send("events_api", envelope, retry_attempt=1, retry_reason="timeout")
    ts = envelope["event"]["ts"]
    await sandbox.wait_for(lambda: _answers_with_feedback(sandbox, envelope["event"]["channel"], ts), timeout=20)
    await queue_drained(broker)  # the redelivery's job has run: it must not reply again
    assert len(_answers_with_feedback(sandbox, envelope["event"]["channel"], ts)) == 1


async def test_a_slash_command_over_socket_mode_is_answered(socket_app, sandbox, payloads):
    ack = await sandbox.socket_send("slash_commands", payloads.slash_command("U0DEV", "help"))
    assert ack["payload"]["blocks"] and "/nox status" in str(ack["payload"]["blocks"])  # the answer rides on the ack


async def test_a_malformed_envelope_is_acknowledged_and_dropped(socket_app, sandbox, payloads, caplog, broker):
    envelope = payloads.app_mention("U0DEV", "C0OPS", "this one is broken")
    envelope["event"]["channel"] = "not a channel id!"
    refused = _events("other", "refused")
    with caplog.at_level(logging.WARNING, logger="jamono.web.socket_mode"):
        ack = await sandbox.socket_send("events_api", envelope)
    assert ack["envelope_id"]  # acknowledged: redelivering it would not make it valid
    assert "slack envelope refused" in caplog.text and "Traceback" not in caplog.text
    await queue_drained(broker)
    assert not sandbox.bot_messages("C0OPS", thread_ts=envelope["event"]["ts"])
    assert _events("other", "refused") == refused + 1


async def test_a_button_whose_value_no_model_accepts_is_acknowledged_and_dropped(socket_app, sandbox, payloads, caplog):
    click = payloads.block_actions(
        "U0DEV",
        [{"action_id": "feedback_up", "block_id": "fb", "value": "not-a-uuid"}],
        channel="C0OPS",
        message_ts="1700000000.000100",
    )
    with caplog.at_level(logging.WARNING):
        ack = await sandbox.socket_send("interactive", click)
    assert ack["envelope_id"]  # a redelivery would be just as unreadable
    assert "malformed Slack payload refused (block_actions)" in caplog.text and "Traceback" not in caplog.text


async def test_no_ack_while_the_broker_is_down_so_slack_redelivers(
    e2e_settings, pool, sandbox, sandbox_workspace, payloads
):
    import app

    dead = RedisBroker(client=redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5), namespace=NAMESPACE)
    settings = e2e_settings.model_copy(update={"slack_app_token": SecretStr(sandbox.app_token)})
    identity, _ = sandbox_workspace
    handler = app.socket_mode_handler(settings, pool, DramatiqJobQueue(dead), identity)
    await _connected(handler, sandbox)
    try:
        with pytest.raises(TimeoutError):
            await sandbox.socket_send("events_api", payloads.app_mention("U0DEV", "C0OPS", "anyone?"), timeout=3)
    finally:
        await handler.close_async()


async def test_only_the_app_level_token_opens_a_socket(sandbox):
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    with pytest.raises(SlackApiError) as refused:
        await AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url).apps_connections_open(
            app_token=sandbox.bot_token
        )
    assert refused.value.response["error"] == "not_allowed_token_type"
    opened = await AsyncWebClient(base_url=sandbox.api_url).apps_connections_open(app_token=sandbox.app_token)
    assert opened["url"].startswith("ws://127.0.0.1:")
