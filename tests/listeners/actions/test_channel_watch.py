""" "Watch this channel" / "No thanks": the choice is queued, then acked."""

from __future__ import annotations

from jamono.queue.names import Actor
from jamono.workspaces.onboarding_text import IGNORE_ACTION, WATCH_ACTION
from listeners.actions.channel_watch import handle_channel_watch
from tests.listeners.doubles import TEAM, listener_rig

BODY = {"user": {"id": "U0DEV"}, "response_url": "https://hooks.slack.com/actions/x"}


async def test_watch_and_no_thanks_are_queued_then_acked():
    for action_id, watch in ((WATCH_ACTION, True), (IGNORE_ACTION, False)):
        jobs, ack, context = listener_rig()
        await handle_channel_watch(ack, BODY, {"action_id": action_id, "value": "C0OPS"}, context)
        job = jobs.only(Actor.SET_CHANNEL_WATCH)
        assert (job["channel_id"], job["watch"], job["user"], job["team_id"]) == ("C0OPS", watch, "U0DEV", TEAM)
        assert job["response_url"] == "https://hooks.slack.com/actions/x"
        ack.assert_awaited_once_with()


async def test_an_oversize_channel_value_is_clipped_not_passed_on():
    jobs, ack, context = listener_rig()
    await handle_channel_watch(ack, BODY, {"action_id": WATCH_ACTION, "value": "C" * 5000}, context)
    assert jobs.only(Actor.SET_CHANNEL_WATCH)["channel_id"] == "C" * 40
