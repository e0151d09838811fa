"""Actions end to end: Slack sandbox → NOX's HTTP app → Dramatiq worker → the real `jira` and
gcsa/googleapiclient clients against loopback Jira and Google Calendar stand-ins, with faults.

Every test asserts an exactly-once outcome in the external system and what the user sees.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr

from jamono.actions import failpoints
from jamono.platform.db import tenant_tx
from jamono.workspaces.credentials import credential_store
from tests.e2e.integrations_rig import UNSET_JIRA, click_payload, jira_connected, save_workspace_settings, service_tag
from tests.plugins.drained import queue_drained
from tests.standins.calendar_api import CalendarStandIn
from tests.standins.jira_api import JiraStandIn

ORGANIZER = "ada@example.com"
INCIDENT_CHANNEL = "C0INCIDENT"
UNSET_GOOGLE = {"organizer_email": None, "has_credentials": False}


pytestmark = pytest.mark.usefixtures("fast_integrations")
_tag = service_tag


_settings = save_workspace_settings


@pytest.fixture
def jira(pool, sandbox_workspace, e2e_settings, worker) -> Iterator[JiraStandIn]:
    """Jira connected for the sandbox workspace, pointed at a fresh stand-in."""
    with jira_connected(pool, sandbox_workspace[1], e2e_settings, INCIDENT_CHANNEL) as standin:
        yield standin


@pytest.fixture
def google(pool, sandbox_workspace, e2e_settings, worker, sandbox) -> Iterator[CalendarStandIn]:
    _, ws = sandbox_workspace
    store = credential_store(e2e_settings)
    sandbox.add_user(
        "U0TOKYO", "kenji", real_name="Kenji Sato", tz="Asia/Tokyo", tz_offset=32400, email="kenji@example.com"
    )
    with CalendarStandIn() as standin:
        info = standin.new_service_account()
        _settings(
            pool,
            ws,
            {
                "google": {
                    "mode": "service_account",
                    "organizer_email": ORGANIZER,
                    "calendar_id": "primary",
                    "has_credentials": True,
                }
            },
        )
        with tenant_tx(pool, ws.tenant_id) as conn:
            store.put(conn, ws.workspace_id, "google_credentials", SecretStr(json.dumps(info)))
            store.set_endpoint(conn, ws.workspace_id, "google", standin.api_endpoint)
        yield standin
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute("DELETE FROM integration_credentials WHERE kind = 'google'")
    _settings(pool, ws, {"google": UNSET_GOOGLE})


def _action_row(pool, workspace, **where):
    clause = " AND ".join(f"{k} = %s" for k in where)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        return conn.execute(f"SELECT * FROM actions WHERE {clause}", list(where.values())).fetchone()


async def _incident_reply(sender, sandbox, text: str, *, channel: str = "C0OPS", thread_ts: str | None = None):
    """Mention NOX about an incident; returns (the mention's thread ts, NOX's reply, its proposal block)."""
    mention = (
        sender.app_mention("U0DEV", channel, text, thread_ts=thread_ts)
        if thread_ts
        else sender.app_mention("U0DEV", channel, text)
    )
    await sender.send_event(mention)
    ts = thread_ts or mention["event"]["ts"]
    seen = (
        {m["ts"] for m in sandbox.bot_messages(channel, thread_ts=ts) if "proposal:" in str(m["blocks"])}
        if thread_ts
        else set()
    )
    replies = await sandbox.wait_for(
        lambda: [
            m
            for m in sandbox.bot_messages(channel, thread_ts=ts)
            if "proposal:" in str(m["blocks"]) and m["ts"] not in seen
        ],
        timeout=20,
    )
    reply = replies[-1]
    proposal = next(b for b in reply["blocks"] if b.get("block_id", "").startswith("proposal:"))
    return ts, reply, proposal


def _said(sandbox, channel: str, ts: str, needle: str) -> list[dict]:
    return [
        m for m in sandbox.bot_messages(channel, thread_ts=ts) if needle in str(m.get("blocks")) + m.get("text", "")
    ]


def _ephemeral(sandbox, user: str, needle: str) -> list[dict]:
    return [e for e in sandbox.ephemerals(user=user) if needle in str(e.get("blocks")) + e.get("text", "")]


async def _settled(sandbox, predicate, timeout: float = 20):
    return await sandbox.wait_for(predicate, timeout=timeout)


# --- tickets -------------------------------------------------------------------------------------


async def test_double_click_and_resent_payload_open_exactly_one_ticket(
    sender, sandbox, pool, sandbox_workspace, jira, broker
):
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer since 10:05"
    )
    click = click_payload(sender, reply, proposal, "propose_ticket")
    responses = await asyncio.gather(
        sender.send_interactive(click), sender.send_interactive(click), sender.send_interactive(click)
    )
    assert all(r.status == 200 for r in responses)
    done = await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    await queue_drained(broker)  # let the other two clicks finish: they must not open or announce anything
    _, ws = sandbox_workspace
    row = _action_row(pool, ws, idempotency_key=f"ticket:{proposal['block_id'].split(':', 1)[1]}")
    assert row["status"] == "done" and row["confirmed_by"] == "U0DEV"
    label = f"nox-fp-{row['fingerprint']}"
    issues = jira.issues_with_label(label)
    assert len(issues) == 1 and len(jira.calls("POST", "/rest/api/2/issue")) == 1
    fields = issues[0].fields
    assert fields["project"] == {"key": "OPS"} and fields["issuetype"] == {"name": "Incident"}
    assert fields["priority"] == {"name": "Highest"}  # critical → Highest (the default mapping)
    assert "nox" in fields["labels"] and svc in fields["summary"]
    assert "Reporter: Dev Eloper" in fields["description"] and "Channel: #ops" in fields["description"]
    assert "Slack thread: [https://" in fields["description"]
    assert len(done) == 1 and issues[0].key in done[0]["text"] and row["external_url"] in done[0]["text"]
    notices = await _settled(
        sandbox, lambda: [m for m in sandbox.bot_messages(INCIDENT_CHANNEL) if issues[0].key in m["text"]]
    )
    assert len(notices) == 1


async def test_priority_mapping_is_the_workspaces(sender, sandbox, pool, sandbox_workspace, jira):
    _, ws = sandbox_workspace
    _settings(pool, ws, {"jira": {"priorities": {"critical": "High", "high": "Medium"}}})
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    assert [i.fields["priority"] for i in jira.issues if svc in i.fields["summary"]] == [{"name": "High"}]
    _settings(pool, ws, {"jira": {"priorities": {"critical": "Highest", "high": "High"}}})


async def test_same_incident_again_comments_on_the_existing_ticket(sender, sandbox, pool, sandbox_workspace, jira):
    svc = _tag()
    ts1, reply1, proposal1 = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply1, proposal1, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts1, "Opened *<"))
    first = jira.issues[-1]
    # Another thread, same service and symptom.
    ts2, reply2, proposal2 = await _incident_reply(
        sender, sandbox, f"urgent: the {svc} service is returning 500 errors on checkout"
    )
    await sender.send_interactive(click_payload(sender, reply2, proposal2, "propose_ticket"))
    said = await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts2, "same incident as"))
    assert first.key in said[0]["text"] and "same service and symptom" in said[0]["text"]
    # The same thread, another report.
    _, reply3, proposal3 = await _incident_reply(
        sender, sandbox, f"still failing: {svc} returns 500 errors to everyone", thread_ts=ts1
    )
    await sender.send_interactive(click_payload(sender, reply3, proposal3, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts1, "same thread"))
    assert [i.key for i in jira.issues if svc in i.fields["summary"]] == [first.key]
    assert len(jira.issue(first.key).comments) == 2
    assert not [m for m in sandbox.bot_messages(INCIDENT_CHANNEL) if "same incident" in m["text"]]


async def test_two_reports_of_one_incident_clicked_at_once_file_one_ticket(
    sender, sandbox, pool, sandbox_workspace, jira
):
    svc = _tag()
    ts1, reply1, proposal1 = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    ts2, reply2, proposal2 = await _incident_reply(
        sender, sandbox, f"urgent: the {svc} service is returning 500 errors on checkout"
    )
    await asyncio.gather(
        sender.send_interactive(click_payload(sender, reply1, proposal1, "propose_ticket")),
        sender.send_interactive(click_payload(sender, reply2, proposal2, "propose_ticket")),
    )
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts1, "*<") and _said(sandbox, "C0OPS", ts2, "*<"))
    issues = [i for i in jira.issues if svc in i.fields["summary"]]
    assert len(issues) == 1 and len(issues[0].comments) == 1
    told = [
        m["text"]
        for ts in (ts1, ts2)
        for m in sandbox.bot_messages("C0OPS", thread_ts=ts)
        if issues[0].key in m["text"]
    ]  # the notes (the replies' own blocks now name the ticket too)
    assert sorted("same incident" in text for text in told) == [False, True]


async def test_unconnected_jira_says_what_it_would_do_and_the_button_works_once_connected(
    sender, sandbox, pool, sandbox_workspace, worker, e2e_settings
):
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    click = click_payload(sender, reply, proposal, "propose_ticket")
    await sender.send_interactive(click)
    told = await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", f"“Prod is down!! {svc}"))
    assert "Jira isn't connected" in told[-1]["text"] and "App Home" in told[-1]["text"]
    assert "priority *Highest*" in told[-1]["text"] and "`nox`" in told[-1]["text"]
    _, ws = sandbox_workspace
    key = f"ticket:{proposal['block_id'].split(':', 1)[1]}"
    assert _action_row(pool, ws, idempotency_key=key)["status"] == "proposed"
    store = credential_store(e2e_settings)
    with JiraStandIn() as standin:  # an admin connects Jira; the same button now opens the ticket
        _settings(
            pool,
            ws,
            {
                "jira": {
                    "url": "https://jira.example.com",
                    "email": standin.email,
                    "project_key": "OPS",
                    "has_token": True,
                }
            },
        )
        with tenant_tx(pool, ws.tenant_id) as conn:
            store.put(conn, ws.workspace_id, "jira_api_token", SecretStr(standin.api_token))
            store.set_endpoint(conn, ws.workspace_id, "jira", standin.url)
        try:
            await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))
            await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
            assert len(standin.issues) == 1 and _action_row(pool, ws, idempotency_key=key)["status"] == "done"
        finally:
            with tenant_tx(pool, ws.tenant_id) as conn:
                conn.execute("DELETE FROM integration_credentials WHERE kind = 'jira'")
            _settings(pool, ws, {"jira": UNSET_JIRA})


async def test_a_crash_after_the_ticket_is_created_does_not_open_a_second(
    sender, sandbox, pool, sandbox_workspace, jira
):
    from jamono.actions.execution import AFTER_CREATE

    failpoints.arm(AFTER_CREATE)
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    _, ws = sandbox_workspace
    row = _action_row(pool, ws, idempotency_key=f"ticket:{proposal['block_id'].split(':', 1)[1]}")
    assert row["attempts"] == 2 and row["status"] == "done"  # the crashed attempt, then the one that found it
    assert len(jira.issues_with_label(f"nox-fp-{row['fingerprint']}")) == 1
    assert len(jira.calls("POST", "/rest/api/2/issue")) == 1


@pytest.mark.parametrize("note", ["announced_at", "notified_at"])
async def test_a_crash_after_slack_took_a_note_does_not_post_it_twice(
    note, sender, sandbox, pool, sandbox_workspace, jira, broker
):
    """The worker dies after Slack accepted the thread note (or the incident-channel note) and
    before NOX recorded it: the retry finds the note by its metadata instead of posting again."""
    from jamono.actions.execution import AFTER_NOTE

    failpoints.arm(f"{AFTER_NOTE}:{note}")
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))
    _, ws = sandbox_workspace
    key = f"ticket:{proposal['block_id'].split(':', 1)[1]}"
    await _settled(sandbox, lambda: (_action_row(pool, ws, idempotency_key=key) or {}).get("notified_at"))
    await queue_drained(broker)  # nothing more may follow
    assert len(jira.issues_with_label(f"nox-fp-{_action_row(pool, ws, idempotency_key=key)['fingerprint']}")) == 1
    assert len(_said(sandbox, "C0OPS", ts, "Opened *<")) == 1
    assert len([m for m in sandbox.bot_messages(INCIDENT_CHANNEL) if svc in m["text"]]) == 1
    assert not failpoints._armed[f"{AFTER_NOTE}:{note}"]  # the crash did happen
    ticket_url = _said(sandbox, "C0OPS", ts, "Opened *<")[0]["text"].split("<", 1)[1].split("|", 1)[0]
    assert not _ephemeral(sandbox, "U0DEV", ticket_url)  # one click: no "Already done" from its own retry


async def test_a_crash_after_jira_took_the_repeat_comment_does_not_comment_twice(
    sender, sandbox, pool, sandbox_workspace, jira, broker
):
    from jamono.actions.execution import AFTER_NOTE

    svc = _tag()
    ts1, reply1, proposal1 = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply1, proposal1, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts1, "Opened *<"))
    first = jira.issues[-1]
    failpoints.arm(f"{AFTER_NOTE}:comment")
    ts2, reply2, proposal2 = await _incident_reply(
        sender, sandbox, f"urgent: the {svc} service is returning 500 errors on checkout"
    )
    await sender.send_interactive(click_payload(sender, reply2, proposal2, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts2, "same incident as"))
    await queue_drained(broker)
    assert not failpoints._armed[f"{AFTER_NOTE}:comment"]  # the crash did happen
    comments = jira.issue(first.key).comments
    assert len(comments) == 1 and comments[0]["body"].endswith(")") and "(ref nox-action-" in comments[0]["body"]
    assert len(_said(sandbox, "C0OPS", ts2, "same incident as")) == 1


@pytest.mark.parametrize("fault", ["500", "429", "429-long", "timeout", "lost-answer"])
async def test_transient_faults_are_retried_into_exactly_one_ticket(
    fault, sender, sandbox, pool, sandbox_workspace, jira
):
    if fault == "500":
        jira.fail_next(1, 500, method="POST", path_contains="/rest/api/2/issue")
    elif fault == "429":
        jira.fail_next(1, 429, retry_after=1, path_contains="/search")
    elif fault == "429-long":  # longer than a worker should sleep: the queue waits instead
        jira.fail_next(1, 429, retry_after=3, path_contains="/search")
    elif fault == "timeout":
        jira.delay_next(1.0, method="POST", path_contains="/rest/api/2/issue")  # the client gives up at 0.5 s
    else:
        jira.crash_after_create(1, mode="drop")
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    _, ws = sandbox_workspace
    row = _action_row(pool, ws, idempotency_key=f"ticket:{proposal['block_id'].split(':', 1)[1]}")
    assert len(jira.issues_with_label(f"nox-fp-{row['fingerprint']}")) == 1 and row["status"] == "done"
    creates = [r.status for r in jira.calls("POST", "/rest/api/2/issue")]
    searches = jira.calls(path_contains="/search")
    if fault == "500":
        assert creates == [500, 201]  # refused without effect, then created on the retry
    elif fault in ("timeout", "lost-answer"):
        # Created once; the client never saw the answer; the retry's search found the ticket.
        assert len(creates) == 1 and len(searches) == 2
    if fault.startswith("429"):
        limited = next(i for i, r in enumerate(searches) if r.status == 429)
        waited = searches[limited + 1].at - searches[limited].at
        assert waited >= (0.95 if fault == "429" else 2.95)  # Retry-After honoured, in the worker or the queue
        assert row["attempts"] == (1 if fault == "429" else 2)


async def test_a_request_jira_refuses_fails_at_once_and_retry_works_after_the_fix(
    sender, sandbox, pool, sandbox_workspace, jira
):
    _, ws = sandbox_workspace
    _settings(pool, ws, {"jira": {"issue_type": "Epic"}})  # not a type of this Jira: 400, not retryable
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))
    failed = await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "couldn't create the Jira ticket"))
    # The field Jira names, in NOX's words; Jira's own sentence is not echoed into Slack.
    assert "check the field issuetype" in failed[0]["text"] and "valid issue type" not in failed[0]["text"]
    row = _action_row(pool, ws, idempotency_key=f"ticket:{proposal['block_id'].split(':', 1)[1]}")
    assert row["status"] == "failed" and row["attempts"] == 1 and "issuetype" in row["last_error"]
    assert len(jira.calls("POST", "/rest/api/2/issue")) == 1
    retry_block = next(b for b in failed[0]["blocks"] if b["type"] == "actions")
    assert retry_block["elements"][0]["action_id"] == "action_retry"
    _settings(pool, ws, {"jira": {"issue_type": "Incident"}})
    click = sender.block_actions(
        "U0DEV",
        [
            {
                "action_id": "action_retry",
                "block_id": retry_block["block_id"],
                "value": retry_block["elements"][0]["value"],
            }
        ],
        channel="C0OPS",
        message_ts=failed[0]["ts"],
    )
    await sender.send_interactive(click)
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    assert len(jira.issues) == 1


async def test_an_outage_ends_in_a_dead_letter_after_bounded_retries(
    sender, sandbox, pool, sandbox_workspace, jira, capsys
):
    from jamono.actions.cli import main as actions_cli

    jira.fail_next(100, 503)
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))
    failed = await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "couldn't create the Jira ticket"), timeout=40)
    assert "temporarily unavailable" in failed[0]["text"]
    _, ws = sandbox_workspace
    row = _action_row(pool, ws, idempotency_key=f"ticket:{proposal['block_id'].split(':', 1)[1]}")
    # JOB_MAX_RETRIES=2 → 3 attempts, each with 1 + 2 in-process tries of the first request.
    assert row["status"] == "failed" and row["attempts"] == 3 and len(jira.requests) == 9 and not jira.issues
    assert actions_cli(["list", "--failed", "--team", ws.team_id]) == 0
    assert str(row["id"]) in capsys.readouterr().out


async def test_message_shortcut_opens_one_ticket(sender, sandbox, pool, sandbox_workspace, jira, broker):
    svc = _tag()
    message = sandbox.user_says("U0DEV", "C0OPS", f"{svc} workers are crashlooping since the 14:00 deploy")
    shortcut = sender.message_action("U0DEV", "jira_from_message", message, "C0OPS")
    await asyncio.gather(sender.send_interactive(shortcut), sender.send_interactive(shortcut))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", message["ts"], "Opened *<"))
    await queue_drained(broker)
    assert len([i for i in jira.issues if svc in i.fields["summary"]]) == 1
    assert len(_said(sandbox, "C0OPS", message["ts"], "Opened *<")) == 1


async def test_nox_incident_modal_validates_then_declares_and_files(sender, sandbox, pool, sandbox_workspace, jira):
    response = await sender.send_command(sender.slash_command("U0DEV", "incident"))
    assert response.status == 200
    views = await _settled(
        sandbox, lambda: [v for v in sandbox.open_views("U0DEV") if v.get("callback_id") == "nox_incident"]
    )
    view = views[-1]
    bad = sender.view_submission(
        "U0DEV",
        "nox_incident",
        {"summary": "bad", "severity": {"type": "static_select", "selected_option": {"value": "high"}}},
        view_id=view["id"],
        private_metadata=view["private_metadata"],
    )
    answer = await sender.send_interactive(bad)
    assert answer.json()["response_action"] == "errors" and "summary" in answer.json()["errors"]
    svc = _tag()
    good = sender.view_submission(
        "U0DEV",
        "nox_incident",
        {
            "summary": f"{svc} database replica lagging 10 minutes",
            "severity": {"type": "static_select", "selected_option": {"value": "high"}},
            "service": svc,
            "details": "replication slot full",
        },
        view_id=view["id"],
        private_metadata=view["private_metadata"],
    )
    assert (await sender.send_interactive(good)).status == 200
    # The modal declares the incident (its own channel, tests/e2e/test_incidents_flow.py); the
    # note in the channel it came from is its origin thread, where the ticket is announced.
    declared = await _settled(
        sandbox,
        lambda: [
            m
            for m in sandbox.bot_messages("C0OPS")
            if f"{svc} database replica" in m["text"] and "Incident declared" in m["text"]
        ],
    )
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", declared[0]["ts"], "Opened *<"), timeout=30)
    issue = next(i for i in jira.issues if svc in i.fields["summary"])
    assert issue.fields["priority"] == {"name": "High"}


async def test_automatic_mode_opens_the_ticket_without_a_click(sender, sandbox, pool, sandbox_workspace, jira):
    _, ws = sandbox_workspace
    _settings(pool, ws, {"action_mode": "automatic"})
    svc = _tag()
    ts, _, _ = await _incident_reply(sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer")
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    assert len([i for i in jira.issues if svc in i.fields["summary"]]) == 1
    row = next(iter(_rows(pool, ws, svc)))
    assert row["confirmed_by"] == "automatic"


def _rows(pool, workspace, marker: str):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        return conn.execute("SELECT * FROM actions WHERE parameters->>'summary' LIKE %s", [f"%{marker}%"]).fetchall()


async def test_dismiss_records_the_decision(sender, sandbox, pool, sandbox_workspace, jira):
    svc = _tag()
    _, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_dismiss"))
    await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", "Dismissed"))
    _, ws = sandbox_workspace
    assert [r["status"] for r in _rows(pool, ws, svc)] == ["dismissed"] and not jira.issues
    # The reply no longer offers a choice, and says who made it.
    answer = await _settled(
        sandbox,
        lambda: [
            m
            for m in sandbox.bot_messages("C0OPS")
            if m["ts"] == reply["ts"] and "Dismissed by <@U0DEV>" in str(m["blocks"])
        ],
    )
    assert not [b for b in answer[0]["blocks"] if str(b.get("block_id", "")).startswith("proposal:")]


async def test_a_filed_ticket_is_no_longer_offered_on_the_reply(sender, sandbox, pool, sandbox_workspace, jira):
    svc = _tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    assert "propose_ticket" in str(proposal)
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    answer = await _settled(
        sandbox,
        lambda: [
            m
            for m in sandbox.bot_messages("C0OPS", thread_ts=ts)
            if m["ts"] == reply["ts"] and "opened by <@U0DEV>" in str(m["blocks"])
        ],
    )
    assert "propose_ticket" not in str(answer[0]["blocks"]) and "feedback_up" in str(answer[0]["blocks"])
    assert jira.issues[-1].key in str(answer[0]["blocks"])


# --- meetings ------------------------------------------------------------------------------------


def _first_common_slot_oracle(now: datetime, duration: timedelta) -> datetime:
    """Paris (UTC+1 in winter) and Tokyo (UTC+9) working days overlap 08:00-09:00 UTC, weekdays."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    while True:
        for minute in range(0, 60, 15):
            start = day.replace(hour=8, minute=minute)
            local_days = {start.astimezone(ZoneInfo(z)).weekday() for z in ("Europe/Paris", "Asia/Tokyo")}
            if start >= now and start + duration <= day.replace(hour=9) and max(local_days) < 5:
                return start
        day += timedelta(days=1)


