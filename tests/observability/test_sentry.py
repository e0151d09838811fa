"""Sentry, for real: the DSN points at a loopback stand-in that receives sentry-sdk's envelopes.
A job raises with a token, a password URL and emails in its exception and its payload; the event
arrives (with the job's correlation ids) and none of those secrets is in it."""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dramatiq
import pytest
import redis
import sentry_sdk

from jamono.observability.sentry import scrub_event
from jamono.platform.settings import load_settings
from tests.observability.env import redis_db_url

SENTRY_REDIS_DB = 10
BOT_TOKEN = "xoxb-1111-2222-SECRETSECRET"
SECRETS = (BOT_TOKEN, "hunter2", "alice@example.com", "ops@example.com", "our database password")


class SentryStandIn:
    """Accepts POST /api/<project>/envelope/ and keeps every decoded envelope."""

    def __init__(self) -> None:
        self.envelopes: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                stand_in.envelopes.append(body.decode("utf-8", errors="replace"))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        """The error events among the envelopes' items."""
        found = []
        for envelope in self.envelopes:
            lines = envelope.split("\n")
            for header, payload in zip(lines[1::2], lines[2::2], strict=False):
                if header.strip() and json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def sentry_on(admin_database_url: str, redis_url: str) -> Iterator[tuple[SentryStandIn, object]]:
    stand_in = SentryStandIn()
    settings = load_settings(
        database_url=admin_database_url,
        redis_url=redis_db_url(redis_url, SENTRY_REDIS_DB),
        sentry_dsn=f"http://public@127.0.0.1:{stand_in.port}/1",
        worker_metrics_port=0,
        _env_file=None,
        JAMONO_HOUSEKEEPING_INTERVAL_MIN=0,
    )  # upkeep: tested on its own
    redis.Redis.from_url(settings.redis_url).flushdb()
    try:
        yield stand_in, settings
    finally:
        sentry_sdk.get_client().close(timeout=2)
        sentry_sdk.init()  # no DSN: Sentry off again for the rest of the session
        stand_in.close()


def test_a_failing_job_reaches_sentry_without_secrets(sentry_on):
    from jamono.observability.sentry import init_sentry
    from jamono.queue.broker import build_broker

    stand_in, settings = sentry_on
    assert init_sentry(settings)
    broker = build_broker(settings)  # after init: Sentry's Dramatiq middleware is on this broker

    def boom(payload: dict) -> None:
        raise RuntimeError(
            f"chat.postMessage failed with {BOT_TOKEN} via postgresql://app:hunter2@db/jamono for ops@example.com"
        )

    actor = dramatiq.actor(boom, broker=broker, actor_name="obs_sentry_boom", queue_name="obs-sentry", max_retries=0)
    worker = dramatiq.Worker(broker, queues={"obs-sentry"}, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        message = actor.send(
            {
                "event_id": "EvSENTRY1",
                "user": "U0DEV",
                "team_id": "T0OBS",
                "text": "our database password is hunter2, mail alice@example.com",
            }
        )
        deadline = time.monotonic() + 15
        while not stand_in.events() and time.monotonic() < deadline:
            sentry_sdk.flush(timeout=1)
            time.sleep(0.1)
    finally:
        worker.stop()
        broker.close()
    events = stand_in.events()
    assert events, "no event reached the Sentry stand-in"
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert "chat.postMessage failed" in event["exception"]["values"][-1]["value"]
    assert event["tags"]["request_id"] == "EvSENTRY1" and event["tags"]["job_id"] == message.message_id
    raw = "\n".join(stand_in.envelopes)
    for secret in SECRETS:
        assert secret not in raw, f"{secret!r} reached Sentry"


def test_scrub_event_drops_slack_text_and_secret_keys():
    event = {
        "message": "token=abc123456789 failed",
        "logentry": {"message": "posting for bob@example.com", "params": []},
        "extra": {
            "payload": {"text": "secret plans", "blocks": [{"type": "section"}], "channel": "C0OPS"},
            "slack_signing_secret": "s3cr3t",
            "x-slack-signature": "v0=abc",
        },
        "request": {
            "headers": {"Authorization": "Bearer abcdefghijkl", "Cookie": "a=b"},
            "url": "https://hooks.slack.com/commands/T1/123/abc",
        },
        "exception": {
            "values": [
                {"type": "ValueError", "value": "bad key sk-abcdefghijklmnopqrstu"},
                {
                    "type": "ValidationError",
                    "value": "1 validation error for MessageJob\nchannel\n"
                    "  Input should be a valid string [type=string_type, input_value={'text': 'pager "
                    "duty rota'}, input_type=dict]",
                },
            ]
        },
    }
    cleaned = json.dumps(scrub_event(event))
    for leaked in (
        "abc123456789",
        "bob@example.com",
        "secret plans",
        "s3cr3t",
        "v0=abc",
        "abcdefghijkl",
        "a=b",
        "T1/123/abc",
        "sk-abcdefghijklmnopqrstu",
        "pager duty rota",
    ):
        assert leaked not in cleaned
    kept = scrub_event(event)
    assert kept["extra"]["payload"]["channel"] == "C0OPS"
    assert kept["exception"]["values"][0]["type"] == "ValueError"
    assert kept["logentry"]["message"] == "posting for [EMAIL]"
    assert "input_type=dict" in kept["exception"]["values"][1]["value"]


def test_oauth_code_and_state_never_reach_sentry_or_the_logs():
    """An OAuth `code` is redeemable by whoever holds it first; `state` binds the install to a browser."""
    from jamono.platform.logs import scrub

    event = {
        "request": {
            "url": "https://nox.example.com/slack/oauth_redirect",
            "method": "GET",
            "query_string": "code=1234.5678.abcdef&state=st4te-v4lue",
        },
        "breadcrumbs": {
            "values": [
                {
                    "message": "GET https://nox.example.com/slack/oauth_redirect?code=1234.5678.abcdef"
                    "&state=st4te-v4lue 401"
                }
            ]
        },
        "message": "install failed at /slack/oauth_redirect?state=st4te-v4lue;code=1234.5678.abcdef",
    }
    cleaned = json.dumps(scrub_event(event))
    assert "1234.5678" not in cleaned and "st4te" not in cleaned and "code=[REDACTED]" in cleaned
    line = scrub("GET /slack/oauth_redirect?code=1234.5678.abcdef&state=st4te-v4lue&error=x HTTP/1.1")
    assert line == "GET /slack/oauth_redirect?code=[REDACTED]&state=[REDACTED]&error=x HTTP/1.1"
