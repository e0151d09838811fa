"""Replayed Slack requests do nothing twice.

A signed request stays valid for Slack's five-minute window: whoever captures one (a proxy log,
a leaked HAR file) could send it again, and a slash command or a button has no event id for the
workers to deduplicate. The web process remembers each signature it accepted for a little longer
than the window (`SET NX EX 360` on Redis: one round trip per request) and drops a second use.
A request that fails (not 2xx) releases its signature, so a redelivery of it is never refused.

With RabbitMQ and no Redis, each web process remembers its own signatures (an LRU in memory):
a replay to another replica behind the load balancer is not caught there.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

WINDOW_S = 360  # Slack's 300 s of allowed skew, plus margin
_PREFIX = "jamono:slack-sig:"


class ReplayGuard(Protocol):
    async def claim(self, signature: str) -> bool:
        """True the first time a signature is seen within the window; False for a replay."""

    async def release(self, signature: str) -> None:
        """Forget a claimed signature (its request failed, so Slack may send it again)."""


class RedisReplayGuard:
    def __init__(self, url: str) -> None:
        import redis.asyncio

        self._client = redis.asyncio.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def claim(self, signature: str) -> bool:
        return bool(await self._client.set(_PREFIX + signature[-64:], b"1", nx=True, ex=WINDOW_S))

    async def release(self, signature: str) -> None:
        await self._client.delete(_PREFIX + signature[-64:])


class MemoryReplayGuard:
    def __init__(self, max_entries: int = 200_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._max = max_entries

    async def claim(self, signature: str) -> bool:
        now = time.monotonic()
        while self._seen and (next(iter(self._seen.values())) < now or len(self._seen) > self._max):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = now + WINDOW_S
        return True

    async def release(self, signature: str) -> None:
        self._seen.pop(signature, None)
