"""A workspace's lifecycle events: each becomes one job; the ack waits only for the queue."""

from typing import Any

from slack_bolt.async_app import AsyncBoltContext

from jamono.queue.names import Actor
from jamono.slack.payloads import team_and_enterprise


def _team(body: dict[str, Any], context: AsyncBoltContext) -> dict[str, Any]:
    team_id, enterprise_id = team_and_enterprise(body, context)
    return {"team_id": team_id, "enterprise_id": enterprise_id}


async def _enqueue(context: AsyncBoltContext, actor: Actor, payload: dict[str, Any]) -> None:
    await context["jobs"].enqueue_async(actor, payload)


async def handle_app_uninstalled(body: dict[str, Any], context: AsyncBoltContext) -> None:
    await _enqueue(context, Actor.WORKSPACE_UNINSTALLED, _team(body, context))


async def handle_tokens_revoked(body: dict[str, Any], context: AsyncBoltContext) -> None:
    tokens = (body.get("event") or {}).get("tokens") or {}
    await _enqueue(
        context,
        Actor.TOKENS_REVOKED,
        {
            **_team(body, context),
            "bot_user_ids": list(tokens.get("bot") or []),
            "user_ids": list(tokens.get("oauth") or []),
        },
    )


async def handle_team_join(body: dict[str, Any], context: AsyncBoltContext) -> None:
    user = (body.get("event") or {}).get("user") or {}
    if not isinstance(user, dict) or not user.get("id"):
        return
    await _enqueue(
        context,
        Actor.WELCOME_MEMBER,
        {
            **_team(body, context),
            "user_id": user["id"],
            "locale": user.get("locale"),
            "is_bot": bool(user.get("is_bot") or user.get("id") == "USLACKBOT"),
        },
    )


async def handle_channel_created(body: dict[str, Any], context: AsyncBoltContext) -> None:
    channel = (body.get("event") or {}).get("channel") or {}
    if not isinstance(channel, dict) or not channel.get("id"):
        return
    await _enqueue(
        context,
        Actor.CHANNEL_CREATED,
        {
            **_team(body, context),
            "channel_id": channel["id"],
            "name": str(channel.get("name") or "")[:80],
            "creator": channel.get("creator"),
        },
    )
