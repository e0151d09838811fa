"""👍 / 👎 on an answer: the vote is queued, then acked; a forged value is refused unqueued."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from jamono.queue.names import Actor
from listeners.actions.feedback import handle_feedback
from tests.listeners.doubles import TEAM, listener_rig

INTERACTION = "8f0e6f1c-9a41-4c55-9d0b-6d2a8e1f0a11"
BODY = {"team": {"id": "T1"}, "user": {"id": "U0DEV"}, "channel": {"id": "C0OPS"}}


async def test_a_vote_is_queued_then_acked():
    jobs, ack, context = listener_rig()
    await handle_feedback(ack, BODY, {"action_id": "feedback_down", "value": INTERACTION}, context)
    job = jobs.only(Actor.RECORD_FEEDBACK)
    assert job == {
        "team_id": TEAM,  # what Bolt authorized, not the payload's team
        "enterprise_id": None,
        "user": "U0DEV",
        "channel": "C0OPS",
        "interaction_id": INTERACTION,
        "vote": -1,
    }
    ack.assert_awaited_once_with()


async def test_a_vote_on_a_forged_interaction_id_is_refused_before_the_ack():
    jobs, ack, context = listener_rig()
    with pytest.raises(ValidationError):
        await handle_feedback(ack, BODY, {"action_id": "feedback_up", "value": "not-a-uuid"}, context)
    assert jobs.jobs == [] and ack.await_count == 0
