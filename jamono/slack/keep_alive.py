"""slack_sdk's WebClient, its calls reusing one HTTP connection per thread and server.
Why and how: docs/design/slack.md."""

from __future__ import annotations

import functools
import http.client
import io
import os
import select
import ssl
import threading
import urllib.parse
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.request import Request

from slack_sdk import WebClient

Origin = tuple[str, str, int, int]  # scheme, host, port, id of the TLS context
MAX_SERVERS_PER_THREAD = 4  # connections a thread keeps; the least recently used one goes first


class _ThreadConnections(threading.local):
    def __init__(self) -> None:
        self.by_origin: dict[Origin, http.client.HTTPConnection] = {}


# Shared by every client of the process: one connection per thread and server, whatever the token.
_connections = _ThreadConnections()


def _forget_after_fork() -> None:
    """A forked child (Dramatiq's worker processes) must not write on its parent's sockets."""
    _connections.by_origin = {}


os.register_at_fork(after_in_child=_forget_after_fork)


class KeepAliveWebClient(WebClient):
    """A WebClient whose transport keeps its connections open between calls.

    slack_sdk sends each call with urllib, which opens and closes a connection per call (a TLS
    handshake each time on slack.com). Only the transport changes: slack_sdk's retry handlers see
    the same results and errors as urllib gives them (HTTPError for a non-2xx, URLError when the
    request cannot be sent).
    """

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urllib.parse.urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https") or not parts.hostname:
            return super()._perform_urllib_http_request_internal(url, req)
        origin: Origin = (
            parts.scheme,
            parts.hostname,
            parts.port or (443 if parts.scheme == "https" else 80),
            id(self.ssl),
        )
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = self._connection(origin)
        try:
            conn.request(req.get_method(), path, body=req.data, headers=dict(req.header_items()))
        except OSError as exc:  # as urllib: the request never left, a retry handler may resend it
            _drop(origin)
            raise URLError(exc) from exc
        try:
            response = conn.getresponse()
            body = response.read()
        except BaseException:
            _drop(origin)
            raise
        if response.will_close:
            _drop(origin)
        if 300 <= response.status < 400:  # urllib follows redirects; Slack's API sends none
            return super()._perform_urllib_http_request_internal(url, req)
        headers = response.msg
        if not 200 <= response.status < 300:
            raise HTTPError(url, response.status, response.reason, headers, io.BytesIO(body))
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": response.status, "headers": headers, "body": body}
        charset = headers.get_content_charset() or "utf-8"
        return {"status": response.status, "headers": headers, "body": body.decode(charset)}

    def _connection(self, origin: Origin) -> http.client.HTTPConnection:
        conn = _connections.by_origin.pop(origin, None)  # put back last: the most recently used
        if conn is not None and _closed_by_peer(conn):
            conn.close()
            conn = None
        if conn is None:
            while len(_connections.by_origin) >= MAX_SERVERS_PER_THREAD:  # Slack is one server; tests run many
                _drop(next(iter(_connections.by_origin)))
            scheme, host, port, _ = origin
            if scheme == "https":
                context = self.ssl or _default_tls()
                conn = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=context)
            else:
                conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        _connections.by_origin[origin] = conn
        return conn


@functools.cache
def _default_tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # loading the CA bundle costs milliseconds: once


def _closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """An idle connection the server has closed (or written to) reads as ready: never reuse it."""
    sock = conn.sock
    if sock is None:
        return False  # not connected yet: request() connects
    poller = select.poll()  # not select.select: it fails on descriptors above 1023
    try:
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


def _drop(origin: Origin) -> None:
    conn = _connections.by_origin.pop(origin, None)
    if conn is not None:
        conn.close()
