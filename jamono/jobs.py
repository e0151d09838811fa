"""Putting work on the queue. Listeners only ever call this: it is the one network call they
make before the ack, and it raises when the broker cannot take the job, so Slack redelivers."""

from __future__ import annotations

from typing import Any, Protocol

import dramatiq

from jamono.slack.payloads import MessageJob

NOX_QUEUE = "nox"
HANDLE_MESSAGE = "handle_message"


class JobQueue(Protocol):
    def enqueue(self, actor_name: str, payload: dict[str, Any], *, queue_name: str = NOX_QUEUE) -> None: ...

    def enqueue_message(self, job: MessageJob) -> None: ...


class DramatiqJobQueue:
    """Enqueues by actor name, so the web process never imports worker code."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    def enqueue(self, actor_name: str, payload: dict[str, Any], *, queue_name: str = NOX_QUEUE) -> None:
        message = dramatiq.Message(
            queue_name=queue_name, actor_name=actor_name, args=(payload,), kwargs={}, options={}
        )
        self.broker.enqueue(message)

    def enqueue_message(self, job: MessageJob) -> None:
        self.enqueue(HANDLE_MESSAGE, job.model_dump(mode="json"))
