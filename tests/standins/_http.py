"""What the threaded loopback HTTP stand-ins (calendar_api, jira_api) share.

`LoopbackStandIn` serves JSON over HTTP/1.1 on 127.0.0.1 from a daemon thread, records every
request in `requests`, and keeps a fault plan: failures with Retry-After (`fail_next`), late
answers (`delay_next`) and "crashes" where a create takes effect but its answer is lost. A
stand-in writes `_reply`, its request pipeline, with `Fault.reply` and `_lost_or_late` applying
the plan where its API would misbehave.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, unquote, urlsplit

Reply = tuple[int, Any, dict[str, str]]  # status, JSON body (None: no body), extra headers


@dataclass
class Fault:
    """One injected misbehaviour, applied to the next matching request(s)."""

    kind: str  # "fail" | "delay" | "crash"
    remaining: int
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    mode: str = "500"  # crash: "500" (answer 500) or "drop" (close the connection, no answer)
    reason: str | None = None  # fail: an API's own error reason, where it has one (Google's)
    method: str | None = None
    path_contains: str | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_contains is None or self.path_contains in path
        )

    def reply(self, body: Any) -> Reply:
        """A "fail" fault's answer: its status, `body`, and its Retry-After if it has one."""
        return self.status, body, {"Retry-After": self.retry_after} if self.retry_after else {}


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int = 0  # -1: the connection was dropped without an answer
    user: str | None = None  # who the stand-in authenticated, for those that tell (calendar)
    at: float = field(default_factory=time.monotonic)


class LoopbackStandIn:
    """A stand-in's lifecycle, request log and fault plan; subclasses write `_reply`."""

    thread_name: ClassVar[str] = "loopback-standin"
    methods: ClassVar[tuple[str, ...]] = ("GET", "POST", "DELETE")  # others: 501, as http.server answers
    content_type: ClassVar[str] = "application/json"

    def __init__(self) -> None:
        self.requests: list[LoggedRequest] = []
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --

    def start(self) -> Self:
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        # A short poll interval: shutdown() waits for it, once per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- faults --

    def fail_next(
        self,
        n: int,
        status: int,
        retry_after: float | str | None = None,
        *,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> None:
        """The next `n` matching requests fail with `status` (and Retry-After) without effect."""
        self._add(
            Fault(
                "fail",
                n,
                status=status,
                retry_after=None if retry_after is None else str(retry_after),
                method=method,
                path_contains=path_contains,
            )
        )

    def delay_next(
        self, seconds: float, n: int = 1, *, method: str | None = None, path_contains: str | None = None
    ) -> None:
        """The next `n` matching requests take effect at once but are answered `seconds` late."""
        self._add(Fault("delay", n, seconds=seconds, method=method, path_contains=path_contains))

    def _add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take(self, kind: str, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    return fault
        return None

    def calls(self, method: str | None = None, path_contains: str = "") -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if (method is None or r.method == method) and path_contains in r.path]

    # -- serving --

    def _parse_body(self, raw: bytes, content_type: str) -> tuple[Any, Any]:
        """(the body `_reply` gets, the body to log): JSON, None when absent or malformed."""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        return body, body

    def _reply(self, logged: LoggedRequest, body: Any, headers: Message) -> Reply | None:
        """The answer to a logged request, faults applied; None: hang up without one."""
        raise NotImplementedError

    def _lost_or_late(self, logged: LoggedRequest, reply: Reply, *, created: bool, crash: Reply) -> Reply | None:
        """`reply` after the crash faults (if it `created` something: `crash`, or None to drop) and delays."""
        if created:
            fault = self._take("crash", logged.method, logged.path)
            if fault is not None:
                if fault.mode == "drop":
                    return None
                reply = crash
        delay = self._take("delay", logged.method, logged.path)
        logged.status = reply[0]
        if delay is not None:
            time.sleep(delay.seconds)
        return reply


# -- HTTP plumbing --


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up is not news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per response: headers and body apart stall on Nagle + delayed ACK
    standin: ClassVar[LoopbackStandIn]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body, logged_body = self.standin._parse_body(raw, self.headers.get("Content-Type") or "")
        logged = LoggedRequest(method, path, query, logged_body)
        with self.standin._lock:
            self.standin.requests.append(logged)
        reply = self.standin._reply(logged, body, self.headers)
        if reply is None:
            logged.status = -1
            self.close_connection = True
            return
        self._send(logged, *reply)

    def _send(self, logged: LoggedRequest, status: int, payload: Any, headers: dict[str, str]) -> None:
        logged.status = status
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            if data:
                self.send_header("Content-Type", self.standin.content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout): nothing to tell it


def _handler_for(standin: LoopbackStandIn) -> type[BaseHTTPRequestHandler]:
    """A handler bound to `standin`, with a `do_<METHOD>` for each of its methods only."""

    def serving(method: str) -> Callable[[_Handler], None]:
        return lambda handler: handler._serve(method)

    attributes = {"standin": standin, **{f"do_{method}": serving(method) for method in standin.methods}}
    return type(f"{type(standin).__name__}Handler", (_Handler,), attributes)
