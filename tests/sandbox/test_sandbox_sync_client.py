"""The sync WebClient (what Dramatiq workers use) against a sandbox on its own thread:
views with trigger ids, OAuth, and injected faults with slack_sdk's retry handlers."""

from __future__ import annotations

import threading
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from jamono.sandbox import SlackSandbox

MODAL = {
    "type": "modal",
    "callback_id": "create_ticket",
    "title": {"type": "plain_text", "text": "Create ticket"},
    "submit": {"type": "plain_text", "text": "Create"},
    "blocks": [
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "Summary"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def web(sandbox: SlackSandbox, **kwargs: object) -> WebClient:
    return WebClient(token=sandbox.bot_token, base_url=sandbox.api_url, **kwargs)  # type: ignore[arg-type]


def test_views_need_a_fresh_trigger(threaded_sandbox: SlackSandbox) -> None:
    client = web(threaded_sandbox)
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        client.views_open(trigger_id="123.456.abc", view=MODAL)
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        client.views_open(trigger_id=threaded_sandbox.issue_trigger_id("U0DEV", age=3.5), view=MODAL)

    trigger = threaded_sandbox.issue_trigger_id("U0DEV")
    opened = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert opened["id"].startswith("V") and opened["hash"] and opened["callback_id"] == "create_ticket"
    assert opened["state"] == {"values": {}} and opened["root_view_id"] == opened["id"]
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        client.views_open(trigger_id=trigger, view=MODAL)

    pushed = client.views_push(
        trigger_id=threaded_sandbox.issue_trigger_id("U0DEV"), view={**MODAL, "callback_id": "confirm"}
    )["view"]
    assert pushed["previous_view_id"] == opened["id"]
    assert [v["callback_id"] for v in threaded_sandbox.open_views("U0DEV")] == ["create_ticket", "confirm"]

    updated = client.views_update(view_id=pushed["id"], hash=pushed["hash"], view={**MODAL, "callback_id": "done"})[
        "view"
    ]
    assert updated["id"] == pushed["id"] and updated["hash"] != pushed["hash"]
    with pytest.raises(SlackApiError, match="hash_conflict"):
        client.views_update(view_id=pushed["id"], hash=pushed["hash"], view=MODAL)
    with pytest.raises(SlackApiError, match="not_found"):
        client.views_update(view_id="V0NOPE", view=MODAL)


def test_views_update_by_external_id_and_view_validation(threaded_sandbox: SlackSandbox) -> None:
    client = web(threaded_sandbox)
    client.views_open(trigger_id=threaded_sandbox.issue_trigger_id("U0DEV"), view={**MODAL, "external_id": "ticket-1"})
    updated = client.views_update(
        external_id="ticket-1", view={**MODAL, "external_id": "ticket-1", "callback_id": "v2"}
    )["view"]
    assert updated["callback_id"] == "v2"
    too_many = {**MODAL, "blocks": [{"type": "divider"}] * 101}
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.views_open(trigger_id=threaded_sandbox.issue_trigger_id("U0DEV"), view=too_many)


def test_app_home_is_stored_per_user(threaded_sandbox: SlackSandbox) -> None:
    client = web(threaded_sandbox)
    home = {
        "type": "home",
        "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "NOX"}}] + [{"type": "divider"}] * 99,
    }
    published = client.views_publish(user_id="U0DEV", view=home)["view"]
    assert published["type"] == "home" and published["id"].startswith("V")
    assert threaded_sandbox.home_view("U0DEV")["blocks"][0]["type"] == "header"
    assert threaded_sandbox.home_view("U0NOBODY") is None
    again = client.views_publish(user_id="U0DEV", view=home)["view"]
    assert again["id"] == published["id"]


def test_oauth_v2_access_round_trip(threaded_sandbox: SlackSandbox) -> None:
    sandbox = threaded_sandbox
    anonymous = WebClient(base_url=sandbox.api_url)
    code = sandbox.issue_oauth_code(team_id="T0ACME", team_name="Acme", user="U0ANA", user_scopes=["search:read"])
    answer = anonymous.oauth_v2_access(client_id=sandbox.client_id, client_secret=sandbox.client_secret, code=code)
    assert answer["token_type"] == "bot" and answer["access_token"].startswith("xoxb-")
    assert answer["team"] == {"id": "T0ACME", "name": "Acme"} and answer["enterprise"] is None
    assert (
        answer["bot_user_id"] == "U0NOX" and answer["app_id"] == "A0NOX" and "chat:write" in answer["scope"].split(",")
    )
    assert answer["authed_user"]["id"] == "U0ANA" and answer["authed_user"]["access_token"].startswith("xoxp-")
    assert "refresh_token" not in answer

    tenant = WebClient(token=answer["access_token"], base_url=sandbox.api_url)
    assert tenant.auth_test()["team_id"] == "T0ACME"
    posted = tenant.chat_postMessage(channel="C0OPS", text="from acme")
    assert posted["message"]["team"] == "T0ACME"

    with pytest.raises(SlackApiError, match="invalid_code"):
        anonymous.oauth_v2_access(client_id=sandbox.client_id, client_secret=sandbox.client_secret, code=code)
    with pytest.raises(SlackApiError, match="bad_client_secret"):
        anonymous.oauth_v2_access(client_id=sandbox.client_id, client_secret="wrong", code=sandbox.issue_oauth_code())


def test_token_rotation_and_refresh(threaded_sandbox: SlackSandbox) -> None:
    sandbox = threaded_sandbox
    anonymous = WebClient(base_url=sandbox.api_url)
    first = anonymous.oauth_v2_access(
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        code=sandbox.issue_oauth_code(token_rotation=True),
    )
    assert (
        first["access_token"].startswith("xoxe.xoxb-")
        and first["refresh_token"].startswith("xoxe-")
        and first["expires_in"] == 43200
    )
    refreshed = anonymous.oauth_v2_access(
        client_id=sandbox.client_id,
        client_secret=sandbox.client_secret,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    )
    assert refreshed["access_token"] != first["access_token"] and refreshed["refresh_token"] != first["refresh_token"]
    assert WebClient(token=refreshed["access_token"], base_url=sandbox.api_url).auth_test()["ok"]
    with pytest.raises(SlackApiError, match="invalid_refresh_token"):
        anonymous.oauth_v2_access(
            client_id=sandbox.client_id,
            client_secret=sandbox.client_secret,
            grant_type="refresh_token",
            refresh_token=first["refresh_token"],
        )


def test_apps_uninstall_revokes_the_team(threaded_sandbox: SlackSandbox) -> None:
    client = web(threaded_sandbox)
    assert client.apps_uninstall(client_id=threaded_sandbox.client_id, client_secret=threaded_sandbox.client_secret)[
        "ok"
    ]
    with pytest.raises(SlackApiError, match="token_revoked"):
        client.auth_test()


def test_rate_limit_is_429_with_retry_after_and_the_handler_waits(threaded_sandbox: SlackSandbox) -> None:
    sandbox = threaded_sandbox
    bare = web(sandbox)
    sandbox.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        bare.chat_postMessage(channel="C0OPS", text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response["error"] == "ratelimited"
    assert limited.value.response.headers["Retry-After"] == "7"

    patient = web(sandbox, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    sandbox.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    assert patient.chat_postMessage(channel="C0OPS", text="eventually")["ok"]
    attempts = sandbox.calls_to("chat.postMessage")[-2:]
    assert [a.http_status for a in attempts] == [429, 200]
    assert attempts[1].time - attempts[0].time >= 1.0  # Retry-After honoured
    assert time.monotonic() - started < 3
    assert [m["text"] for m in sandbox.messages("C0OPS")] == ["eventually"]


def test_server_errors_and_plain_errors(threaded_sandbox: SlackSandbox) -> None:
    sandbox = threaded_sandbox
    sandbox.fail_next("chat.update", status=500)
    with pytest.raises(SlackApiError) as broken:
        web(sandbox).chat_update(channel="C0OPS", ts="1.2", text="x")
    assert broken.value.response.status_code == 500 and broken.value.response["error"] == "internal_error"

    sandbox.fail_next("chat.postMessage", status=500)
    retrying = web(sandbox, retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)])
    retrying.retry_handlers[0].interval_calculator = _NoWait()
    assert retrying.chat_postMessage(channel="C0OPS", text="after 500")["ok"]

    sandbox.fail_next("users.info", error="user_not_found", count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as missing:
            web(sandbox).users_info(user="U0DEV")
        assert missing.value.response.status_code == 200 and missing.value.response["error"] == "user_not_found"
    assert web(sandbox).users_info(user="U0DEV")["ok"]


def test_latency_delays_only_that_method(threaded_sandbox: SlackSandbox) -> None:
    threaded_sandbox.set_latency("users.info", 0.3)
    client = web(threaded_sandbox)
    started = time.monotonic()
    client.users_info(user="U0DEV")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.3


def test_state_is_safe_across_threads(threaded_sandbox: SlackSandbox) -> None:
    """Worker threads posting at once: every ts unique, every message stored."""

    def post(n: int) -> None:
        client = web(threaded_sandbox)
        for i in range(10):
            client.chat_postMessage(channel="C0OPS", text=f"{n}-{i}")

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = threaded_sandbox.messages("C0OPS")
    assert len(stored) == 40 and len({m["ts"] for m in stored}) == 40
    assert [m["ts"] for m in stored] == sorted(m["ts"] for m in stored)


class _NoWait:
    def calculate_sleep_duration(self, current_attempt: int) -> float:
        return 0.0


async def test_async_code_in_another_loop_can_use_a_threaded_sandbox(threaded_sandbox: SlackSandbox) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=threaded_sandbox.bot_token, base_url=threaded_sandbox.api_url)
    human = threaded_sandbox.user_says("U0DEV", "D0DEV", "hi")
    await client.chat_postMessage(channel="D0DEV", text="hello from the other loop", thread_ts=human["ts"])
    reply = await threaded_sandbox.wait_for_bot_reply("D0DEV", human["ts"], timeout=2)
    assert reply["text"] == "hello from the other loop"
    assert threaded_sandbox.wait_for_bot_reply_sync("D0DEV", human["ts"], timeout=1)["ts"] == reply["ts"]
