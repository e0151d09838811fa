"""Declare on a triage reply, the incident card's buttons and selects, Post update's modal: queued, then acked."""

from __future__ import annotations

import json
from unittest.mock import AsyncMock

import pytest
from pydantic import ValidationError

from jamono.incidents.views import LEAD_ACTION, SEVERITY_ACTION, STATUS_ACTION, UPDATE_CALLBACK
from jamono.queue.names import Actor
from listeners.actions.incident import (
    ack_update,
    handle_card,
    handle_declare,
    handle_update_submission,
    open_update_modal,
)
from tests.listeners.doubles import listener_rig

INCIDENT = "0b7f6d3e-2f55-4c9e-8a0e-3e1f6f4b9c21"
INTERACTION = "8f0e6f1c-9a41-4c55-9d0b-6d2a8e1f0a11"
BODY = {"team": {"id": "T1"}, "user": {"id": "U0DEV"}, "channel": {"id": "C0INC"}, "trigger_id": "7.7.t"}


async def test_declare_is_queued_then_acked():
    jobs, ack, context = listener_rig()
    await handle_declare(ack, BODY, {"action_id": "propose_incident", "value": INTERACTION}, context)
    job = jobs.only(Actor.INCIDENTS_DECLARE)
    assert (job["interaction_id"], job["channel"], job["user"]) == (INTERACTION, "C0INC", "U0DEV")
    ack.assert_awaited_once_with()


@pytest.mark.parametrize(
    ("action", "kind", "value"),
    [
        ({"action_id": f"{STATUS_ACTION}:monitoring", "value": INCIDENT}, "status", "monitoring"),
        ({"action_id": SEVERITY_ACTION, "selected_option": {"value": f"{INCIDENT}:high"}}, "severity", "high"),
        ({"action_id": LEAD_ACTION, "block_id": f"lead:{INCIDENT}", "selected_user": "U0LEAD"}, "lead", "U0LEAD"),
    ],
)
async def test_each_card_control_is_queued_as_a_change_then_acked(action, kind, value):
    jobs, ack, context = listener_rig()
    await handle_card(ack, BODY, {**action, "action_ts": "1700000001.1"}, context)
    job = jobs.only(Actor.INCIDENTS_CHANGE)
    assert (job["incident_id"], job["kind"], job["value"]) == (INCIDENT, kind, value)
    assert job["key"] == f"act:1700000001.1:{action['action_id']}"


async def test_a_card_click_on_a_garbled_incident_id_is_refused_before_the_ack():
    jobs, ack, context = listener_rig()
    with pytest.raises(ValidationError):
        await handle_card(ack, BODY, {"action_id": f"{STATUS_ACTION}:resolved", "value": "../../etc"}, context)
    assert jobs.jobs == [] and ack.await_count == 0


async def test_post_update_acks_then_opens_its_modal():
    ack = AsyncMock()
    await ack_update(ack)
    ack.assert_awaited_once_with()
    client = AsyncMock()
    await open_update_modal({**BODY, "user": {"id": "U0DEV", "locale": "fr-FR"}}, {"value": INCIDENT}, client)
    view = client.views_open.await_args.kwargs["view"]
    assert view["callback_id"] == UPDATE_CALLBACK
    assert json.loads(view["private_metadata"]) == {"i": INCIDENT, "l": "fr"}


def _update_view(text: str | None, metadata: str) -> dict:
    state = {"values": {"update": {"text": {"type": "plain_text_input", "value": text}}}}
    return {"id": "V0UPDATE", "state": state, "private_metadata": metadata}


async def test_an_update_is_queued_then_the_modal_closes():
    jobs, ack, context = listener_rig()
    await handle_update_submission(ack, BODY, _update_view("x" * 5000, json.dumps({"i": INCIDENT})), context)
    job = jobs.only(Actor.INCIDENTS_CHANGE)
    assert (job["kind"], job["incident_id"], job["key"], len(job["note"])) == (
        "update",
        INCIDENT,
        "view:V0UPDATE",
        3000,
    )
    ack.assert_awaited_once_with()


async def test_an_empty_update_is_answered_inside_the_modal_and_queues_nothing():
    jobs, ack, context = listener_rig()
    await handle_update_submission(ack, BODY, _update_view("   ", "{broken json"), context)
    assert jobs.jobs == []
    ack.assert_awaited_once_with(response_action="errors", errors={"update": "Write the update / Écrivez le point."})
