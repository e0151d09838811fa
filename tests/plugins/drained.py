"""Negative checks wait for a signal, not a sleep: before asserting that something did NOT happen,
wait until the queue holds no job, queued, running or waiting for a retry. Whatever the jobs were
going to do, they have done it; a sleep only guesses how long that takes on a loaded machine."""

from __future__ import annotations

import asyncio
import time

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.errors import QueueJoinTimeout

from jamono.queue.names import ANSWER_QUEUES, NOX_QUEUE


async def queue_drained(broker: dramatiq.Broker, queue_name: str | None = None, *, timeout_s: float = 60.0) -> None:
    """Return once every job on `queue_name` (default: answers, each shard a queue, and other jobs) and its
    delay queue is done; raise QueueJoinTimeout if not.

    Redis: a message leaves `<queue>.msgs` only when a worker acks it, after the actor ran (a retry
    is put on the delay queue before that ack), so an empty queue proves it. RabbitMQ counts ready
    messages only, so there it takes a quiet spell over every queue at once (see `_rabbitmq_quiet`)."""
    names = [queue_name] if queue_name else [*ANSWER_QUEUES, NOX_QUEUE]
    if isinstance(broker, RabbitmqBroker):
        await asyncio.to_thread(_rabbitmq_quiet, broker, names, timeout_s)
        return
    # answers (every shard) again last: a job on "nox" may have queued one (an incident's follow-up…)
    for name in names if queue_name else [*names, *ANSWER_QUEUES]:
        await asyncio.to_thread(broker.join, name, timeout=int(timeout_s * 1000))


RABBITMQ_QUIET_POLLS = 20  # 0.1 s apart: a job still unacked has 2 s to queue its follow-up


def _rabbitmq_quiet(broker: RabbitmqBroker, names: list[str], timeout_s: float) -> None:
    """Dramatiq's join, over all the queues in one poll. Joined one by one, the answers' shards cost
    ten polls each: 19 s a drain where one quiet spell over all of them proves as much."""
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while quiet < RABBITMQ_QUIET_POLLS:
        if time.monotonic() >= deadline:
            raise QueueJoinTimeout(",".join(names))
        waiting = sum(sum(broker.get_queue_message_counts(name)[:-1]) for name in names)
        quiet = quiet + 1 if waiting == 0 else 0
        broker.connection.sleep(0.1)
