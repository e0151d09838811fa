"""Negative checks wait for a signal, not a sleep: before asserting that something did NOT happen,
wait until the queue holds no job, queued, running or waiting for a retry. Whatever the jobs were
going to do, they have done it; a sleep only guesses how long that takes on a loaded machine."""

from __future__ import annotations

import asyncio

import dramatiq

from jamono.queue.names import ANSWER_QUEUES, NOX_QUEUE


async def queue_drained(broker: dramatiq.Broker, queue_name: str | None = None, *, timeout_s: float = 60.0) -> None:
    """Return once every job on `queue_name` (default: answers, each shard a queue, and other jobs) and its
    delay queue is done; raise QueueJoinTimeout if not.

    Redis: a message leaves `<queue>.msgs` only when a worker acks it, after the actor ran (a retry
    is put on the delay queue before that ack), so an empty queue proves it. RabbitMQ's join counts
    ready messages only, and waits for ten empty polls 0.1 s apart."""
    for name in [queue_name] if queue_name else [*ANSWER_QUEUES, NOX_QUEUE, *ANSWER_QUEUES]:
        # answers (every shard) again last: a job on "nox" may have queued one (an incident's follow-up…)
        await asyncio.to_thread(broker.join, name, timeout=int(timeout_s * 1000))
