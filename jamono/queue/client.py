"""Putting work on the queue. Listeners only ever call this: it is the one network call they
make before the ack, and it raises when the broker cannot take the job, so Slack redelivers."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from jamono.platform.context import job_options
from jamono.queue.batching import BatchingEnqueuer, redis_message
from jamono.queue.names import Actor, queue_of
from jamono.slack.payloads import MessageJob


class JobQueue(Protocol):
    def enqueue(self, actor_name: str, payload: dict[str, Any], *, queue_name: str | None = None) -> None: ...

    async def enqueue_async(
        self, actor_name: str, payload: dict[str, Any], *, queue_name: str | None = None
    ) -> None: ...

    async def enqueue_message_async(self, job: MessageJob, actor_name: str = Actor.HANDLE_MESSAGE) -> None: ...


class TurnTaker(Protocol):
    """Gives an answering job its workspace's turn as it is enqueued: the message as given, marked,
    or on the delay queue (jamono.fairness.scheduler.TurnBooker; fairness sits above the queue)."""

    async def schedule(
        self, actor_name: str, payload: dict[str, Any], message: dramatiq.Message
    ) -> dramatiq.Message: ...


class DramatiqJobQueue:
    """Enqueues by actor name, so the web process never imports worker code."""

    def __init__(self, broker: dramatiq.Broker, turns: TurnTaker | None = None) -> None:
        self.broker = broker
        self.batcher = BatchingEnqueuer(broker) if isinstance(broker, RedisBroker) else None
        # Multi-workspace deployments: answering jobs book their workspace's turn (jamono.fairness).
        self.turns = turns if self.batcher is not None else None

    def _message(self, actor_name: str, payload: dict[str, Any], queue_name: str | None) -> dramatiq.Message:
        queue_name = queue_name or queue_of(actor_name, payload.get("team_id"))
        # The request id rides in the options, so the worker's logs carry it (jamono.observability).
        if self.batcher is not None:
            return redis_message(queue_name, actor_name, (payload,), job_options())
        return dramatiq.Message(
            queue_name=queue_name, actor_name=actor_name, args=(payload,), kwargs={}, options=job_options()
        )

    def enqueue(self, actor_name: str, payload: dict[str, Any], *, queue_name: str | None = None) -> None:
        """For synchronous callers (CLI, workers); listeners use `enqueue_async`."""
        self.broker.enqueue(self._message(actor_name, payload, queue_name))

    async def enqueue_async(self, actor_name: str, payload: dict[str, Any], *, queue_name: str | None = None) -> None:
        """What listeners await before their ack: the loop never blocks on the broker, and
        concurrent requests share Redis round trips (see enqueue_batch)."""
        message = self._message(actor_name, payload, queue_name)
        if self.batcher is None:
            await asyncio.to_thread(self.broker.enqueue, message)
            return
        if self.turns is not None:
            message = await self.turns.schedule(actor_name, payload, message)
        await self.batcher.enqueue(message)

    async def enqueue_message_async(self, job: MessageJob, actor_name: str = Actor.HANDLE_MESSAGE) -> None:
        await self.enqueue_async(actor_name, job.model_dump(mode="json"))


def enqueue(
    actor: Actor, payload: dict[str, Any], *, delay_ms: int | None = None, queue_name: str | None = None
) -> None:
    """From a worker's flow: one job on the process's broker (listeners use `JobQueue` instead)."""
    dramatiq.get_broker().enqueue(
        dramatiq.Message(
            queue_name=queue_name or queue_of(actor, payload.get("team_id")),
            actor_name=actor,
            args=(payload,),
            kwargs={},
            options={},
        ),
        delay=delay_ms,
    )
