""" "Create Jira ticket from this message": the click is queued, then acked."""

from __future__ import annotations

from jamono.queue.names import Actor
from listeners.shortcuts.jira_from_message import handle_jira_from_message
from tests.listeners.doubles import listener_rig


def shortcut(text: str) -> dict:
    message = {"ts": "1700000000.000400", "thread_ts": "1700000000.000100", "text": text, "user": "U0OPS"}
    return {"team": {"id": "T1"}, "user": {"id": "U0DEV"}, "channel": {"id": "C0OPS"}, "message": message}


async def test_the_message_is_queued_for_a_ticket_then_acked():
    jobs, ack, context = listener_rig()
    await handle_jira_from_message(ack, shortcut("checkout returns 502 since 10:02"), context)
    job = jobs.only(Actor.ACTIONS_FROM_MESSAGE)
    assert (job["channel"], job["message_ts"], job["thread_ts"], job["author"], job["user"]) == (
        "C0OPS",
        "1700000000.000400",
        "1700000000.000100",
        "U0OPS",
        "U0DEV",
    )
    assert job["text"] == "checkout returns 502 since 10:02"
    ack.assert_awaited_once_with()


async def test_an_oversize_message_is_clipped_to_slacks_limit():
    jobs, ack, context = listener_rig()
    await handle_jira_from_message(ack, shortcut("x" * 50_000), context)
    assert len(jobs.only(Actor.ACTIONS_FROM_MESSAGE)["text"]) == 40_000