async def _meeting_reply(sender, sandbox, text: str):
    mention = sender.app_mention("U0DEV", "C0OPS", text)
    await sender.send_event(mention)
    ts = mention["event"]["ts"]
    reply = (
        await sandbox.wait_for(
            lambda: [m for m in sandbox.bot_messages("C0OPS", thread_ts=ts) if "propose_meeting" in str(m["blocks"])],
            timeout=20,
        )
    )[0]
    proposal = next(b for b in reply["blocks"] if b.get("block_id", "").startswith("proposal:"))
    return ts, reply, proposal


async def _open_schedule(sender, sandbox, reply, proposal):
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_meeting"))
    views = await sandbox.wait_for(
        lambda: [v for v in sandbox.open_views("U0DEV") if v.get("callback_id") == "nox_meeting"], timeout=10
    )
    return views[-1]


def _submission(sender, view, *, duration: str = "45", attendees: list[str] | None = None):
    values = {
        "title": _initial(view, "title"),
        "duration": duration,
        "agenda": "",
        "attendees": attendees or _initial_users(view),
    }
    return sender.view_submission(
        "U0DEV", "nox_meeting", values, view_id=view["id"], private_metadata=view["private_metadata"]
    )


def _initial(view, block_id: str) -> str:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"].get("initial_value", "")


