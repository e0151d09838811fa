"""The knowledge-base modal: a valid document is queued, then the modal closes; errors stay in it."""

from __future__ import annotations

from jamono.kb.views import CONTENT_MAX
from jamono.queue.names import Actor
from listeners.views.kb_add import handle_kb_add
from tests.listeners.doubles import TEAM, listener_rig

BODY = {"team": {"id": "T1"}, "user": {"id": "U0DEV"}}


def view(title: str, content: str, tags: str | None = None) -> dict:
    def field(value: str | None) -> dict:
        return {"value": {"type": "plain_text_input", "value": value}}

    state = {"values": {"title": field(title), "content": field(content), "tags": field(tags)}}
    return {"id": "V0KB", "state": state, "private_metadata": "C0OPS"}


async def test_a_valid_document_is_queued_then_the_modal_closes():
    jobs, ack, context = listener_rig()
    content = "Run `systemctl restart billing-worker` then check the queue depth."
    await handle_kb_add(ack, BODY, view("Restarting the billing worker", content, "billing, workers"), context)
    job = jobs.only(Actor.KB_SAVE)
    assert (job["title"], job["content"], job["tags"]) == (
        "Restarting the billing worker",
        content,
        ["billing", "workers"],
    )
    assert (job["channel"], job["user"], job["team_id"]) == ("C0OPS", "U0DEV", TEAM)
    ack.assert_awaited_once_with()


async def test_a_short_title_and_an_oversize_document_are_answered_in_the_modal():
    jobs, ack, context = listener_rig()
    await handle_kb_add(ack, BODY, view("x", "y" * (CONTENT_MAX + 1)), context)
    assert jobs.jobs == []
    assert ack.await_args.kwargs["response_action"] == "errors"
    assert set(ack.await_args.kwargs["errors"]) == {"title", "content"}
