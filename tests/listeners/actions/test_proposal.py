"""Create ticket / Dismiss / Retry on a NOX reply: queued, then acked; Schedule opens its modal
after the ack. The guest check is the worker's (jamono.actions.flows): a guest's click is queued."""

from __future__ import annotations

import json
from unittest.mock import AsyncMock

import pytest
from pydantic import ValidationError

from jamono.queue.names import Actor
from listeners.actions.proposal import ack_schedule, handle_proposal, handle_retry, open_schedule_modal
from tests.listeners.doubles import listener_rig

INTERACTION = "8f0e6f1c-9a41-4c55-9d0b-6d2a8e1f0a11"
BODY = {"team": {"id": "T1"}, "user": {"id": "U0GUEST"}, "container": {"channel_id": "C0OPS"}}


@pytest.mark.parametrize(("action_id", "choice"), [("propose_ticket", "ticket"), ("propose_dismiss", "dismiss")])
async def test_a_click_is_queued_with_its_choice_then_acked(action_id, choice):
    jobs, ack, context = listener_rig()
    await handle_proposal(ack, BODY, {"action_id": action_id, "value": INTERACTION}, context)
    job = jobs.only(Actor.ACTIONS_PROPOSAL)
    assert (job["choice"], job["interaction_id"], job["channel"], job["user"]) == (
        choice,
        INTERACTION,
        "C0OPS",
        "U0GUEST",
    )
    ack.assert_awaited_once_with()


async def test_a_click_with_a_malformed_value_or_an_unknown_action_is_not_acked():
    jobs, ack, context = listener_rig()
    with pytest.raises(ValidationError):
        await handle_proposal(ack, BODY, {"action_id": "propose_ticket", "value": "<script>"}, context)
    with pytest.raises(KeyError):
        await handle_proposal(ack, BODY, {"action_id": "propose_lunch", "value": INTERACTION}, context)
    assert jobs.jobs == [] and ack.await_count == 0


async def test_retry_is_queued_then_acked_and_a_bad_id_is_refused():
    jobs, ack, context = listener_rig()
    await handle_retry(ack, BODY, {"action_id": "action_retry", "value": INTERACTION}, context)
    assert jobs.only(Actor.ACTIONS_RETRY)["action_id"] == INTERACTION
    jobs, ack, context = listener_rig()
    with pytest.raises(ValidationError):
        await handle_retry(ack, BODY, {"action_id": "action_retry", "value": ""}, context)
    assert jobs.jobs == [] and ack.await_count == 0


async def test_schedule_acks_at_once_then_opens_the_prefilled_modal():
    ack = AsyncMock()
    await ack_schedule(ack)
    ack.assert_awaited_once_with()
    client = AsyncMock()
    value = json.dumps({"i": INTERACTION, "t": "Post-mortem", "d": 45, "a": ["U0OPS"], "l": "fr"})
    body = {**BODY, "trigger_id": "1.2.t", "message": {"ts": "1700000000.000300"}}
    await open_schedule_modal(body, {"value": value}, client)
    view = client.views_open.await_args.kwargs["view"]
    assert client.views_open.await_args.kwargs["trigger_id"] == "1.2.t"
    assert "Post-mortem" in json.dumps(view) and json.loads(view["private_metadata"])["lang"] == "fr"


async def test_schedule_with_a_garbled_value_still_opens_an_empty_modal():
    client = AsyncMock()
    await open_schedule_modal({**BODY, "trigger_id": "1.2.t"}, {"value": "{not json"}, client)
    client.views_open.assert_awaited_once()
