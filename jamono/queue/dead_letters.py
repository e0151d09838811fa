"""Dead-lettered jobs keep who, where and why they failed, never what people wrote: Dramatiq
holds them for days, beyond a workspace's retention and out of reach of erasure otherwise."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import q_name, xq_name

log = logging.getLogger(__name__)
SCRUBBED = ""
# Ids an operator needs to find the job's workspace, person and conversation again.
_KEEP = frozenset({"team_id", "enterprise_id", "user", "user_id", "channel", "ts", "thread_ts", "event_id", "team"})
_KEEP_OPTIONS = frozenset(
    {"redis_message_id", "retries", "max_retries", "request_id", "eta", "requeue_timestamp", "failure"}
)
_ID_SUFFIXES = ("_id", "_ts", "_ids")
# Replace the stored body only while the message is still dead-lettered (maintenance may drop it).
_REWRITE = "if redis.call('hexists', KEYS[1], ARGV[1]) == 1 then return redis.call('hset', KEYS[1], ARGV[1], ARGV[2]) end return -1"


def _keeps(key: str, value: Any) -> bool:
    return (key in _KEEP or key.endswith(_ID_SUFFIXES)) and (not isinstance(value, str) or len(value) <= 128)


def scrub(value: Any, key: str = "") -> Any:
    """The payload with every text blanked: ids, numbers and booleans stay, so the job's shape does."""
    if isinstance(value, dict):
        return {
            k: v if _keeps(str(k), v) and not isinstance(v, dict | list) else scrub(v, str(k)) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v, key) for v in value] if _keeps(key, "") else []
    if isinstance(value, str):
        return value if _keeps(key, value) else SCRUBBED
    return value


def scrubbed(message: dramatiq.Message[Any]) -> dramatiq.Message[Any]:
    """The message as it may rest in the dead-letter set: actor, ids, failure type; no text, no traceback."""
    options = {k: v for k, v in message.options.items() if k in _KEEP_OPTIONS}
    return dramatiq.Message(
        queue_name=message.queue_name,
        actor_name=message.actor_name,
        args=tuple(scrub(arg) for arg in message.args),
        kwargs=scrub(dict(message.kwargs)),
        options=options,
        message_id=message.message_id,
        message_timestamp=message.message_timestamp,
    )


class ScrubDeadLetters(dramatiq.Middleware):
    """On a job's final failure, rewrites the body Dramatiq keeps in the dead-letter set.
    RedisBroker stores it in `<queue>.XQ.msgs` (keyed by its redis id): that copy is the one scrubbed.
    RabbitMQ cannot rewrite a queued message, so there a scrubbed copy is published to the
    dead-letter queue and the original is acknowledged instead of rejected."""

    def after_process_message(
        self, broker: dramatiq.Broker, message: MessageProxy, *, result: Any = None, exception: Any = None
    ) -> None:
        if exception is not None and message.failed:
            message.options["failure"] = type(exception).__name__
            if not isinstance(broker, RedisBroker) and hasattr(broker, "channel"):
                self._republish(broker, message)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if message.failed and not isinstance(broker, RedisBroker) and hasattr(broker, "channel"):
            self._republish(broker, message)

    def after_nack(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        if not isinstance(broker, RedisBroker):
            return
        redis_id = message.options.get("redis_message_id")
        if not redis_id:
            return
        key = f"{broker.namespace}:{xq_name(q_name(message.queue_name))}.msgs"
        try:
            broker.client.eval(_REWRITE, 1, key, redis_id, scrubbed(message._message).encode())
        except Exception as exc:  # the job failed already; this must not make the worker loop fail too
            log.warning("could not scrub a dead-lettered job", extra={"error_type": type(exc).__name__})

    def _republish(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        import pika

        copy = scrubbed(message._message)
        try:  # straight to the dead-letter queue Dramatiq declared with the job's queue
            broker.channel.basic_publish(  # type: ignore[attr-defined]
                exchange="",
                routing_key=xq_name(q_name(message.queue_name)),
                body=copy.encode(),
                properties=pika.BasicProperties(delivery_mode=2),
            )
        except Exception as exc:  # keep Dramatiq's own dead-lettering rather than lose the record
            log.warning("could not dead-letter a scrubbed copy", extra={"error_type": type(exc).__name__})
            return
        message.failed = False  # acknowledged: the scrubbed copy is the dead letter


def _dead_letter_sets(client: Any, namespace: str) -> Iterator[str]:
    for key in client.scan_iter(match=f"{namespace}:*.XQ.msgs", count=500):
        yield key.decode() if isinstance(key, bytes) else key


def _belongs(body: bytes, team_id: str, user: str | None) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    payloads = [a for a in data.get("args", []) if isinstance(a, dict)] + [data.get("kwargs") or {}]
    for payload in payloads:
        if payload.get("team_id") != team_id:
            continue
        if user is None or user in (payload.get("user"), payload.get("user_id")):
            return True
    return False


def purge_dead_letters(client: Any, team_id: str, user: str | None = None, namespace: str = "jamono") -> int:
    """Delete a workspace's (or one person's) dead-lettered jobs from Redis; returns how many."""
    gone = 0
    for messages_key in _dead_letter_sets(client, namespace):
        ids = [mid for mid, body in client.hscan_iter(messages_key, count=500) if _belongs(body, team_id, user)]
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            pipe = client.pipeline()
            pipe.zrem(messages_key.removesuffix(".msgs"), *batch)
            pipe.hdel(messages_key, *batch)
            gone += pipe.execute()[1]
    return gone


def scrub_dead_letters(client: Any, namespace: str = "jamono") -> int:
    """Rewrite dead letters that still hold text (failed before this scrubbing existed); returns how many."""
    rewritten = 0
    for messages_key in _dead_letter_sets(client, namespace):
        for redis_id, body in client.hscan_iter(messages_key, count=500):
            try:
                message = dramatiq.Message.decode(body)
            except Exception:  # not Dramatiq's: leave it to Dramatiq's own expiry
                continue
            clean = scrubbed(message).encode()
            if clean != body and client.eval(_REWRITE, 1, messages_key, redis_id, clean) != -1:
                rewritten += 1
    return rewritten
