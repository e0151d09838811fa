"""Slack Web API clients with slack_sdk's retry handlers: 429s wait for Retry-After, 5xx and
dropped connections are retried a bounded number of times."""

from __future__ import annotations

import threading

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from jamono.slack.keep_alive import KeepAliveWebClient


def retry_handlers():
    return [
        RateLimitErrorRetryHandler(max_retry_count=5),
        ServerErrorRetryHandler(max_retry_count=3),
        ConnectionErrorRetryHandler(max_retry_count=3),
    ]


def async_retry_handlers():
    return [
        AsyncRateLimitErrorRetryHandler(max_retry_count=5),
        AsyncServerErrorRetryHandler(max_retry_count=3),
        AsyncConnectionErrorRetryHandler(max_retry_count=3),
    ]


def web_client(token: str | None, base_url: str, *, timeout: int = 15) -> WebClient:
    return KeepAliveWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers())


def async_web_client(token: str | None, base_url: str, *, timeout: int = 15) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=async_retry_handlers())


class ClientCache:
    """One WebClient per token (they hold connection state and are thread-safe to share)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> WebClient:
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                client = self._clients[token] = web_client(token, self.base_url)
            return client
