"""Worker-side Slack flows end to end: /nox ask and kb search, saving to the knowledge base from
the modal and from a message, and 👍/👎 feedback that re-ranks sources."""

from __future__ import annotations

import uuid

from jamono.platform.db import tenant_tx


def _ephemeral(sandbox, user: str, needle: str):
    found = [
        e for e in sandbox.ephemerals(user=user) if needle.lower() in (str(e.get("blocks")) + e.get("text", "")).lower()
    ]
    return found or None


async def test_nox_ask_answers_ephemerally_from_the_runbooks(sender, sandbox, pool, sandbox_workspace):
    response = await sender.send_command(
        sender.slash_command("U0DEV", "ask how do I roll back a Kubernetes deployment")
    )
    assert response.status == 200 and "Looking" in response.body
    answers = await sandbox.wait_for(lambda: _ephemeral(sandbox, "U0DEV", "rollout undo"), timeout=15)
    assert any(b["type"] == "actions" for b in answers[-1]["blocks"])
    _, workspace = sandbox_workspace

    def recorded() -> int:
        with tenant_tx(pool, workspace.tenant_id) as conn:
            return conn.execute(
                "SELECT count(*) AS n FROM agent_interactions WHERE message_type = 'slash_command' AND message LIKE %s",
                ["%roll back a Kubernetes%"],
            ).fetchone()["n"]

    assert await sandbox.wait_for(recorded, timeout=5) == 1


async def test_kb_search_lists_hits_and_says_when_nothing_matches(sender, sandbox):
    await sender.send_command(sender.slash_command("U0DEV", "kb search pods stuck in pending"))
    hits = await sandbox.wait_for(lambda: _ephemeral(sandbox, "U0DEV", ":mag: *pods stuck in pending*"), timeout=15)
    assert "bundled/" in str(hits[-1]["blocks"])
    await sender.send_command(sender.slash_command("U0DEV", "kb search xqzvbn plorf wuggle"))
    await sandbox.wait_for(lambda: _ephemeral(sandbox, "U0DEV", "Nothing in the knowledge base matches"), timeout=15)


async def test_a_document_saved_from_the_modal_is_used_in_answers(sender, sandbox):
    marker = f"zorglub-{uuid.uuid4().hex[:6]}"
    submission = sender.view_submission(
        "U0DEV",
        "kb_add",
        {
            "title": {"value": {"type": "plain_text_input", "value": f"Restarting the {marker} billing worker"}},
            "content": {
                "value": {
                    "type": "plain_text_input",
                    "value": f"When the {marker} billing worker is stuck, run `systemctl restart {marker}-worker` "
                    "and check that the invoices queue drains within five minutes.",
                }
            },
            "tags": {"value": {"type": "plain_text_input", "value": "billing"}},
        },
        private_metadata="C0OPS",
    )
    assert (await sender.send_interactive(submission)).status == 200
    await sandbox.wait_for(lambda: _ephemeral(sandbox, "U0DEV", "Saved"), timeout=30)
    mention = sender.app_mention("U0DEV", "C0OPS", f"the {marker} billing worker is stuck, how do I restart it?")
    await sender.send_event(mention)
    reply = await sandbox.wait_for(
        lambda: [
            m
            for m in sandbox.bot_messages("C0OPS", thread_ts=mention["event"]["ts"])
            if f"{marker}-worker" in str(m["blocks"])
        ],
        timeout=15,
    )
    assert "Restarting the" in str(reply[0]["blocks"])


async def test_a_thread_saved_with_the_shortcut_becomes_a_document(sender, sandbox, pool, sandbox_workspace):
    root = sandbox.user_says("U0DEV", "C0OPS", "the nightly export failed: bucket quota exceeded")
    sandbox.user_says(
        "U0DEV", "C0OPS", "fixed by raising the quota to 2 TB in the storage console", thread_ts=root["ts"]
    )
    shortcut = sender.message_action("U0DEV", "kb_save_message", root, "C0OPS")
    assert (await sender.send_interactive(shortcut)).status == 200
    await sandbox.wait_for(lambda: _ephemeral(sandbox, "U0DEV", "nightly export failed"), timeout=30)
    _, workspace = sandbox_workspace
    with tenant_tx(pool, workspace.tenant_id) as conn:
        doc = conn.execute(
            "SELECT origin, content, url FROM knowledge_documents WHERE title LIKE %s", ["the nightly export failed%"]
        ).fetchone()
    assert doc["origin"] == "slack" and "raising the quota" in doc["content"] and doc["url"].startswith("https://")


