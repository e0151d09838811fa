"""Coalescing the web process's enqueues: one Redis command for every job queued meanwhile.
Why and how: docs/design/queue.md."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any
from uuid import uuid4

import dramatiq
import redis
import redis.asyncio as aioredis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

# KEYS: heartbeats, queue, queue.msgs. ARGV: sender id, now (ms), then id, data, id, data…
ENQUEUE_BATCH_LUA = """
redis.call("zadd", KEYS[1], ARGV[2], ARGV[1])
local ids = {}
for i = 3, #ARGV, 2 do ids[#ids + 1] = ARGV[i] end
redis.call("hset", KEYS[3], unpack(ARGV, 3))
redis.call("rpush", KEYS[2], unpack(ids))
return #ids
"""
ENQUEUE_BATCH_SHA = hashlib.sha1(ENQUEUE_BATCH_LUA.encode()).hexdigest()

# Connection settings that mean the same to the sync and the asyncio connections. The socket
# timeout is not among them: one deadline covers a whole round trip (see ScriptConnection).
_SHARED_KWARGS = (
    "host",
    "port",
    "db",
    "username",
    "password",
    "path",
    "socket_connect_timeout",
    "socket_keepalive",
    "client_name",
    "health_check_interval",
    "ssl_ca_certs",
    "ssl_certfile",
    "ssl_keyfile",
    "ssl_cert_reqs",
    "ssl_check_hostname",
)


class ScriptConnection:
    """One asyncio connection to the broker's Redis, for one round trip at a time.

    The batcher never has two round trips in flight, so it needs no pool. A pooled client
    costs three loop turns a command (the pool's "unread data" probe and a per-send timeout
    task): about half of a batch's cost on the ack path. Here a single deadline covers the
    round trip; any failure drops the connection, and the next call opens a fresh one. A
    connection idle longer than the health-check interval is pinged first and, if the server
    dropped it meanwhile, reopened: only the ping is retried, never a script call.
    """

    def __init__(self, client: redis.Redis) -> None:
        pool = client.connection_pool
        kwargs: dict[str, Any] = {k: v for k, v in pool.connection_kwargs.items() if k in _SHARED_KWARGS}
        connection_class = {
            "UnixDomainSocketConnection": aioredis.UnixDomainSocketConnection,
            "SSLConnection": aioredis.SSLConnection,
        }.get(pool.connection_class.__name__, aioredis.Connection)
        kwargs["health_check_interval"] = kwargs.get("health_check_interval") or 30
        self.timeout = pool.connection_kwargs.get("socket_timeout") or 5.0
        self.connection = connection_class(**kwargs, retry=Retry(NoBackoff(), 1))

    async def call(self, *args: Any) -> Any:
        connection = self.connection
        try:
            async with asyncio.timeout(self.timeout):
                await connection.send_packed_command(connection.pack_command(*args))
                return await connection.read_response()
        except ResponseError:  # Redis answered (NOSCRIPT…): the connection is still in step
            raise
        except TimeoutError:  # asyncio's: said as redis-py says it, for the logs and callers
            await connection.disconnect(nowait=True)
            raise RedisTimeoutError(f"Redis did not answer within {self.timeout:g} s") from None
        except BaseException:  # timed out, cancelled or broken: a reply may still be on its way
            await connection.disconnect(nowait=True)
            raise


async def _run_batch_script(connection: ScriptConnection, keys: tuple[str, ...], args: tuple[Any, ...]) -> None:
    try:
        await connection.call("EVALSHA", ENQUEUE_BATCH_SHA, len(keys), *keys, *args)
    except NoScriptError:  # Redis restarted or flushed its scripts: nothing ran; load and resend
        await connection.call("SCRIPT", "LOAD", ENQUEUE_BATCH_LUA)
        await connection.call("EVALSHA", ENQUEUE_BATCH_SHA, len(keys), *keys, *args)


def redis_message(queue_name: str, actor_name: str, args: tuple, options: dict[str, Any]) -> dramatiq.Message:
    """A message carrying its Redis id from birth (as `RedisBroker.enqueue` would add), so the
    batcher need not copy it; each one made here is for one enqueue only."""
    return dramatiq.Message(
        queue_name=queue_name,
        actor_name=actor_name,
        args=args,
        kwargs={},
        options={**options, "redis_message_id": str(uuid4())},
    )


class BatchingEnqueuer:
    def __init__(self, broker: RedisBroker, *, max_batch: int = 256) -> None:
        self.broker = broker
        self.max_batch = max_batch  # ×2 script arguments: far below Lua's unpack limit
        self._pending: list[tuple[dramatiq.Message, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._connection: ScriptConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _redis(self) -> ScriptConnection:
        loop = asyncio.get_running_loop()
        if self._connection is None or self._loop is not loop:  # asyncio connections belong to one loop
            self._connection, self._loop = ScriptConnection(self.broker.client), loop
        return self._connection

    async def enqueue(self, message: dramatiq.Message) -> None:
        if "redis_message_id" not in message.options:
            message = message.copy(options={"redis_message_id": str(uuid4())})
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((message, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the requests already in this loop iteration join the batch
        while self._pending:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            by_queue: dict[str, list[tuple[dramatiq.Message, asyncio.Future[None]]]] = {}
            for message, future in batch:
                by_queue.setdefault(message.queue_name, []).append((message, future))
            for queue, items in by_queue.items():  # almost always one; each is its own atomic call
                await self._send_queue(queue, items)

    async def _send_queue(self, queue: str, items: list[tuple[dramatiq.Message, asyncio.Future[None]]]) -> None:
        broker = self.broker
        keys = (f"{broker.namespace}:__heartbeats__", f"{broker.namespace}:{queue}", f"{broker.namespace}:{queue}.msgs")
        try:
            fields: list[str | bytes] = []
            for message, _ in items:
                broker.emit_before("enqueue", message, None)
                fields += (message.options["redis_message_id"], message.encode())
            await _run_batch_script(self._redis(), keys, (broker.broker_id, current_millis(), *fields))
        except Exception as exc:  # every request of this batch fails, so Slack redelivers each
            for _, future in items:
                if not future.done():
                    future.set_exception(exc)
            return
        for message, future in items:
            broker.emit_after("enqueue", message, None)
            if not future.done():
                future.set_result(None)
