"""Keeping `chat.postMessage` within Slack's per-channel rate, across every worker process.
Why and how: docs/design/slack.md."""

from __future__ import annotations

import logging
import random
import threading
import time

import redis
from dramatiq.errors import Retry
from dramatiq.rate_limits import WindowRateLimiter
from dramatiq.rate_limits.backend import RateLimiterBackend
from dramatiq.rate_limits.backends import RedisBackend, StubBackend

from jamono.platform.settings import Settings

log = logging.getLogger(__name__)

KEY_PREFIX = "jamono:slack-post"


class ChannelBusy(Retry):
    """The channel's posting budget stayed spent for too long: retry the job later."""

    def __init__(self, channel: str, delay_ms: int) -> None:
        super().__init__(f"chat.postMessage budget for {channel} exhausted", delay=delay_ms)


class ChannelPostLimiter:
    """At most `limit` posts per `window_s` seconds per (team, channel), shared through the backend."""

    def __init__(
        self, backend: RateLimiterBackend | None, *, limit: int, window_s: int, max_wait_s: float = 20.0
    ) -> None:
        self.backend = backend
        self.limit = limit
        self.window_s = window_s
        self.max_wait_s = max_wait_s

    @property
    def enabled(self) -> bool:
        return self.backend is not None and self.limit > 0

    def limiter(self, team_id: str, channel: str) -> WindowRateLimiter:
        return WindowRateLimiter(
            self.backend, f"{KEY_PREFIX}:{team_id}:{channel}", limit=self.limit, window=self.window_s
        )

    def try_acquire(self, team_id: str, channel: str) -> bool:
        if not self.enabled:
            return True
        with self.limiter(team_id, channel).acquire(raise_on_failure=False) as acquired:
            return bool(acquired)

    def wait(self, team_id: str, channel: str) -> float:
        """Block until a post to this channel is allowed; the seconds waited. Raises ChannelBusy."""
        if not self.enabled:
            return 0.0
        limiter = self.limiter(team_id, channel)
        started = time.monotonic()
        while True:
            with limiter.acquire(raise_on_failure=False) as acquired:
                if acquired:
                    return time.monotonic() - started
            waited = time.monotonic() - started
            if waited >= self.max_wait_s:
                log.info("channel post budget exhausted; job retried later", extra={"channel": channel})
                raise ChannelBusy(channel, delay_ms=int(1000 * self.window_s))
            # Windows are whole seconds: try again just after the next second starts (jittered, so
            # the workers waiting on one channel do not all hit Redis at the same instant).
            time.sleep(1.0 - (time.time() % 1.0) + random.uniform(0.001, 0.03))


def build_limiter(settings: Settings) -> ChannelPostLimiter:
    backend: RateLimiterBackend | None
    if settings.slack_post_rate_limit <= 0:
        backend = None
    elif settings.redis_url:
        backend = RedisBackend(
            client=redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
        )
    else:
        backend = StubBackend()
    return ChannelPostLimiter(backend, limit=settings.slack_post_rate_limit, window_s=settings.slack_post_rate_window_s)


_limiters: dict[tuple[str | None, int, int], ChannelPostLimiter] = {}
_lock = threading.Lock()


def channel_post_limiter(settings: Settings) -> ChannelPostLimiter:
    """The process's limiter for these settings (built once; it holds a Redis connection pool)."""
    key = (settings.redis_url, settings.slack_post_rate_limit, settings.slack_post_rate_window_s)
    with _lock:
        limiter = _limiters.get(key)
        if limiter is None:
            limiter = _limiters[key] = build_limiter(settings)
        return limiter