async def test_thumbs_down_is_recorded_and_demotes_the_sources(sender, sandbox, pool, sandbox_workspace):
    from jamono.conversation.exchanges import demoted_documents

    mention = sender.app_mention("U0DEV", "C0OPS", "how do I debug a pod in CrashLoopBackOff?")
    await sender.send_event(mention)
    ts = mention["event"]["ts"]
    reply = (
        await sandbox.wait_for(
            lambda: [
                m
                for m in sandbox.bot_messages("C0OPS", thread_ts=ts)
                if any(b["type"] == "actions" for b in m["blocks"])
            ],
            timeout=15,
        )
    )[0]
    buttons = next(b for b in reply["blocks"] if b["type"] == "actions")
    down = next(e for e in buttons["elements"] if e["action_id"] == "feedback_down")
    click = sender.block_actions(
        "U0DEV",
        [{"action_id": "feedback_down", "block_id": buttons["block_id"], "value": down["value"]}],
        channel="C0OPS",
        message_ts=reply["ts"],
    )
    assert (await sender.send_interactive(click)).status == 200
    await sandbox.wait_for(lambda: _ephemeral(sandbox, "U0DEV", "rank those sources lower"), timeout=15)
    _, workspace = sandbox_workspace
    with tenant_tx(pool, workspace.tenant_id) as conn:
        row = conn.execute(
            "SELECT user_satisfaction, metadata->'sources' AS sources FROM agent_interactions WHERE id = %s",
            [down["value"]],
        ).fetchone()
    assert row["user_satisfaction"] == -1
    with tenant_tx(pool, workspace.tenant_id) as conn:
        demoted = demoted_documents(conn)
    assert {str(d) for d in demoted} >= set(row["sources"]) and row["sources"]


def test_a_vote_that_beats_its_interaction_row_is_retried_not_dropped(worker, sandbox_workspace, monkeypatch):
    import pytest

    from jamono.container import get_runtime
    from jamono.conversation import exchanges
    from jamono.conversation.exchanges import InteractionNotRecordedYet
    from jamono.conversation.votes import handle_feedback
    from jamono.slack.payloads import FeedbackJob

    monkeypatch.setattr(exchanges, "RECORD_WAIT_S", 0.2)
    job = FeedbackJob(team_id="T0SANDBOX", user="U0DEV", channel="C0OPS", interaction_id=uuid.uuid4(), vote=-1)
    with pytest.raises(InteractionNotRecordedYet):
        handle_feedback(get_runtime(), job)


def test_a_vote_that_beats_its_row_by_a_moment_is_recorded_in_the_same_attempt(worker, sandbox_workspace, pool):
    """The answer is visible just before its row commits: the click waits instead of spending a retry."""
    import threading
    import time

    from jamono.container import get_runtime
    from jamono.conversation.exchanges import interaction_id, record_interaction
    from jamono.conversation.votes import handle_feedback
    from jamono.slack.payloads import FeedbackJob, MessageJob

    _, ws = sandbox_workspace
    message = MessageJob(
        event_id=f"Ev{uuid.uuid4().hex[:10]}",
        team_id="T0SANDBOX",
        message_type="app_mention",
        user="U0DEV",
        channel="C0OPS",
        text="is the vpn down?",
        ts="1700000000.000100",
    )

    def commit_later() -> None:
        time.sleep(0.3)
        with tenant_tx(pool, ws.tenant_id) as conn:
            record_interaction(
                conn, ws, message, reply_ts="1700000000.000200", response="maybe", response_time_ms=5, success=True
            )

    late = threading.Thread(target=commit_later)
    late.start()
    row_id = interaction_id(ws, message.event_id)
    handle_feedback(
        get_runtime(), FeedbackJob(team_id="T0SANDBOX", user="U0DEV", channel="C0OPS", interaction_id=row_id, vote=1)
    )
    late.join()
    with tenant_tx(pool, ws.tenant_id) as conn:
        assert (
            conn.execute("SELECT user_satisfaction FROM agent_interactions WHERE id = %s", [row_id]).fetchone()[
                "user_satisfaction"
            ]
            == 1
        )