def _initial_users(view) -> list[str]:
    return next(b for b in view["blocks"] if b.get("block_id") == "attendees")["element"].get("initial_users", [])


async def test_schedule_books_the_first_common_slot_once_with_meet_and_invitations(
    sender, sandbox, pool, sandbox_workspace, google, broker
):
    ts, reply, proposal = await _meeting_reply(
        sender, sandbox, "we need a meeting with <@U0DEV> and <@U0TOKYO> to review the outage, 45 minutes"
    )
    view = await _open_schedule(sender, sandbox, reply, proposal)
    assert _initial(view, "title") == "Sync: outage" and _initial(view, "duration") == "45"
    assert set(_initial_users(view)) == {"U0DEV", "U0TOKYO"}
    bad = await sender.send_interactive(_submission(sender, view, duration="abc"))
    assert bad.json() == {
        "response_action": "errors",
        "errors": {"duration": "A whole number of minutes between 5 and 480."},
    }
    now = datetime.now(UTC)
    good = _submission(sender, view)
    await asyncio.gather(sender.send_interactive(good), sender.send_interactive(good))
    booked = await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Booked *Sync: outage*"))
    await queue_drained(broker)
    events = google.events_of(ORGANIZER)
    assert len(events) == 1 and len(booked) == 1
    event = events[0]
    assert {a["email"] for a in event["attendees"]} == {"dev@sandbox.invalid", "kenji@example.com"}
    assert google.insert_params[event["id"]]["sendUpdates"] == "all"
    assert event["hangoutLink"].startswith("https://meet.google.com/") and event["hangoutLink"] in booked[0]["text"]
    start = datetime.fromisoformat(event["start"]["dateTime"].replace("Z", "+00:00"))
    assert start == _first_common_slot_oracle(now, timedelta(minutes=45))
    assert event["extendedProperties"]["private"]["nox_fingerprint"].startswith("mtg-")
    answer = next(m for m in sandbox.bot_messages("C0OPS", thread_ts=ts) if m["ts"] == reply["ts"])
    assert "propose_meeting" not in str(answer["blocks"]) and "Meeting booked" in str(answer["blocks"])


