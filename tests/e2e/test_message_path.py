"""The spine, end to end: signed HTTP → listener → Redis queue → worker → Slack Web API (sandbox)."""

from __future__ import annotations

from jamono.platform.db import tenant_tx
from tests.plugins.drained import queue_drained
from tests.plugins.stack import PLACEHOLDER, answered  # noqa: F401


async def test_a_channel_mention_is_answered_once_in_its_thread(sender, sandbox, pool, sandbox_workspace, broker):
    mention, message = sender.channel_mention("U0DEV", "C0OPS", "how do I roll back a Kubernetes deployment?")
    responses = [await sender.send_event(mention), await sender.send_event(message)]
    assert [r.status for r in responses] == [200, 200]
    ts = mention["event"]["ts"]
    replies = await sandbox.wait_for(lambda: answered(sandbox, "C0OPS", ts), timeout=15)
    await queue_drained(broker)  # both jobs have run: a duplicate, if any, is posted by now
    replies = sandbox.bot_messages("C0OPS", thread_ts=ts)
    assert len(replies) == 1, "the app_mention/message pair must yield one reply"
    reply = replies[0]
    assert reply["thread_ts"] == ts
    assert "rollout" in str(reply["blocks"]).lower(), "the answer should quote the rollback runbook"
    assert any(b["type"] == "actions" for b in reply["blocks"])  # feedback buttons
    _, workspace = sandbox_workspace
    with tenant_tx(pool, workspace.tenant_id) as conn:
        row = conn.execute(
            "SELECT message_type, user_id, channel_id, success, response_time_ms, tenant_id"
            " FROM agent_interactions WHERE slack_event_id = %s",
            [mention["event_id"]],
        ).fetchone()
    assert row["message_type"] == "app_mention" and row["user_id"] == "U0DEV" and row["channel_id"] == "C0OPS"
    assert row["success"] is True and row["response_time_ms"] > 0 and row["tenant_id"] == workspace.tenant_id


async def test_a_direct_message_is_answered_in_its_thread(sender, sandbox):
    envelope = sender.dm("U0DEV", "la base postgres refuse les connexions, too many clients, que faire ?")
    assert (await sender.send_event(envelope)).status == 200
    ts = envelope["event"]["ts"]
    replies = await sandbox.wait_for(lambda: answered(sandbox, "D0DEV", ts), timeout=15)
    assert replies[0]["thread_ts"] == ts
    text = str(replies[0]["blocks"]).lower()
    assert "connexion" in text or "connection" in text


async def test_a_redelivered_event_is_answered_once(sender, sandbox, broker):
    envelope = sender.app_mention("U0DEV", "C0OPS", "pods stuck in ImagePullBackOff, what should I check?")
    first = await sender.send_event(envelope)
    again = await sender.send_event(envelope, retry_num=1, retry_reason="http_timeout")
    third = await sender.send_event(envelope, retry_num=2, retry_reason="http_timeout")
    assert (first.status, again.status, third.status) == (200, 200, 200)
    ts = envelope["event"]["ts"]
    await sandbox.wait_for(lambda: answered(sandbox, "C0OPS", ts), timeout=15)
    await queue_drained(broker)  # the redeliveries' jobs (and their retries) have run
    assert len(sandbox.bot_messages("C0OPS", thread_ts=ts)) == 1
    assert len([c for c in sandbox.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]) == 1


async def test_bot_messages_edits_and_channel_chatter_are_ignored(sender, sandbox, broker):
    before = len(sandbox.calls_to("chat.postMessage"))
    ignored = [
        sender.message("D0DEV", "I am a bot", user=None, bot_id="B0OTHER", subtype="bot_message"),
        sender.message("D0DEV", "my own echo", user="U0NOX", bot_id="B0NOX"),
        sender.message("D0DEV", "my own echo, without a bot_id", user="U0NOX"),
        sender.message("D0DEV", "edited", subtype="message_changed"),
        sender.message("D0DEV", "deleted", subtype="message_deleted"),
        sender.message("C0OPS", "just chatting in a channel without mentioning anyone"),
    ]
    for envelope in ignored:
        assert (await sender.send_event(envelope)).status == 200
    await queue_drained(broker)  # whatever was queued has run
    assert len(sandbox.calls_to("chat.postMessage")) == before


async def test_a_message_with_a_nul_character_is_answered_and_stored(sender, sandbox, pool, sandbox_workspace):
    """PostgreSQL text cannot hold NUL: the job keeps the message, with U+FFFD in its place."""
    envelope = sender.dm("U0DEV", "how do I restart nginx\x00 after a config change?")
    ts = envelope["event"]["ts"]
    assert (await sender.send_event(envelope)).status == 200
    await sandbox.wait_for(lambda: answered(sandbox, "D0DEV", ts), timeout=15)
    _, ws = sandbox_workspace

    def stored():
        with tenant_tx(pool, ws.tenant_id) as conn:
            return conn.execute(
                "SELECT message, success FROM agent_interactions WHERE message_ts = %s", [ts]
            ).fetchone()

    row = await sandbox.wait_for(stored, timeout=10)
    assert row["message"] == "how do I restart nginx\ufffd after a config change?" and row["success"]


def test_the_last_attempt_posts_even_when_the_channel_budget_stays_spent(
    worker, sandbox, sandbox_workspace, monkeypatch
):
    """Earlier attempts wait for Slack's ~1 post/s per channel, then retry; the last one posts anyway."""
    import uuid

    import pytest

    from jamono.container import get_runtime
    from jamono.conversation.answering import answer_message
    from jamono.slack.payloads import MessageJob
    from jamono.slack.rate_limit import ChannelBusy, channel_post_limiter

    rt = get_runtime()
    channel = "C" + uuid.uuid4().hex[:9].upper()
    limiter = channel_post_limiter(rt.settings)
    monkeypatch.setattr(limiter, "max_wait_s", 0.2)
    monkeypatch.setattr(limiter, "window_s", 60)  # spent for the whole test
    while limiter.try_acquire("T0SANDBOX", channel):
        pass
    said = sandbox.user_says("U0DEV", channel, "<@U0NOX> how do I roll back a deployment?")
    job = MessageJob(
        event_id=f"Ev{uuid.uuid4().hex[:10]}",
        team_id="T0SANDBOX",
        message_type="app_mention",
        user="U0DEV",
        channel=channel,
        text=said["text"],
        ts=said["ts"],
    )
    with pytest.raises(ChannelBusy):
        answer_message(rt, job, final_attempt=False)
    assert not sandbox.bot_messages(channel, thread_ts=said["ts"])
    answer_message(rt, job, final_attempt=True)
    replies = sandbox.bot_messages(channel, thread_ts=said["ts"])
    assert len(replies) == 1 and PLACEHOLDER not in replies[0]["text"]
