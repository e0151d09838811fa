"""A workspace's lifecycle events: each becomes one job; events without their subject queue nothing."""

from __future__ import annotations

from jamono.queue.names import Actor
from listeners.events.workspace import (
    handle_app_uninstalled,
    handle_channel_created,
    handle_team_join,
    handle_tokens_revoked,
)
from tests.listeners.doubles import TEAM, listener_rig


def envelope(event: dict) -> dict:
    return {"team_id": "T1", "enterprise_id": "E1", "event": event}


async def test_uninstall_and_revoked_tokens_are_queued():
    jobs, _, context = listener_rig()
    await handle_app_uninstalled({"event": {"type": "app_uninstalled"}}, context)
    await handle_tokens_revoked(envelope({"tokens": {"bot": ["U0NOX"], "oauth": ["U1", "U2"]}}), context)
    assert jobs.jobs == [
        (Actor.WORKSPACE_UNINSTALLED, {"team_id": TEAM, "enterprise_id": None}),  # the context's team
        (
            Actor.TOKENS_REVOKED,
            {"team_id": TEAM, "enterprise_id": None, "bot_user_ids": ["U0NOX"], "user_ids": ["U1", "U2"]},
        ),
    ]


async def test_a_new_member_and_a_new_channel_are_queued():
    jobs, _, context = listener_rig()
    await handle_team_join(envelope({"user": {"id": "U9", "locale": "fr-FR"}}), context)
    await handle_team_join(envelope({"user": {"id": "USLACKBOT"}}), context)
    await handle_channel_created(envelope({"channel": {"id": "C9", "name": "n" * 500, "creator": "U9"}}), context)
    assert jobs.actors() == [Actor.WELCOME_MEMBER, Actor.WELCOME_MEMBER, Actor.CHANNEL_CREATED]
    member, slackbot, channel = (job for _, job in jobs.jobs)
    assert (member["user_id"], member["locale"], member["is_bot"], slackbot["is_bot"]) == ("U9", "fr-FR", False, True)
    assert (channel["channel_id"], channel["name"], channel["creator"]) == ("C9", "n" * 80, "U9")


async def test_events_without_a_user_or_channel_queue_nothing():
    jobs, _, context = listener_rig()
    await handle_team_join(envelope({"user": "U9"}), context)  # a string, not the user object
    await handle_team_join(envelope({}), context)
    await handle_channel_created(envelope({"channel": "C9"}), context)
    await handle_channel_created(envelope({"channel": {"name": "no-id"}}), context)
    assert jobs.jobs == []
