"""The browser playground over HTTP, against the real NOX (app + Redis + worker + sandbox): what the
page shows comes from the sandbox's state, what it sends goes through the real path. The same
page in headless Chromium is tests/e2e/test_playground_in_chromium.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from jamono.platform.settings import SANDBOX_SIGNING_SECRET
from jamono.sandbox.playground import CSP


class Page:
    """What the page's script does, as plain HTTP."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url = http, url
        self.origin = url.split("/playground")[0]

    async def state(self, user: str = "U0DEV", channel: str = "", thread: str = "") -> dict[str, Any]:
        async with self.http.get(f"{self.url}/state", params={"as": user, "channel": channel, "thread": thread}) as r:
            assert r.status == 200
            return await r.json()

    async def post(self, path: str, body: dict[str, Any], *, origin: str | None = None) -> tuple[int, dict[str, Any]]:
        headers = {"Content-Type": "application/json", "Origin": origin or self.origin}
        async with self.http.post(f"{self.url}/{path}", data=json.dumps(body), headers=headers) as r:
            return r.status, await r.json()

    async def until(self, predicate, *, timeout: float = 30.0, **query: str) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            snap = await self.state(**query)
            if predicate(snap):
                return snap
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out; last state: {json.dumps(snap)[:3000]}")
            await asyncio.sleep(0.2)


@pytest.fixture
async def page(sandbox, nox_url) -> AsyncIterator[Page]:
    url = sandbox.enable_playground(f"{nox_url}/slack/events", SANDBOX_SIGNING_SECRET)
    async with aiohttp.ClientSession() as http:
        yield Page(http, url)
    sandbox.disable_playground()


async def test_the_page_is_strict_and_refuses_requests_from_elsewhere(page, sandbox):
    async with page.http.get(page.url) as response:
        html = await response.text()
        assert response.status == 200
        assert response.headers["Content-Security-Policy"] == CSP and response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in CSP and "script-src 'self'" in CSP and "unsafe" not in CSP
    assert "http://" not in html and "https://" not in html  # no external resource at all
    for name in ("app.js", "app.css"):
        async with page.http.get(f"{page.url}/static/{name}") as response:
            assert response.status == 200 and "https://" not in await response.text()
    status, _ = await page.post("say", {"as": "U0DEV", "channel": "D0DEV", "text": "hi"}, origin="http://evil.example")
    assert status == 403
    async with page.http.post(
        f"{page.url}/say", data={"as": "U0DEV", "text": "hi"}, headers={"Origin": page.origin}
    ) as response:
        assert response.status == 415  # a cross-site form can only send forms
    async with page.http.get(page.url, headers={"Host": "nox.attacker.example"}) as response:
        assert response.status == 404  # DNS rebinding: only loopback names
    saved, sandbox.playground = sandbox.playground, None
    try:
        async with page.http.get(page.url) as response:
            assert response.status == 404  # not enabled: not served
    finally:
        sandbox.playground = saved


def forget_vote(pool, sandbox_workspace, interaction_id: str) -> None:
    """Leave no vote behind: other tests count this workspace's 👍/👎 (demoted sources)."""
    from jamono.platform.db import tenant_tx

    _, workspace = sandbox_workspace
    with tenant_tx(pool, workspace.tenant_id) as conn:
        conn.execute("UPDATE agent_interactions SET user_satisfaction = NULL WHERE id = %s", [interaction_id])


