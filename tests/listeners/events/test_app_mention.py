"""`@nox` in a channel: queued as a message job (Bolt acks events itself); bots and bad events are not."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jamono.queue.names import Actor
from jamono.slack.payloads import MAX_MESSAGE_CHARS
from listeners.events.app_mention import handle_app_mention
from tests.listeners.doubles import BOT_USER, TEAM, listener_rig, request


def mention(text: str = "<@U0NOX> how do I roll back?", **event: object) -> dict:
    fields = {"type": "app_mention", "user": "U0DEV", "channel": "C0OPS", "text": text, "ts": "1700000000.000100"}
    return {"event_id": "Ev0MENTION", "team_id": "T1", "event": {**fields, **event}}


async def test_a_mention_is_queued_for_the_message_worker():
    jobs, _, context = listener_rig()
    await handle_app_mention(mention(), context, request("1"))
    ((actor, job),) = jobs.jobs
    assert actor == Actor.HANDLE_MESSAGE
    assert (job["event_id"], job["team_id"], job["message_type"]) == (
        "Ev0MENTION",
        TEAM,
        "app_mention",
    )  # the authorized team
    assert (job["user"], job["channel"], job["ts"], job["retry_num"]) == ("U0DEV", "C0OPS", "1700000000.000100", 1)
    assert job["text"] == "<@U0NOX> how do I roll back?"


async def test_a_mention_by_a_bot_or_an_edit_is_not_queued():
    jobs, _, context = listener_rig()
    await handle_app_mention(mention(user=BOT_USER), context, request())
    await handle_app_mention(mention(bot_id="B0OTHER"), context, request())
    await handle_app_mention(mention(subtype="message_changed"), context, request())
    assert jobs.jobs == []


async def test_an_oversize_or_malformed_mention_is_refused_and_nothing_queued():
    """The validation error reaches listeners.errors, which refuses it (400): Slack does not retry it."""
    jobs, _, context = listener_rig()
    with pytest.raises(ValidationError):
        await handle_app_mention(mention("x" * (MAX_MESSAGE_CHARS + 1)), context, request())
    with pytest.raises(ValidationError):
        await handle_app_mention(mention(channel="#ops; DROP"), context, request())
    assert jobs.jobs == []