async def test_a_crash_after_booking_does_not_book_twice(sender, sandbox, pool, sandbox_workspace, google):
    from jamono.actions.execution import AFTER_CREATE

    failpoints.arm(AFTER_CREATE)
    google.fail_next(1, 429, retry_after=1, path_contains="/freeBusy")
    ts, reply, proposal = await _meeting_reply(
        sender, sandbox, "can we set up a call with <@U0TOKYO> to plan the migration?"
    )
    view = await _open_schedule(sender, sandbox, reply, proposal)
    await sender.send_interactive(_submission(sender, view, duration="30"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Booked *"))
    _, ws = sandbox_workspace
    row = _action_row(pool, ws, idempotency_key=f"meeting:{proposal['block_id'].split(':', 1)[1]}")
    assert row["status"] == "done" and row["attempts"] == 2
    assert len(google.events_of(ORGANIZER)) == 1


async def test_unconnected_calendar_keeps_the_request(sender, sandbox, pool, sandbox_workspace, worker):
    sandbox.add_user("U0TOKYO", "kenji", tz="Asia/Tokyo", tz_offset=32400, email="kenji@example.com")
    ts, reply, proposal = await _meeting_reply(
        sender, sandbox, "can we set up a call with <@U0TOKYO> to plan the migration?"
    )
    view = await _open_schedule(sender, sandbox, reply, proposal)
    await sender.send_interactive(_submission(sender, view, duration="30"))
    told = await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", "Google Calendar isn't connected"))
    assert "30-minute slot" in told[-1]["text"] and "<@U0TOKYO>" in told[-1]["text"]
    _, ws = sandbox_workspace
    row = _action_row(pool, ws, idempotency_key=f"meeting:{proposal['block_id'].split(':', 1)[1]}")
    assert row["status"] == "proposed" and row["parameters"]["duration_min"] == 30


async def test_nox_meeting_opens_the_scheduling_modal(sender, sandbox):
    response = await sender.send_command(sender.slash_command("U0DEV", "meeting postmortem review"))
    assert response.status == 200
    views = await sandbox.wait_for(
        lambda: [v for v in sandbox.open_views("U0DEV") if v.get("callback_id") == "nox_meeting"], timeout=10
    )
    assert _initial(views[-1], "title") == "postmortem review" and _initial_users(views[-1]) == ["U0DEV"]


async def test_a_declared_incident_repeats_the_declarers_words_without_pinging_anyone(sender, sandbox):
    """`/nox incident` text is a member's: `<!channel>`, `<@U…>` and `@here` stay text in NOX's post."""
    response = await sender.send_command(sender.slash_command("U0DEV", "incident"))
    assert response.status == 200
    views = await _settled(
        sandbox, lambda: [v for v in sandbox.open_views("U0DEV") if v.get("callback_id") == "nox_incident"]
    )
    svc = _tag()
    good = sender.view_submission(
        "U0DEV",
        "nox_incident",
        {
            "summary": f"<!channel> {svc} checkout down & <@U0BOSS> paged",
            "severity": {"type": "static_select", "selected_option": {"value": "high"}},
            "service": f"{svc}<!subteam^S0ONCALL>",
            "details": "see <https://evil.example|the runbook> @here",
        },
        view_id=views[-1]["id"],
        private_metadata=views[-1]["private_metadata"],
    )
    assert (await sender.send_interactive(good)).status == 200
    declared = await _settled(
        sandbox,
        lambda: [m for m in sandbox.bot_messages("C0OPS") if svc in m["text"] and "Incident declared" in m["text"]],
    )
    text = declared[0]["text"]
    assert "&lt;!channel&gt;" in text and "&lt;@U0BOSS&gt;" in text and "&amp;" in text
    for markup in ("<!channel>", "<@U0BOSS>", "<!subteam^", "<https://evil", "@here"):
        assert markup not in text
    assert "Incident declared by <@U0DEV>" in text  # our own mention still works


async def test_who_may_confirm_the_requester_and_admins_never_guests(sender, sandbox, pool, sandbox_workspace, jira):
    """A member who did not ask cannot open the ticket; a guest cannot even when listed as a NOX
    admin; a Slack admin can. Decided from users.info at the click."""
    _, ws = sandbox_workspace
    member, guest, admin = (f"U0{kind}{uuid.uuid4().hex[:5].upper()}" for kind in ("MEM", "GST", "ADM"))
    sandbox.add_user(member, "member", locale="en-US")
    sandbox.add_user(guest, "guest", locale="en-US", is_restricted=True)
    sandbox.add_user(admin, "admin", locale="en-US", is_admin=True)
    _settings(pool, ws, {"admins": [guest]})
    try:
        svc = _tag()
        ts, reply, proposal = await _incident_reply(
            sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
        )
        await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket", user=member))
        await _settled(sandbox, lambda: _ephemeral(sandbox, member, "Only <@U0DEV>, who asked, or a NOX admin"))
        await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket", user=guest))
        await _settled(sandbox, lambda: _ephemeral(sandbox, guest, "Guests cannot confirm"))
        # Dismissing is deciding too.
        await sender.send_interactive(click_payload(sender, reply, proposal, "propose_dismiss", user=member))
        await _settled(sandbox, lambda: len(_ephemeral(sandbox, member, "Only <@U0DEV>, who asked")) == 2)
        assert not [i for i in jira.issues if svc in i.fields["summary"]]
        assert next(iter(_rows(pool, ws, svc)))["status"] == "proposed"
        await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket", user=admin))
        await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
        assert len([i for i in jira.issues if svc in i.fields["summary"]]) == 1
        assert next(iter(_rows(pool, ws, svc)))["confirmed_by"] == admin
    finally:
        _settings(pool, ws, {"admins": []})