async def test_a_question_is_answered_with_sources_and_a_thumbs_up_reaches_nox(page, sandbox, pool, sandbox_workspace):
    status, sent = await page.post(
        "say", {"as": "U0DEV", "channel": "D0DEV", "text": "how do I roll back a Kubernetes deployment?"}
    )
    assert status == 200 and sent["status"] == 200
    # NOX answers in the question's thread, even in a DM.
    snap = await page.until(lambda s: s["thread"] and "Sources:" in s["thread"], channel="D0DEV", thread=sent["ts"])
    assert "rollout undo" in snap["thread"] and 'data-action-id="feedback_up"' in snap["thread"]
    assert "1 reply" in snap["messages"]
    answer = max(sandbox.bot_messages("D0DEV", sent["ts"]), key=lambda m: m["ts"])
    up = next(
        e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "feedback_up"
    )
    block = next(b["block_id"] for b in answer["blocks"] if up in b.get("elements", []))
    status, clicked = await page.post(
        "action",
        {
            "as": "U0DEV",
            "channel": "D0DEV",
            "ts": answer["ts"],
            "action": {"action_id": "feedback_up", "block_id": block, "value": up.get("value")},
        },
    )
    assert status == 200 and clicked["status"] == 200
    try:
        # NOX records the vote, then thanks this person only.
        snap = await page.until(lambda s: "glad it helped" in s["messages"], channel="D0DEV")
        assert "Only visible to you" in snap["messages"]
    finally:
        forget_vote(pool, sandbox_workspace, up["value"])


async def test_hostile_text_is_shown_as_text(page, sandbox):
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)>"
    await page.post("say", {"as": "U0DEV", "channel": "C0OPS", "text": hostile})
    snap = await page.until(lambda s: "alert(1)" in s["messages"], channel="C0OPS")
    assert "<script>" not in snap["messages"] and "<img" not in snap["messages"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snap["messages"]


async def test_an_incident_declared_through_the_modal_shows_nox_s_errors_in_it(page, sandbox):
    status, sent = await page.post("say", {"as": "U0DEV", "channel": "C0OPS", "text": "/nox incident"})
    assert status == 200 and sent["status"] == 200
    snap = await page.until(lambda s: s["modal"] is not None, channel="C0OPS")
    modal = snap["modal"]
    assert "What is happening?" in modal["html"] and modal["title"] == "Declare an incident" and modal["submit"]
    values = {
        "summary": {"value": {"type": "plain_text_input", "value": "db"}},
        "severity": {
            "value": {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "High"}, "value": "high"},
            }
        },
    }
    status, answered = await page.post("submit", {"as": "U0DEV", "view_id": modal["id"], "values": values})
    assert status == 200 and answered["errors"] == {"summary": "Describe it in 5 to 200 characters."}
    snap = await page.state(channel="C0OPS")
    assert 'role="alert">Describe it in 5 to 200 characters.</div>' in snap["modal"]["html"]
    assert 'value="db"' in snap["modal"]["html"]  # what was typed stays
    values["summary"]["value"]["value"] = "checkout database is down"
    status, answered = await page.post("submit", {"as": "U0DEV", "view_id": modal["id"], "values": values})
    assert status == 200 and "errors" not in answered
    await page.until(lambda s: s["modal"] is None, channel="C0OPS")
    await sandbox.wait_for(
        lambda: any("checkout database is down" in json.dumps(m) for m in sandbox.bot_messages()), timeout=30
    )


async def test_the_app_home_as_an_admin_and_as_a_member(page, sandbox):
    status, _ = await page.post("home", {"as": "U0ADMIN"})
    assert status == 200
    admin = await page.until(
        lambda s: s["home_id"] is not None and "bk-button" in s["home"], user="U0ADMIN", channel="home"
    )
    await page.post("home", {"as": "U0DEV"})
    member = await page.until(lambda s: s["home_id"] is not None, channel="home")
    assert admin["home"] != member["home"]
    assert admin["home"].count("bk-button") > member["home"].count("bk-button")


async def test_reactions_pins_and_bookmarks_show_and_update_live(page, sandbox):
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    posted = await client.chat_postMessage(channel="C0OPS", text=":rotating_light: Incident card")
    seq = (await page.state(channel="C0OPS"))["seq"]
    await client.reactions_add(channel="C0OPS", timestamp=posted["ts"], name="eyes")
    await client.pins_add(channel="C0OPS", timestamp=posted["ts"])
    await client.bookmarks_add(channel_id="C0OPS", title="Runbook <b>", type="link", link="https://runbooks.example/db")
    with pytest.raises(SlackApiError, match="invalid_link"):
        await client.bookmarks_add(channel_id="C0OPS", title="x", type="link", link="javascript:alert(1)")
    snap = await page.until(lambda s: "📌 Pinned" in s["messages"] and s["bookmarks"], channel="C0OPS")
    assert snap["seq"] > seq  # each of them is a change the page hears about
    assert '<span class="reaction" title="nox">👀 1</span>' in snap["messages"]
    assert (
        '<a href="https://runbooks.example/db" target="_blank" rel="noopener noreferrer">Runbook &lt;b&gt;</a>'
        in snap["bookmarks"]
    )
    assert (await client.pins_list(channel="C0OPS"))["items"][0]["message"]["ts"] == posted["ts"]


