""" "Save to NOX knowledge base" on a message: the thread is queued for a worker, then acked."""

from __future__ import annotations

from jamono.queue.names import Actor
from listeners.shortcuts.kb_save_message import handle_kb_save_message
from tests.listeners.doubles import TEAM, listener_rig


async def test_the_thread_of_the_message_is_queued_then_acked():
    jobs, ack, context = listener_rig()
    message = {"ts": "1700000000.000400", "thread_ts": "1700000000.000100"}
    shortcut = {"user": {"id": "U0DEV"}, "channel": {"id": "C0OPS"}, "message": message}
    await handle_kb_save_message(ack, shortcut, context)
    job = jobs.only(Actor.KB_SAVE)
    assert (job["channel"], job["message_ts"], job["user"], job["team_id"]) == (
        "C0OPS",
        "1700000000.000100",
        "U0DEV",
        TEAM,
    )
    ack.assert_awaited_once_with()


async def test_a_shortcut_without_a_message_is_still_queued():
    """The listener only parses: what an empty save means is the worker's call (and its answer)."""
    jobs, ack, context = listener_rig()
    await handle_kb_save_message(ack, {"user": {"id": "U0DEV"}}, context)
    job = jobs.only(Actor.KB_SAVE)
    assert (job["channel"], job["message_ts"]) == (None, None)
