"""Slack's limits: replies are delayed, never dropped, by 429s and 5xx; and NOX itself keeps
`chat.postMessage` within Slack's per-channel rate (~1/s) across worker threads and processes,
through the shared limiter (jamono/slack/rate_limit.py), timed from the sandbox's call log."""

from __future__ import annotations

import asyncio
import itertools

from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from jamono.platform.settings import Settings
from jamono.slack.client import async_retry_handlers, retry_handlers
from tests.plugins.drained import queue_drained
from tests.reliability import rig


def test_the_default_post_budget_keeps_to_slacks_one_per_second_per_channel():
    limit = Settings.model_fields["slack_post_rate_limit"].default
    window = Settings.model_fields["slack_post_rate_window_s"].default
    assert limit >= 1, "the limiter is on by default"
    assert limit / window <= 1.0


def test_web_clients_carry_slack_sdks_retry_handlers():
    kinds = {type(h) for h in retry_handlers()}
    assert RateLimitErrorRetryHandler in kinds and ServerErrorRetryHandler in kinds
    assert {type(h).__name__ for h in async_retry_handlers()} >= {
        "AsyncRateLimitErrorRetryHandler",
        "AsyncServerErrorRetryHandler",
    }


async def test_posts_to_one_channel_stay_within_one_per_second(
    rel_web, rel_worker, rsandbox, channel, pool, rel_workspace
):
    """Six mentions at once in one channel, handled by 2 processes × 2 threads: their posts are
    spread over time, at most one per calendar second (so ≤ 2 within any second)."""
    sender = rel_web.sender
    envelopes = [
        sender.app_mention("U0DEV", channel, f"<@U0NOX> how do I roll back a deployment? #{i}") for i in range(6)
    ]
    responses = await asyncio.gather(*(sender.send_event(e) for e in envelopes))
    assert [r.status for r in responses] == [200] * 6
    targets = [(channel, e["event"]["ts"]) for e in envelopes]
    await rig.wait_until(lambda: rig.answered(rsandbox, targets) == 6, timeout=40, what="six answers")
    posts = sorted(c.time for c in rsandbox.calls_to("chat.postMessage") if c.ok and c.params.get("channel") == channel)
    assert len(posts) == 6, "one reply per mention"
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(posts)]
    # One post per calendar second ⇒ posts i and i+2 are more than a second apart, and six posts
    # span more than four seconds (tolerance: the time between taking the slot and the sandbox
    # receiving the request, which grows on a loaded machine). Unthrottled, they span well under 1 s.
    assert all(posts[i + 2] - posts[i] > 0.5 for i in range(len(posts) - 2)), gaps
    assert posts[-1] - posts[0] > 3.5, gaps
    await queue_drained(rel_web.broker)  # the replies are seen; the jobs may still be writing their rows
    _, ws = rel_workspace
    counts = rig.rows(pool, ws.tenant_id, [e["event_id"] for e in envelopes])
    assert all(c == {"interactions": 1, "events": 1} for c in counts.values()), counts


async def test_rate_limits_and_server_errors_delay_the_reply_but_never_drop_or_double_it(
    rel_web, rel_worker, rsandbox, channel, pool, rel_workspace
):
    """chat.postMessage answers 429 (Retry-After: 1) twice; chat.update answers 503 four times —
    more than slack_sdk's three retries, so the job itself fails once and Dramatiq retries it."""
    sender = rel_web.sender
    envelope = sender.app_mention("U0DEV", channel, "<@U0NOX> pods are crashlooping after the deploy")
    ts = envelope["event"]["ts"]
    rsandbox.fail_next("chat.postMessage", status=429, retry_after=1, count=2)
    rsandbox.fail_next("chat.update", status=503, count=4)
    try:
        assert (await sender.send_event(envelope)).status == 200
        await rig.wait_until(lambda: rig.final_reply(rsandbox, channel, ts), timeout=40, what="the reply")
    finally:
        rsandbox.clear_faults()
    await queue_drained(rel_web.broker)  # every job has run: a duplicate, if any, shows by now
    assert len(rsandbox.bot_messages(channel, thread_ts=ts)) == 1
    posts = [c for c in rsandbox.calls_to("chat.postMessage") if c.params.get("channel") == channel]
    assert [c.http_status for c in posts] == [429, 429, 200]
    assert posts[-1].time - posts[0].time >= 2.0, "Retry-After was honoured"
    updates = [c for c in rsandbox.calls_to("chat.update") if c.params.get("channel") == channel]
    assert [c.http_status for c in updates] == [503] * 4 + [200]
    _, ws = rel_workspace
    assert rig.rows(pool, ws.tenant_id, [envelope["event_id"]])[envelope["event_id"]] == {
        "interactions": 1,
        "events": 1,
    }