async def test_a_message_shortcut_reaches_nox(page, sandbox):
    status, sent = await page.post("say", {"as": "U0DEV", "channel": "C0OPS", "text": "checkout is failing with 502s"})
    assert status == 200, sent
    snap = await page.until(lambda s: sent["ts"] in s["messages"], channel="C0OPS")
    assert 'value="jira_from_message">Create Jira ticket from this message</option>' in snap["messages"]
    before = len(sandbox.ephemerals("C0OPS", "U0DEV"))
    status, answered = await page.post(
        "shortcut", {"as": "U0DEV", "channel": "C0OPS", "ts": sent["ts"], "callback_id": "jira_from_message"}
    )
    assert status == 200 and answered["status"] == 200
    # NOX answers the shortcut (Jira is not connected here: it says so, to this person only).
    await sandbox.wait_for(
        lambda: sandbox.open_views("U0DEV") or len(sandbox.ephemerals("C0OPS", "U0DEV")) > before, timeout=30
    )
    status, _ = await page.post(
        "shortcut", {"as": "U0DEV", "channel": "C0OPS", "ts": sent["ts"], "callback_id": "not_in_the_manifest"}
    )
    assert status == 400


async def test_an_open_event_stream_does_not_hold_the_sandbox_up():
    """`make run`'s Ctrl-C stops the sandbox at once even with a playground tab still open."""
    import time

    from jamono.sandbox import SandboxThread

    thread = SandboxThread()
    sandbox = thread.start()
    url = sandbox.enable_playground("http://127.0.0.1:9/slack/events", SANDBOX_SIGNING_SECRET)
    async with aiohttp.ClientSession() as http, http.get(url + "/events") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert (await stream.content.readline()).startswith(b"event: change")
        started = time.monotonic()
        await asyncio.to_thread(thread.stop)
        assert time.monotonic() - started < 5


async def test_a_meeting_through_the_modal_with_nox_s_error_then_accepted(page, sandbox):
    status, sent = await page.post("say", {"as": "U0DEV", "channel": "C0OPS", "text": "/nox meeting DB postmortem"})
    assert status == 200 and sent["status"] == 200
    modal = (await page.until(lambda s: s["modal"] is not None, channel="C0OPS"))["modal"]
    assert 'value="DB postmortem"' in modal["html"] and "multiple" in modal["html"]  # attendees: a multi-select
    values = {
        "title": {"value": {"type": "plain_text_input", "value": "DB postmortem"}},
        "duration": {"value": {"type": "plain_text_input", "value": "two hours"}},
        "attendees": {"value": {"type": "multi_users_select", "selected_users": ["U0DEV", "U0ADMIN"]}},
        "agenda": {"value": {"type": "plain_text_input", "value": None}},
    }
    status, answered = await page.post("submit", {"as": "U0DEV", "view_id": modal["id"], "values": values})
    assert status == 200 and answered["errors"] == {"duration": "A whole number of minutes between 5 and 480."}
    html = (await page.state(channel="C0OPS"))["modal"]["html"]
    assert 'role="alert">A whole number of minutes between 5 and 480.</div>' in html
    assert '<option value="U0ADMIN" selected>' in html  # the attendees chosen stay chosen
    values["duration"]["value"]["value"] = "45"
    status, answered = await page.post("submit", {"as": "U0DEV", "view_id": modal["id"], "values": values})
    assert status == 200 and "errors" not in answered
    await page.until(lambda s: s["modal"] is None, channel="C0OPS")
