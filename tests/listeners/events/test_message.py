"""`message` events: a DM, a top-level channel message and a thread reply each go to their worker;
bots, edits and malformed events do not."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jamono.queue.names import Actor
from listeners.events.message import handle_message
from tests.listeners.doubles import BOT_USER, listener_rig, request


def message(channel: str = "D0DEV", channel_type: str = "im", **event: object) -> dict:
    fields = {
        "type": "message",
        "user": "U0DEV",
        "channel": channel,
        "channel_type": channel_type,
        "text": "the database refuses connections",
        "ts": "1700000000.000200",
    }
    return {"event_id": "Ev0MESSAGE", "team_id": "T1", "event": {**fields, **event}}


async def test_a_direct_message_is_queued_for_an_answer():
    jobs, _, context = listener_rig()
    await handle_message(message(), context, request())
    ((actor, job),) = jobs.jobs
    assert actor == Actor.HANDLE_MESSAGE
    assert (job["message_type"], job["channel"], job["text"]) == (
        "direct_message",
        "D0DEV",
        "the database refuses connections",
    )
    assert job["retry_num"] == 0


async def test_channel_messages_go_to_the_watch_and_follow_up_workers():
    jobs, _, context = listener_rig()
    await handle_message(message("C0OPS", "channel"), context, request())
    await handle_message(message("C0OPS", "channel", thread_ts="1700000000.000100"), context, request())
    assert jobs.actors() == [Actor.WATCHED_MESSAGE, Actor.THREAD_FOLLOW_UP]
    assert [job["message_type"] for _, job in jobs.jobs] == ["watched_channel", "thread_reply"]


async def test_bots_edits_and_mentions_are_not_queued_here():
    jobs, _, context = listener_rig()
    await handle_message(message(user=BOT_USER), context, request())
    await handle_message(message(bot_id="B0OTHER", subtype="bot_message"), context, request())
    await handle_message(message(subtype="message_changed"), context, request())
    await handle_message(message("C0OPS", "channel", text=f"<@{BOT_USER}> help"), context, request())  # app_mention
    assert jobs.jobs == []


async def test_a_malformed_message_is_refused_and_a_bad_retry_header_reads_as_zero():
    jobs, _, context = listener_rig()
    with pytest.raises(ValidationError):
        await handle_message(message(ts="yesterday"), context, request())
    assert jobs.jobs == []
    await handle_message(message(), context, request("not-a-number"))
    assert [(actor, job["retry_num"]) for actor, job in jobs.jobs] == [(Actor.HANDLE_MESSAGE, 0)]
