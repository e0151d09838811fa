"""`/nox`: work is queued before the ack; help, unknown words and bad input are answered at once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jamono.queue.names import Actor
from jamono.slack.payloads import MAX_MESSAGE_CHARS
from listeners.commands.nox import ack_nox
from tests.listeners.doubles import listener_rig


def command(text: str) -> dict:
    return {
        "command": "/nox",
        "text": text,
        "team_id": "T1",
        "user_id": "U0DEV",
        "channel_id": "C0OPS",
        "response_url": "https://hooks.slack.com/commands/T1/1/x",
        "trigger_id": "123.456.abc",
        "api_app_id": "A0NOX",
    }


async def test_kb_search_is_queued_then_acked_with_a_working_line():
    jobs, ack, context = listener_rig()
    await ack_nox(ack, command("kb search pods pending --share"), context)
    job = jobs.only(Actor.KB_SEARCH)
    assert (job["text"], job["share"], job["channel"], job["user"]) == ("pods pending", True, "C0OPS", "U0DEV")
    assert job["response_url"].startswith("https://") and job["trigger_id"] == "123.456.abc"
    ack.assert_awaited_once_with(text=":mag: Searching the knowledge base…")


async def test_a_question_is_queued_in_its_language():
    jobs, ack, context = listener_rig()
    await ack_nox(ack, command("comment redémarrer un pod bloqué ?"), context)
    job = jobs.only(Actor.ANSWER_COMMAND)
    assert (job["text"], job["lang"]) == ("comment redémarrer un pod bloqué ?", "fr")
    ack.assert_awaited_once_with(text=":eyes: Je regarde ça…")


@pytest.mark.parametrize(
    ("text", "actor", "field", "value"),
    [
        ("status", Actor.NOX_STATUS, "share", False),
        ("followups off", Actor.SET_FOLLOW_UPS, "enabled", False),
        ("config jira", Actor.FILL_SETTINGS_MODAL, "section", "jira"),
        ("config nonsense", Actor.FILL_SETTINGS_MODAL, "section", "general"),
        ("incidents", Actor.INCIDENTS_LIST, "channel", "C0OPS"),
        ("incident severity high db down", Actor.INCIDENTS_CHANGE, "value", "high"),
    ],
)
async def test_each_worker_subcommand_is_queued_before_the_ack(text, actor, field, value):
    jobs, ack, context = listener_rig()
    await ack_nox(ack, command(text), context)
    assert jobs.only(actor)[field] == value


@pytest.mark.parametrize("text", ["", "help", "frobnicate", "kb nonsense", "kb search", "followups maybe"])
async def test_help_and_unknown_subcommands_get_help_and_queue_nothing(text):
    jobs, ack, context = listener_rig()
    await ack_nox(ack, command(text), context)
    assert jobs.jobs == []
    blocks = ack.await_args.kwargs["blocks"]
    assert "/nox kb add" in str(blocks)
    if text in ("frobnicate", "kb nonsense"):
        assert text in str(blocks), "the help says what was not understood"


@pytest.mark.parametrize("text", ["kb add", "meeting", "incident"])
async def test_modal_subcommands_ack_empty_and_queue_nothing(text):
    jobs, ack, context = listener_rig()
    await ack_nox(ack, command(text), context)
    assert jobs.jobs == [] and ack.await_args.kwargs == {} and ack.await_args.args == ()


async def test_an_oversize_question_is_refused_before_anything_is_queued_or_acked():
    """The ValidationError reaches listeners.errors, which answers with an ephemeral 'not understood'."""
    jobs, ack, context = listener_rig()
    with pytest.raises(ValidationError):
        await ack_nox(ack, command("why " * (MAX_MESSAGE_CHARS // 4 + 1)), context)
    assert jobs.jobs == [] and ack.await_count == 0


async def test_no_ack_when_the_queue_cannot_take_the_job():
    """Slack then retries the command: nothing was acked that was not queued."""
    jobs, ack, context = listener_rig(broken=True)
    with pytest.raises(ConnectionError):
        await ack_nox(ack, command("kb search pods pending"), context)
    assert ack.await_count == 0
