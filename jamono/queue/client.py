"""Putting work on the queue. Listeners only ever call this: it is the one network call they
make before the ack, and it raises when the broker cannot take the job, so Slack redelivers."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import dramatiq
from dramatiq.brokers.redis import RedisBroker

from jamono.fairness.scheduler import BOOKED, FAIR_ACTORS, OVERFLOW, TurnBooker, delayed
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


class DramatiqJobQueue:
    """Enqueues by actor name, so the web process never imports worker code."""

    def __init__(self, broker: dramatiq.Broker, turns: TurnBooker | None = None) -> None:
        self.broker = broker
        self.batcher = BatchingEnqueuer(broker) if isinstance(broker, RedisBroker) else None
        # Multi-workspace deployments: answering jobs book their workspace's turn (jamono.fairness).
        self.turns = turns if self.batcher is not None else None

    def _message(self, actor_name: str, payload: dict[str, Any], queue_name: str | None) -> dramatiq.Message:
        queue_name = queue_name or queue_of(actor_name)
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
        if self.turns is not None and actor_name in FAIR_ACTORS and payload.get("team_id"):
            wait_ms = await self.turns.book(payload["team_id"], payload.get("enterprise_id"))
            if wait_ms > 0:  # over its workspace's share: on the delay queue until its turn
                message = delayed(message, wait_ms)
            elif wait_ms in (0, OVERFLOW):  # its turn is now, or none soon enough (the worker says so)
                message = message.copy(options={BOOKED: wait_ms})
        await self.batcher.enqueue(message)

    async def enqueue_message_async(self, job: MessageJob, actor_name: str = Actor.HANDLE_MESSAGE) -> None:
        await self.enqueue_async(actor_name, job.model_dump(mode="json"))


def enqueue(
    actor: Actor, payload: dict[str, Any], *, delay_ms: int | None = None, queue_name: str | None = None
) -> None:
    """From a worker's flow: one job on the process's broker (listeners use `JobQueue` instead)."""
    dramatiq.get_broker().enqueue(
        dramatiq.Message(
            queue_name=queue_name or queue_of(actor), actor_name=actor, args=(payload,), kwargs={}, options={}
        ),
        delay=delay_ms,
    )
