"""The Slack client's kept-alive connections: reused per thread, replaced when the server closed
them, and slack_sdk's retry handlers seeing what urllib gave them."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import URLError

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from jamono.sandbox import SandboxThread, SlackSandbox
from jamono.slack.client import web_client
from jamono.slack.keep_alive import KeepAliveWebClient


def quick_client(sandbox: SlackSandbox) -> KeepAliveWebClient:
    """web_client's retry handlers, without their waits."""
    quick = FixedValueRetryIntervalCalculator(0.01)
    handlers = [
        RateLimitErrorRetryHandler(max_retry_count=5),
        ServerErrorRetryHandler(max_retry_count=3, interval_calculator=quick),
        ConnectionErrorRetryHandler(max_retry_count=3, interval_calculator=quick),
    ]
    return KeepAliveWebClient(token=sandbox.bot_token, base_url=sandbox.api_url, retry_handlers=handlers)


@pytest.fixture
def sandbox() -> Iterator[SlackSandbox]:
    with SandboxThread() as sb:
        sb.auto_create_channels = True
        yield sb


def test_calls_of_one_thread_share_one_connection_and_other_threads_get_their_own(sandbox: SlackSandbox) -> None:
    client = web_client(sandbox.bot_token, sandbox.api_url)
    for n in range(3):
        assert client.chat_postMessage(channel="C0KEEP", text=f"message {n}")["ok"]
    other = threading.Thread(target=lambda: client.chat_postMessage(channel="C0KEEP", text="from elsewhere"))
    other.start()
    other.join()
    peers = [c.peer for c in sandbox.calls_to("chat.postMessage")]
    assert None not in peers
    assert len(set(peers[:3])) == 1
    assert peers[3] != peers[0]


def test_a_second_token_reuses_the_threads_connection(sandbox: SlackSandbox) -> None:
    first = web_client(sandbox.bot_token, sandbox.api_url)
    second = web_client("xoxb-not-a-token", sandbox.api_url)
    assert first.auth_test()["ok"]
    with pytest.raises(SlackApiError, match="invalid_auth"):
        second.auth_test()
    calls = sandbox.calls_to("auth.test")
    assert [c.token for c in calls] == [sandbox.bot_token, "xoxb-not-a-token"]
    assert calls[0].peer == calls[1].peer


def test_rate_limits_and_server_errors_are_retried_on_the_same_connection(sandbox: SlackSandbox) -> None:
    client = quick_client(sandbox)
    sandbox.fail_next("chat.postMessage", status=429, retry_after=0, count=1)
    sandbox.fail_next("chat.postMessage", status=500, count=1)
    started = time.monotonic()
    assert client.chat_postMessage(channel="C0KEEP", text="third time lucky")["ok"]
    calls = sandbox.calls_to("chat.postMessage")
    assert [c.http_status for c in calls] == [429, 500, 200]
    assert len({c.peer for c in calls}) == 1
    assert time.monotonic() - started < 5


def test_an_error_slack_keeps_sending_still_reaches_the_caller(sandbox: SlackSandbox) -> None:
    client = quick_client(sandbox)
    sandbox.fail_next("chat.postMessage", status=500, count=-1)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0KEEP", text="never")
    assert raised.value.response.status_code == 500
    assert raised.value.response["error"] == "internal_error"
    assert len(sandbox.calls_to("chat.postMessage")) == 4  # the first try and ServerErrorRetryHandler's 3


class _ClosingServer(ThreadingHTTPServer):
    """Slack's API as far as auth.test goes, closing connections idle for 0.2 s, as servers do."""

    daemon_threads = True
    connections: list[tuple[str, int]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 0.2  # an idle kept-alive connection is closed after this

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.connections.append(self.client_address)  # type: ignore[attr-defined]  # before answering
        body = json.dumps({"ok": True, "url": "https://sandbox.slack.com/"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _GzipFile(_Handler):
    """admin.analytics.getFile's answer: a gzip file, not JSON."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.connections.append(self.client_address)  # type: ignore[attr-defined]
        body = gzip.compress(b'{"team_id": "T0"}\n')
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler] = _Handler) -> Iterator[_ClosingServer]:
    server = _ClosingServer(("127.0.0.1", 0), handler)
    server.connections = []
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _client_of(server: _ClosingServer, **kwargs: object) -> KeepAliveWebClient:
    host, port = server.server_address[:2]
    return KeepAliveWebClient(token="xoxb-1", base_url=f"http://{host}:{port}/api/", **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def closing_server() -> Iterator[_ClosingServer]:
    with _serving() as server:
        yield server


def test_a_connection_the_server_closed_is_replaced_before_sending(closing_server: _ClosingServer) -> None:
    # No retry handler: a request sent on the closed connection would fail (RemoteDisconnected).
    client = _client_of(closing_server, retry_handlers=[])
    assert client.auth_test()["ok"]
    assert client.auth_test()["ok"]
    time.sleep(0.6)  # the server has closed the idle connection by now
    assert client.auth_test()["ok"]
    ports = [p for _, p in closing_server.connections]
    assert ports[0] == ports[1] != ports[2]


def test_a_thread_keeps_connections_to_a_few_servers_only() -> None:
    from jamono.slack import keep_alive

    with ExitStack() as stack:
        servers = [stack.enter_context(_serving()) for _ in range(keep_alive.MAX_SERVERS_PER_THREAD + 2)]
        for server in servers:
            assert _client_of(server).auth_test()["ok"]
        kept = {origin[2] for origin in keep_alive._connections.by_origin}
        assert len(kept) == keep_alive.MAX_SERVERS_PER_THREAD
        assert kept == {s.server_address[1] for s in servers[-keep_alive.MAX_SERVERS_PER_THREAD :]}


def test_a_gzip_file_comes_back_as_bytes_as_with_urllib() -> None:
    with _serving(_GzipFile) as server:
        response = _client_of(server).admin_analytics_getFile(type="member", date="2026-12-01")
    assert gzip.decompress(response.data) == b'{"team_id": "T0"}\n'  # type: ignore[arg-type]


def test_an_unreachable_server_raises_urlerror_and_is_retried_as_with_urllib() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    attempts: list[int] = []

    class Counting(ConnectionErrorRetryHandler):
        def _can_retry(self, *, state, request, response=None, error=None) -> bool:  # type: ignore[no-untyped-def]
            attempts.append(state.current_attempt)
            return super()._can_retry(state=state, request=request, response=response, error=error)

    client = KeepAliveWebClient(
        token="xoxb-1",
        base_url=f"http://127.0.0.1:{port}/api/",
        retry_handlers=[Counting(max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01))],
    )
    with pytest.raises(URLError):
        client.auth_test()
    assert attempts == [0, 1]  # asked after the first two failures; the third had no retry left


def test_a_forked_child_opens_its_own_connection(sandbox: SlackSandbox) -> None:
    import multiprocessing

    from jamono.slack import keep_alive

    client = web_client(sandbox.bot_token, sandbox.api_url)
    assert client.auth_test()["ok"]
    assert keep_alive._connections.by_origin  # this thread keeps one now

    def child(queue) -> None:  # type: ignore[no-untyped-def]
        inherited = dict(keep_alive._connections.by_origin)
        ok = web_client(sandbox.bot_token, sandbox.api_url).auth_test()["ok"]
        queue.put((len(inherited), ok))

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=child, args=(queue,))
    process.start()
    assert queue.get(timeout=20) == (0, True)
    process.join(20)
    calls = sandbox.calls_to("auth.test")
    assert len(calls) == 2 and calls[0].peer != calls[1].peer
