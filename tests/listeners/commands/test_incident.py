"""`/nox incident <verb> …` and `/nox incidents`: parsed into a job, queued, then acked."""

from __future__ import annotations

import pytest

from jamono.queue.names import Actor
from listeners.commands.incident import change_job, queue_change, queue_list
from tests.listeners.doubles import listener_rig


def command(**extra: str) -> dict:
    return {"team_id": "T1", "user_id": "U0DEV", "channel_id": "C0INC", "trigger_id": "9.9.t", **extra}


@pytest.mark.parametrize(
    ("args", "kind", "value", "note"),
    [
        ("statut identified bad config", "status", "identified", "bad config"),
        ("sev critical", "severity", "critical", ""),
        ("lead <@U0LEAD>", "lead", "<@U0LEAD>", ""),
        ("update  rolled back, watching", "update", "", "rolled back, watching"),
        ("RESOLVE fixed by the rollback", "resolved", "", "fixed by the rollback"),
    ],
)
async def test_a_verb_becomes_a_change_queued_before_the_ack(args, kind, value, note):
    jobs, ack, context = listener_rig()
    job = change_job(command(), args)
    assert job is not None
    await queue_change(job, ack, context)
    queued = jobs.only(Actor.INCIDENTS_CHANGE)
    assert (queued["kind"], queued["value"], queued["note"]) == (kind, value, note)
    assert (queued["channel"], queued["key"], queued["user"]) == ("C0INC", "cmd:9.9.t", "U0DEV")
    ack.assert_awaited_once_with()


def test_words_that_are_not_a_verb_open_the_modal_instead():
    assert change_job(command(), "the database is down") is None
    assert change_job(command(), "") is None


def test_an_oversize_note_is_clipped_to_what_slack_shows():
    job = change_job(command(), "update " + "x" * 10_000)
    assert job is not None and len(job.note) == 3000


async def test_the_list_is_queued_before_the_ack():
    jobs, ack, context = listener_rig()
    await queue_list(command(response_url="https://hooks.slack.com/x"), "fr", ack, context)
    job = jobs.only(Actor.INCIDENTS_LIST)
    assert (job["channel"], job["lang"], job["response_url"]) == ("C0INC", "fr", "https://hooks.slack.com/x")
