"""Replayed Slack requests do nothing twice.
Why and how: docs/design/web.md."""

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
