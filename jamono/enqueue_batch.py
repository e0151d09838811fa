"""Coalescing the web process's enqueues: one Redis round trip for every job queued meanwhile.

Each Slack request still waits until its own job is durably in Redis (its future resolves only
after the pipeline succeeded), so "acknowledged only once queued" holds; but under load many
requests share one round trip instead of each paying its own. The round trip is asynchronous
(redis.asyncio): while a batch is on the wire the loop keeps accepting requests, which form the
next batch. It runs Dramatiq's own dispatch script by its SHA (loading it once if Redis lost it),
so workers see exactly what `RedisBroker.enqueue` writes, without a SCRIPT EXISTS per batch.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import dramatiq
import redis
import redis.asyncio as aioredis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis
from redis.exceptions import NoScriptError

# Connection settings that mean the same to the sync and the asyncio clients.
_SHARED_KWARGS = ("host", "port", "db", "username", "password", "path", "socket_timeout", "socket_connect_timeout",
                  "socket_keepalive", "client_name", "health_check_interval", "ssl_ca_certs", "ssl_certfile",
                  "ssl_keyfile", "ssl_cert_reqs", "ssl_check_hostname")


def async_client_like(client: redis.Redis) -> aioredis.Redis:
    """An asyncio client for the same server as the broker's own client."""
    pool = client.connection_pool
    kwargs: dict[str, Any] = {k: v for k, v in pool.connection_kwargs.items() if k in _SHARED_KWARGS}
    name = pool.connection_class.__name__
    connection_class = {"UnixDomainSocketConnection": aioredis.UnixDomainSocketConnection,
                        "SSLConnection": aioredis.SSLConnection}.get(name, aioredis.Connection)
    return aioredis.Redis(connection_pool=aioredis.ConnectionPool(connection_class=connection_class, **kwargs))


class BatchingEnqueuer:
    def __init__(self, broker: RedisBroker, *, max_batch: int = 256) -> None:
        self.broker = broker
        self.max_batch = max_batch
        self._pending: list[tuple[dramatiq.Message, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._client: aioredis.Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _redis(self) -> aioredis.Redis:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:  # asyncio connections belong to one loop
            self._client, self._loop = async_client_like(self.broker.client), loop
        return self._client

    async def enqueue(self, message: dramatiq.Message) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((message, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the requests already in this loop iteration join the batch
        while self._pending:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            try:
                await self._send([message for message, _ in batch])  # one round trip for the whole batch
            except Exception as exc:  # every request of the batch fails, so Slack redelivers each
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    async def _send(self, messages: list[dramatiq.Message]) -> None:
        broker = self.broker
        script = broker.scripts["dispatch"]
        unpack = broker._max_unpack_size()
        calls = []
        for message in messages:
            message = message.copy(options={"redis_message_id": str(uuid4())})
            broker.emit_before("enqueue", message, None)
            calls.append((message, [
                "enqueue", current_millis(), message.queue_name, broker.broker_id, broker.heartbeat_timeout,
                broker.dead_message_ttl, broker._should_do_maintenance("enqueue"), unpack,
                message.options["redis_message_id"], message.encode(),
            ]))
        client = self._redis()
        for attempt in (1, 2):
            pipe = client.pipeline(transaction=False)
            for _, args in calls:
                pipe.evalsha(script.sha, 1, broker.namespace, *args)
            try:
                await pipe.execute()
                break
            except NoScriptError:  # Redis restarted or flushed its scripts: nothing ran; load and resend
                if attempt == 2:
                    raise
                await client.script_load(script.script)
        for message, _ in calls:
            broker.emit_after("enqueue", message, None)
