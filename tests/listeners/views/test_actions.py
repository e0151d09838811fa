"""The meeting and incident modals: a valid form is queued, then the modal closes; errors stay in it."""

from __future__ import annotations

from jamono.actions.modals import ModalContext
from jamono.queue.names import Actor
from listeners.views.actions import handle_incident_submission, handle_meeting_submission
from tests.listeners.doubles import listener_rig

BODY = {"team": {"id": "T1"}, "user": {"id": "U0DEV"}}
INTERACTION = "8f0e6f1c-9a41-4c55-9d0b-6d2a8e1f0a11"


def text(value: str | None) -> dict:
    return {"el": {"type": "plain_text_input", "value": value}}


def view(values: dict, ctx: ModalContext) -> dict:
    return {"id": "V0MODAL", "state": {"values": values}, "private_metadata": ctx.dump()}


def meeting(title: str, duration: str) -> dict:
    users = {"el": {"type": "multi_users_select", "selected_users": ["U0OPS"]}}
    return {"title": text(title), "duration": text(duration), "attendees": users, "agenda": text(None)}


async def test_a_valid_meeting_is_queued_then_the_modal_closes():
    jobs, ack, context = listener_rig()
    ctx = ModalContext(interaction_id=INTERACTION, channel="C0OPS", thread_ts="1700000000.000100", lang="fr")
    await handle_meeting_submission(ack, BODY, view(meeting("Post-mortem", "45"), ctx), context)
    job = jobs.only(Actor.ACTIONS_MEETING)
    assert (job["view_id"], job["interaction_id"], job["channel"], job["thread_ts"]) == (
        "V0MODAL",
        INTERACTION,
        "C0OPS",
        "1700000000.000100",
    )
    params = job["params"]
    assert (params["title"], params["duration_min"], params["attendees"], params["requester"], params["lang"]) == (
        "Post-mortem",
        45,
        ["U0OPS"],
        "U0DEV",
        "fr",
    )
    ack.assert_awaited_once_with()


async def test_a_bad_meeting_is_answered_in_the_modal_even_with_garbled_metadata():
    jobs, ack, context = listener_rig()
    bad = view(meeting("t" * 500, "forever"), ModalContext())
    bad["private_metadata"] = "{not json"
    await handle_meeting_submission(ack, BODY, bad, context)
    assert jobs.jobs == []
    assert ack.await_args.kwargs["response_action"] == "errors"
    assert set(ack.await_args.kwargs["errors"]) == {"title", "duration"}


def incident(summary: str) -> dict:
    severity = {"el": {"type": "static_select", "selected_option": {"value": "high"}}}
    lead = {"el": {"type": "users_select", "selected_user": "U0LEAD"}}
    return {
        "summary": text(summary),
        "severity": severity,
        "service": text("billing"),
        "details": text(None),
        "lead": lead,
    }


async def test_a_valid_incident_is_queued_then_the_modal_closes():
    jobs, ack, context = listener_rig()
    await handle_incident_submission(ack, BODY, view(incident("Checkout  is down"), ModalContext()), context)
    job = jobs.only(Actor.INCIDENTS_DECLARE)
    assert (job["title"], job["severity"], job["service"], job["lead"]) == (
        "Checkout is down",
        "high",
        "billing",
        "U0LEAD",
    )
    assert job["channel"] == "U0DEV", "no channel in the metadata: the declarer's DM"
    ack.assert_awaited_once_with()


async def test_a_too_short_incident_summary_is_answered_in_the_modal():
    jobs, ack, context = listener_rig()
    await handle_incident_submission(ack, BODY, view(incident("down"), ModalContext(channel="C0OPS")), context)
    assert jobs.jobs == []
    assert ack.await_args.kwargs["response_action"] == "errors" and "summary" in ack.await_args.kwargs["errors"]
