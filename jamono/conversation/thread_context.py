"""Earlier messages of a thread or DM inform NOX's reading of the new one.
Why and how: docs/design/conversation.md."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

CACHE_TTL_S = 30 * 60
MAX_MESSAGES = 12
MAX_CHARS = 500


def _key(team_id: str, channel: str, thread_ts: str) -> str:
    return f"jamono:thread:{team_id}:{channel}:{thread_ts}"


def thread_context(
    client: WebClient,
    cache: redis.Redis | None,
    *,
    team_id: str,
    channel: str,
    thread_ts: str,
    current_ts: str,
    bot_user_id: str | None,
) -> list[str]:
    """The thread's earlier messages, oldest first, NOX's own prefixed with "NOX:"."""
    key = _key(team_id, channel, thread_ts)
    if cache is not None:
        try:
            cached = cache.get(key)
            if cached is not None:
                # redis-py types a sync client's replies as "Awaitable | Any"; ours is sync: bytes.
                return json.loads(cached)[-MAX_MESSAGES:]  # type: ignore[arg-type]
        except redis.RedisError as exc:
            log.warning("thread cache unavailable: %s", type(exc).__name__)
    try:
        response = client.conversations_replies(channel=channel, ts=thread_ts, limit=50)
    except SlackApiError as exc:
        log.warning("conversations.replies failed: %s", exc.response.get("error"))
        return []
    texts: list[str] = []
    message: dict[str, Any]
    for message in response.get("messages", []):
        if message.get("ts") == current_ts or not message.get("text"):
            continue
        is_nox = message.get("user") == bot_user_id or message.get("bot_id")
        texts.append(("NOX: " if is_nox else "") + message["text"][:MAX_CHARS])
    texts = texts[-MAX_MESSAGES:]
    remember(cache, team_id=team_id, channel=channel, thread_ts=thread_ts, texts=texts)
    return texts


def remember(cache: redis.Redis | None, *, team_id: str, channel: str, thread_ts: str, texts: list[str]) -> None:
    if cache is None:
        return
    try:
        cache.set(_key(team_id, channel, thread_ts), json.dumps(texts[-MAX_MESSAGES:]), ex=CACHE_TTL_S)
    except redis.RedisError as exc:
        log.warning("thread cache unavailable: %s", type(exc).__name__)
