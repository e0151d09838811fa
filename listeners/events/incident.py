"""Incident channel events: a reaction that marks a message for the timeline, and someone joining
(a catch-up). Parsed and queued; the worker decides whether the channel is an incident's."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from jamono.memory.models import Joined, Mark
from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise


def _channel_id(value: Any) -> str:
    return value if isinstance(value, str) and value[:1] in ("C", "G") else ""


async def handle_reaction_added(body: dict[str, Any], context: AsyncBoltContext) -> None:
    event = body.get("event") or {}
    item = event.get("item") or {}
    channel = _channel_id(item.get("channel"))
    if item.get("type") != "message" or not channel or not item.get("ts") or not event.get("user"):
        return
    if event.get("user") == context.bot_user_id:
        return
    team, enterprise = team_and_enterprise(body, context)
    job = Mark(
        team_id=team,
        enterprise_id=enterprise,
        user=str(event["user"]),
        channel=channel,
        ts=str(item["ts"]),
        reaction=str(event.get("reaction") or "")[:100],
        author=event.get("item_user") or None,
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_MARK, job.model_dump(mode="json"))


async def handle_member_joined_channel(body: dict[str, Any], context: AsyncBoltContext) -> None:
    event = body.get("event") or {}
    channel = _channel_id(event.get("channel"))
    user = event.get("user")
    if not channel or not isinstance(user, str) or not user or user == context.bot_user_id:
        return
    team, enterprise = team_and_enterprise(body, context)
    job = Joined(
        team_id=team, enterprise_id=enterprise, user=user, channel=channel, event_id=str(body.get("event_id") or "")
    )
    await context["jobs"].enqueue_async(Actor.INCIDENTS_JOINED, job.model_dump(mode="json"))
