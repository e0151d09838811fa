"""Plan limits on every answering path, and daily budgets with one clear notice per person.

Through the production path: signed requests → the web app → the queue → a real worker → the
Slack sandbox (ephemeral answers through the command's response_url)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
import redis
from psycopg.rows import dict_row

from jamono.queue.names import ANSWER_QUEUES, NOX_QUEUE


@pytest.fixture
def admin(admin_database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(admin_database_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn


def _people(admin, tenant_id) -> int:
    return admin.execute(
        "SELECT count(*) AS n FROM (SELECT DISTINCT workspace_id, user_id FROM agent_interactions"
        " WHERE tenant_id = %s AND created_at > now() - interval '30 days') u",
        [tenant_id],
    ).fetchone()["n"]


async def _someone_known(sender, sandbox, admin, tenant_id) -> int:
    """At least one person counted this month (the plan's limit is at least 1)."""
    if _people(admin, tenant_id) == 0:
        known = sender.dm("U0DEV", "how do I roll back a deployment?")
        assert (await sender.send_event(known)).status == 200
        await sandbox.wait_for_bot_reply(
            known["event"]["channel"],
            thread_ts=known["event"]["ts"],
            predicate=lambda m: "actions" in str(m.get("blocks")),
            timeout=30,
        )
    return await sandbox.wait_for(lambda: _people(admin, tenant_id), timeout=10)


async def test_nox_ask_and_kb_search_hold_the_plans_monthly_people(sender, sandbox, admin, sandbox_workspace):
    """`/nox ask` used to answer anyone: the monthly people limit guarded mentions and DMs only."""
    _, ws = sandbox_workspace
    used = await _someone_known(sender, sandbox, admin, ws.tenant_id)
    admin.execute("UPDATE tenants SET max_users = %s WHERE id = %s", [used, ws.tenant_id])
    try:
        newcomer = "U0ASK" + uuid.uuid4().hex[:5].upper()
        sandbox.add_user(newcomer, "asker", locale="en-US")
        for text in ("ask how do I restart a crashed pod?", "kb search crashed pod"):
            before = len(sandbox.ephemerals(user=newcomer))
            assert (await sender.send_command(sender.slash_command(newcomer, text))).status == 200
            said = await sandbox.wait_for(lambda seen=before: sandbox.ephemerals(user=newcomer)[seen:], timeout=30)
            assert f"covers {used} people a month" in str(said[-1])
        await asyncio.sleep(0.5)
        assert not [e for e in sandbox.ephemerals(user=newcomer) if "actions" in str(e.get("blocks"))]
        rows = admin.execute(
            "SELECT count(*) AS n FROM agent_interactions WHERE tenant_id = %s AND user_id = %s",
            [ws.tenant_id, newcomer],
        ).fetchone()["n"]
        assert rows == 0
    finally:
        admin.execute("UPDATE tenants SET max_users = 50 WHERE id = %s", [ws.tenant_id])


@pytest.fixture
def budget_runtime(e2e_settings, worker, broker, redis_url, sandbox_workspace):
    """The worker's runtime with small daily budgets (a single workspace enforces them when set)."""
    from jamono.container import Runtime, get_runtime, set_runtime

    _, ws = sandbox_workspace
    client = redis.Redis.from_url(redis_url)
    key = f"jamono:use:{ws.tenant_id}:{datetime.now(UTC):%Y%m%d}"
    before = get_runtime()
    runtime = Runtime(e2e_settings.model_copy(update={"daily_budgets": "free=3:1000"}))
    set_runtime(runtime)
    yield client, key
    # every answers shard first (a retry must not outlive its test), then the rest, then the answers again
    for queue in (*ANSWER_QUEUES, NOX_QUEUE, *ANSWER_QUEUES):
        broker.join(queue, timeout=20_000)
    set_runtime(before)
    runtime.close()
    client.delete(key)
    for notice in (
        *client.scan_iter(f"jamono:use-notice:{ws.tenant_id}:*"),
        *client.scan_iter(f"jamono:use-jobs:{ws.tenant_id}:*"),
    ):
        client.delete(notice)


def _event_status(admin, event_id: str) -> str | None:
    row = admin.execute("SELECT status FROM slack_events WHERE event_id = %s", [event_id]).fetchone()
    return row["status"] if row else None


async def _mention(sender, user: str, channel: str, text: str) -> dict:
    envelope = sender.app_mention(user, channel, text)
    assert (await sender.send_event(envelope)).status == 200
    return envelope


async def test_a_spent_daily_budget_is_said_once_per_person_in_their_language(
    sender, sandbox, admin, budget_runtime
) -> None:
    client, key = budget_runtime
    client.hset(key, mapping={"answers": 3, "tokens": 0})  # today's 3 answers are used
    english, french = "U0BUDEN" + uuid.uuid4().hex[:4].upper(), "U0BUDFR" + uuid.uuid4().hex[:4].upper()
    sandbox.add_user(english, "budget-en", locale="en-US")
    sandbox.add_user(french, "budget-fr", locale="fr-FR")

    first = await _mention(sender, english, "C0OPS", "how do I roll back a deployment?")
    notice = await sandbox.wait_for_bot_reply("C0OPS", thread_ts=first["event"]["ts"], timeout=30)
    assert "daily allowance on the free plan (3 answers)" in notice["text"]
    assert "You won't see this notice again today" in notice["text"]

    again = await _mention(sender, english, "C0OPS", "and how do I check the rollout status?")
    await sandbox.wait_for(lambda: _event_status(admin, again["event_id"]) == "answered", timeout=30)
    await asyncio.sleep(0.3)
    assert sandbox.bot_messages("C0OPS", thread_ts=again["event"]["ts"]) == [], "told once, then quiet"

    other = await _mention(sender, french, "C0OPS", "comment redémarrer un pod qui plante en boucle ?")
    notice = await sandbox.wait_for_bot_reply("C0OPS", thread_ts=other["event"]["ts"], timeout=30)
    assert "allocation quotidienne" in notice["text"] and "3 réponses" in notice["text"]

    assert client.hget(key, "answers") == b"3", "refusals are not counted as answers"


async def test_spent_llm_tokens_refuse_answers_too(sender, sandbox, budget_runtime) -> None:
    client, key = budget_runtime
    client.hset(key, mapping={"answers": 0, "tokens": 1000})
    user = "U0TOK" + uuid.uuid4().hex[:5].upper()
    sandbox.add_user(user, "tokens", locale="en-US")
    asked = await _mention(sender, user, "C0OPS", "postgres refuses connections: too many clients")
    notice = await sandbox.wait_for_bot_reply("C0OPS", thread_ts=asked["event"]["ts"], timeout=30)
    assert "(1,000 language-model tokens)" in notice["text"]


async def test_a_job_dramatiq_retries_is_charged_once(sender, sandbox, admin, budget_runtime) -> None:
    """The placeholder's post fails once: Dramatiq retries the job on the real broker, and the
    answer it then gives is counted once (each attempt used to charge the budget again)."""
    client, key = budget_runtime
    client.hset(key, mapping={"answers": 1, "tokens": 0})
    user = "U0RETRY" + uuid.uuid4().hex[:4].upper()
    sandbox.add_user(user, "retry", locale="en-US")
    sandbox.fail_next("chat.postMessage", error="fatal_error")
    asked = await _mention(sender, user, "C0OPS", "how do I roll back a deployment?")
    await sandbox.wait_for(lambda: _event_status(admin, asked["event_id"]) == "answered", timeout=60)
    row = admin.execute("SELECT attempts FROM slack_events WHERE event_id = %s", [asked["event_id"]]).fetchone()
    assert row["attempts"] == 2, "the first attempt failed and Dramatiq retried it"
    assert "actions" in str(sandbox.bot_messages("C0OPS", thread_ts=asked["event"]["ts"])[-1].get("blocks"))
    assert client.hget(key, "answers") == b"2", "one answer, charged once"
