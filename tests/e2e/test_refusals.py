"""Bad input gets a clear 4xx and queues nothing; a broken broker makes Slack retry."""

from __future__ import annotations

import json
import logging
import time

import pytest
import redis
from dramatiq.brokers.redis import RedisBroker

from jamono.platform.settings import SANDBOX_SIGNING_SECRET
from jamono.queue.client import DramatiqJobQueue
from tests.plugins.stack import NAMESPACE, serve


async def test_a_valid_mention_is_queued(isolated):
    sender, queued = isolated
    assert (await sender.send_event(sender.app_mention("U0DEV", "C0OPS", "hello"))).status == 200
    assert [name for name, _ in queued()] == ["handle_message"]


async def test_bad_signature_and_stale_timestamp_are_refused(isolated):
    sender, queued = isolated
    envelope = sender.app_mention("U0DEV", "C0OPS", "hello")
    forged = await sender.send_event(envelope, signature="v0=" + "0" * 64)
    stale = await sender.send_event(envelope, timestamp=int(time.time()) - 6 * 60)
    assert (forged.status, stale.status) == (401, 401)
    assert queued() == []


async def test_a_non_ascii_signature_is_refused_not_a_server_error(isolated, caplog):
    """hmac.compare_digest raises TypeError on non-ASCII text: that was a 500 and a traceback."""
    sender, queued = isolated
    caplog.set_level(logging.DEBUG)
    envelope = sender.app_mention("U0DEV", "C0OPS", "hello")
    response = await sender.send_event(envelope, signature="v0=" + "é" * 64)
    assert response.status == 401
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the logs"
    assert queued() == []


async def test_a_replayed_signed_request_does_nothing_twice(isolated):
    """Within the five minutes a signature stays valid, the same signed request (captured and
    sent again) is acknowledged but not queued again: slash commands have no event id."""
    sender, queued = isolated
    now = int(time.time())
    command = sender.slash_command("U0DEV", "ask how do I roll back a deployment?")
    first = await sender.send_command(command, timestamp=now)
    again = await sender.send_command(command, timestamp=now)
    assert (first.status, again.status) == (200, 200)
    assert len(queued()) == 1
    # The same command, signed afresh (a person typing it again), is new.
    assert (await sender.send_command(command, timestamp=now + 1)).status == 200
    assert len(queued()) == 2


@pytest.mark.parametrize(
    "raw, content_type",
    [
        (b'{"type": "event_callback", "event": {"type": "app_men', "application/json"),
        (
            b'{"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention", "channel": "C1"}}',
            "application/json",
        ),
        (b'["not", "an", "object"]', "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"hello", "text/plain"),
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    ],
)
async def test_malformed_payloads_get_400_without_a_traceback(isolated, caplog, raw, content_type):
    sender, queued = isolated
    caplog.set_level(logging.DEBUG)
    response = await sender.send_event({}, raw_body=raw, content_type=content_type)
    assert response.status == 400
    assert json.loads(response.body)["ok"] is False
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the logs"
    assert queued() == []


async def test_a_known_button_with_an_unreadable_value_is_refused_in_one_line(isolated, caplog):
    """Past the envelope check, a listener's own model refuses it: 400, nothing queued, no traceback."""
    sender, queued = isolated
    caplog.set_level(logging.DEBUG)
    click = sender.block_actions(
        "U0DEV",
        [{"action_id": "feedback_up", "block_id": "fb", "value": "not-a-uuid"}],
        channel="C0OPS",
        message_ts="1700000000.000100",
    )
    response = await sender.send_interactive(click)
    assert response.status == 400 and "interaction_id" in json.loads(response.body)["error"]
    assert queued() == []
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the logs"
    said = [r.getMessage() for r in caplog.records if "malformed Slack payload" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("malformed Slack payload refused (block_actions): interaction_id: ")


async def test_a_command_slack_sent_without_its_response_url_is_answered_not_queued(isolated, caplog):
    """The worker could never answer it: the person is told at once, and nothing is queued."""
    sender, queued = isolated
    caplog.set_level(logging.DEBUG)
    form = {k: v for k, v in sender.slash_command("U0DEV", "ask how do I roll back?").items() if k != "response_url"}
    response = await sender.send_command(form)
    assert response.status == 200 and "can't read" in json.loads(response.body)["text"]
    assert queued() == []
    assert not [r for r in caplog.records if r.exc_info]


async def test_oversize_body_is_refused(isolated):
    sender, queued = isolated
    response = await sender.send_event({}, raw_body=b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert response.status == 413
    assert queued() == []


async def test_broker_down_means_non_2xx_so_slack_redelivers(e2e_settings, pool, sandbox, sandbox_workspace):
    import app
    from jamono.sandbox.sender import SlackEventSender

    dead = RedisBroker(client=redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5), namespace=NAMESPACE)
    identity, _ = sandbox_workspace
    runner, url = await serve(app.build_http_app(e2e_settings, pool, DramatiqJobQueue(dead), identity))
    try:
        async with SlackEventSender(f"{url}/slack/events", SANDBOX_SIGNING_SECRET, sandbox=sandbox) as sender:
            response = await sender.send_event(sender.app_mention("U0DEV", "C0OPS", "is anyone there?"))
        assert response.status >= 500
    finally:
        await runner.cleanup()


async def test_url_verification_echoes_the_challenge(isolated):
    sender, _ = isolated
    response = await sender.send_event(sender.url_verification("abc123"))
    assert response.status == 200 and "abc123" in response.body


async def test_concurrent_events_are_each_queued_once_in_shared_round_trips(isolated):
    import asyncio

    sender, queued = isolated
    envelopes = [sender.app_mention("U0DEV", "C0OPS", f"question number {i}") for i in range(60)]
    responses = await asyncio.gather(*(sender.send_event(e) for e in envelopes))
    assert [r.status for r in responses] == [200] * 60
    jobs = [payload["event_id"] for name, payload in queued() if name == "handle_message"]
    assert sorted(jobs) == sorted(e["event_id"] for e in envelopes)
