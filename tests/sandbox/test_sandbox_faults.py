"""Fault injection with the async client and its retry handlers."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from jamono.sandbox import SlackSandbox
from jamono.sandbox.faults import FaultPlan


class _NoJitter:
    @staticmethod
    def random() -> float:
        return 0.0


async def test_async_client_retries_a_rate_limit(sandbox: SlackSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builtin_async_handlers, "random", _NoJitter)  # slack_sdk adds up to 1 s of jitter
    client = AsyncWebClient(
        token=sandbox.bot_token,
        base_url=sandbox.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    sandbox.fail_next("chat.postMessage", status=429, retry_after=0, count=2)
    assert (await client.chat_postMessage(channel="C0OPS", text="third time lucky"))["ok"]
    assert [c.http_status for c in sandbox.calls_to("chat.postMessage")] == [429, 429, 200]
    assert sandbox.calls_to("chat.postMessage")[0].response == {"ok": False, "error": "ratelimited"}


async def test_wildcard_and_persistent_faults(sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    sandbox.fail_next("*", error="fatal_error", count=-1)
    for _ in range(3):
        with pytest.raises(SlackApiError, match="fatal_error"):
            await client.auth_test()
    sandbox.clear_faults()
    assert (await client.auth_test())["ok"]


def test_fault_plan_speaks_slacks_dialect() -> None:
    plan = FaultPlan()
    plan.fail_next("a")  # default: a rate limit, as Slack sends it
    plan.fail_next("b", status=500)
    plan.fail_next("c", error="channel_not_found")
    plan.fail_next("d", retry_after=5)
    responses = {m: plan.take(m).response() for m in "abcd"}  # type: ignore[union-attr]
    assert responses["a"] == (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    assert responses["b"] == (500, {"ok": False, "error": "internal_error"}, {})
    assert responses["c"] == (200, {"ok": False, "error": "channel_not_found"}, {})
    assert responses["d"] == (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "5"})
    assert plan.take("a") is None
