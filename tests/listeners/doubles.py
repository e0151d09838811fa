"""Test doubles for the listener unit tests: a job queue that records what it is given, and an
`ack` that notes how many jobs were queued when it came (a listener queues first, then acks)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from unittest.mock import AsyncMock

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest

from jamono.queue.names import NOX_QUEUE, Actor
from jamono.slack.payloads import MessageJob

TEAM = "T0CTX"
BOT_USER = "U0NOX"


class FakeJobQueue:
    """Records (actor_name, payload); `broken=True` is a broker that cannot take the job."""

    def __init__(self, *, broken: bool = False) -> None:
        self.jobs: list[tuple[str, dict[str, Any]]] = []
        self.queued_at_ack: list[int] = []
        self.broken = broken

    def enqueue(self, actor_name: str, payload: dict[str, Any], *, queue_name: str = NOX_QUEUE) -> None:
        if self.broken:
            raise ConnectionError("the broker is down")
        json.dumps(payload)  # what the broker would do: a payload must be JSON
        self.jobs.append((actor_name, payload))

    async def enqueue_async(self, actor_name: str, payload: dict[str, Any], *, queue_name: str = NOX_QUEUE) -> None:
        self.enqueue(actor_name, payload, queue_name=queue_name)

    async def enqueue_message_async(self, job: MessageJob, actor_name: str = Actor.HANDLE_MESSAGE) -> None:
        await self.enqueue_async(actor_name, job.model_dump(mode="json"))

    def actors(self) -> list[str]:
        return [name for name, _ in self.jobs]

    def only(self, actor: Actor) -> dict[str, Any]:
        """The one job queued, checked to be for `actor`, and queued before the one ack."""
        assert self.actors() == [actor]
        assert self.queued_at_ack == [1], f"acked with {self.queued_at_ack} job(s) queued: ack must come last"
        return self.jobs[0][1]


def listener_rig(*, broken: bool = False, **context: Any) -> tuple[FakeJobQueue, AsyncMock, AsyncBoltContext]:
    """(the fake queue, a mocked `ack`, a Bolt context whose "jobs" is that queue)."""
    jobs = FakeJobQueue(broken=broken)
    ack = AsyncMock(side_effect=lambda *_, **__: jobs.queued_at_ack.append(len(jobs.jobs)))
    return jobs, ack, AsyncBoltContext({"jobs": jobs, "team_id": TEAM, "bot_user_id": BOT_USER, **context})


def request(retry_num: str | None = None) -> AsyncBoltRequest:
    headers: dict[str, str | Sequence[str]] = {"x-slack-retry-num": [retry_num]} if retry_num is not None else {}
    return AsyncBoltRequest(body="", headers=headers)