async def test_an_incident_proposes_a_ticket_and_a_click_is_kept_until_jira_is_connected(
    sender, sandbox, pool, sandbox_workspace
):
    mention = sender.app_mention(
        "U0DEV", "C0OPS", "prod is down!! checkout api returns 502 for every customer since 10:05"
    )
    await sender.send_event(mention)
    ts = mention["event"]["ts"]
    reply = (
        await sandbox.wait_for(
            lambda: [m for m in sandbox.bot_messages("C0OPS", thread_ts=ts) if "proposal:" in str(m["blocks"])],
            timeout=15,
        )
    )[0]
    assert reply["blocks"][0]["type"] == "header"  # the triage block
    proposal = next(b for b in reply["blocks"] if b.get("block_id", "").startswith("proposal:"))
    assert [e["action_id"] for e in proposal["elements"]][0] == "propose_ticket"
    ticket = proposal["elements"][0]
    click = sender.block_actions(
        "U0DEV",
        [{"action_id": "propose_ticket", "block_id": proposal["block_id"], "value": ticket["value"]}],
        channel="C0OPS",
        message_ts=reply["ts"],
    )
    assert (await sender.send_interactive(click)).status == 200
    told = await sandbox.wait_for(
        lambda: _ephemeral(sandbox, "U0DEV", "“Prod is down!! checkout api returns 502"), timeout=15
    )
    assert "Jira isn't connected" in told[-1]["text"]
    _, workspace = sandbox_workspace
    with tenant_tx(pool, workspace.tenant_id) as conn:
        kept = conn.execute(
            "SELECT status, proposed_by FROM actions WHERE idempotency_key = %s", [f"ticket:{ticket['value']}"]
        ).fetchone()
    assert kept == {"status": "proposed", "proposed_by": "U0DEV"}


async def test_a_failed_save_says_what_failed_in_our_words_not_the_exceptions(sender, sandbox):
    """PostgreSQL refuses text with NUL bytes; its error message (any library's) is not for Slack."""
    marker = f"nulbyte-{uuid.uuid4().hex[:6]}"
    submission = sender.view_submission(
        "U0DEV",
        "kb_add",
        {
            "title": {"value": {"type": "plain_text_input", "value": f"Broken {marker}"}},
            "content": {"value": {"type": "plain_text_input", "value": f"{marker} has a NUL \x00 byte in the middle"}},
            "tags": {"value": {"type": "plain_text_input", "value": ""}},
        },
        private_metadata="C0OPS",
    )
    assert (await sender.send_interactive(submission)).status == 200
    said = await sandbox.wait_for(lambda: _ephemeral(sandbox, "U0DEV", f"Broken {marker}"), timeout=30)
    text = str(said[-1].get("text"))
    assert "couldn't save" in text and "database" in text.lower()
    assert "NUL" not in text and "0x00" not in text and "PostgreSQL" not in text


async def test_kb_search_echoes_the_query_as_text_not_markup(sender, sandbox):
    marker = f"qq{uuid.uuid4().hex[:8]}"
    await sender.send_command(sender.slash_command("U0DEV", f"kb search <!here> {marker} <@U0BOSS>"))
    said = await sandbox.wait_for(lambda: _ephemeral(sandbox, "U0DEV", marker), timeout=15)
    shown = str(said[-1]["blocks"]) + said[-1].get("text", "")
    assert "&lt;!here&gt;" in shown and "<!here>" not in shown and "<@U0BOSS>" not in shown
