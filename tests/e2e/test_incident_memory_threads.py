"""Incident memory where slash commands cannot go, end to end (signed requests → NOX → the Dramatiq
worker → the Slack sandbox, the Google Calendar stand-in): `@nox similar` and the "Find similar
incidents" shortcut inside threads, an admin publishing a private incident's lesson, and a meeting
booked from an incident's channel on its timeline once. English and French; privacy kept.
"""

from __future__ import annotations

import asyncio

import pytest

from jamono.actions import failpoints
from jamono.platform.db import tenant_tx
from tests.e2e.integrations_rig import click_payload, service_tag
from tests.e2e.test_actions_flow import ORGANIZER, _submission
from tests.e2e.test_actions_flow import google as google_fixture
from tests.e2e.test_incident_memory import _memory, _say
from tests.e2e.test_incidents_flow import _command, _declare_by_button, _events, _incident_settings, _triage
from tests.e2e.test_incidents_flow import no_jira as no_jira_fixture
from tests.standins.calendar_api import CalendarStandIn

no_jira = no_jira_fixture
google = google_fixture
pytestmark = pytest.mark.usefixtures("fast_integrations")


async def _resolved(sender, sandbox, pool, ws, report: str, said: str, fix: str, *, private: bool = False) -> dict:
    """An incident declared, talked about and resolved: its memory once NOX learned it."""
    if private:
        _incident_settings(pool, ws, {"private_channels": True})
    try:
        _, _, row = await _declare_by_button(sender, sandbox, pool, ws, report)
    finally:
        if private:
            _incident_settings(pool, ws, None)
    await _say(sender, row["channel_id"], "U0DEV", said)
    await _command(sender, "U0DEV", row["channel_id"], f"incident resolve {fix}")
    memory = await sandbox.wait_for(lambda: _memory(pool, ws, row["id"]), timeout=30)
    assert memory["private"] is private
    return {**memory, "channel_id": row["channel_id"]}


def _in_thread(sandbox, channel: str, thread_ts: str, words: str) -> list[dict]:
    return [m for m in sandbox.bot_messages(channel, thread_ts=thread_ts) if words in m["text"]]


def _ephemerals_in(sandbox, user: str, thread_ts: str) -> list[dict]:
    return [e for e in sandbox.ephemerals(user=user) if e.get("thread_ts") == thread_ts]


# --- @nox similar and the shortcut, inside a thread ------------------------------------------------


async def test_similar_inside_a_thread_answers_there_once_and_keeps_private_lessons_to_members(
    sender, sandbox, pool, sandbox_workspace, no_jira
):
    _, ws = sandbox_workspace
    svc = service_tag()
    public = await _resolved(
        sender,
        sandbox,
        pool,
        ws,
        f"prod is down!! {svc} checkout api returns 502 for every customer",
        f"{svc} checkout 502 came from the gateway pool, restarted the {svc} gateway.",
        f"fixed by restarting the {svc} gateway",
    )
    private = await _resolved(
        sender,
        sandbox,
        pool,
        ws,
        f"prod is down!! {svc} ledger api returns 502 for every customer",
        f"{svc} ledger returns 502, fixed by flushing the {svc} cache.",
        f"fixed by flushing the {svc} cache",
        private=True,
    )
    sandbox.add_user("U0OUTSIDE", "outside", real_name="Not Invited")
    sandbox.join("C0OPS", "U0OUTSIDE")

    # A thread in a public channel: the words are in the replies, not in the mention.
    parent = sandbox.user_says("U0OUTSIDE", "C0OPS", "something is off with our APIs")["ts"]
    sandbox.user_says("U0OUTSIDE", "C0OPS", f"{svc} ledger api and {svc} checkout api return 502", thread_ts=parent)
    mention = sender.app_mention("U0OUTSIDE", "C0OPS", "similar", thread_ts=parent)
    for _ in range(2):  # Slack redelivers it: one answer
        assert (await sender.send_event(mention)).status == 200
    answer = (await sandbox.wait_for(lambda: _in_thread(sandbox, "C0OPS", parent, "Similar past incidents"), 20))[0]
    await asyncio.sleep(1.0)
    assert len(_in_thread(sandbox, "C0OPS", parent, "Similar past incidents")) == 1
    assert f"*{public['ref']}*" in answer["text"] and "restarting the" in answer["text"]
    assert f"*{private['ref']}*" not in answer["text"]  # in a public thread: never a private lesson
    assert not _ephemerals_in(sandbox, "U0OUTSIDE", parent)

    # A member of the private incident asks in the same thread: the public answer stays public, and
    # the private lesson comes to them alone, in the thread.
    await sender.send_event(sender.app_mention("U0DEV", "C0OPS", "similar", thread_ts=parent))
    mine = await sandbox.wait_for(lambda: _ephemerals_in(sandbox, "U0DEV", parent), timeout=20)
    assert f"*{private['ref']}*" in mine[0]["text"] and "only you see this" in mine[0]["text"]
    answers = await sandbox.wait_for(
        lambda: (lambda found: found if len(found) == 2 else None)(
            _in_thread(sandbox, "C0OPS", parent, "Similar past incidents")
        ),
        timeout=20,
    )
    assert all(f"*{private['ref']}*" not in a["text"] for a in answers)

    # The shortcut on a thread reply: ephemeral, in the thread, the thread as the report.
    reply = sandbox.user_says("U0DEV", "C0OPS", "same again?", thread_ts=parent)["ts"]
    for user in ("U0DEV", "U0OUTSIDE"):
        shortcut = sender.message_action(user, "incident_find_similar", reply, "C0OPS")
        assert (await sender.send_interactive(shortcut)).status == 200
    dev = await sandbox.wait_for(
        lambda: [e for e in _ephemerals_in(sandbox, "U0DEV", parent) if "*Similar past" in e["text"]], timeout=20
    )
    outside = await sandbox.wait_for(lambda: _ephemerals_in(sandbox, "U0OUTSIDE", parent), timeout=20)
    assert f"*{private['ref']}*" in dev[0]["text"] and f"*{public['ref']}*" in dev[0]["text"]
    assert f"*{private['ref']}*" not in outside[0]["text"] and f"*{public['ref']}*" in outside[0]["text"]

    # In French, in another thread.
    fil = sandbox.user_says("U0DEV", "C0OPS", f"l'api {svc} checkout renvoie des erreurs 502")["ts"]
    await sender.send_event(sender.app_mention("U0DEV", "C0OPS", "incidents similaires ?", thread_ts=fil))
    fr = (await sandbox.wait_for(lambda: _in_thread(sandbox, "C0OPS", fil, "Incidents passés similaires"), 20))[0]
    assert f"*{public['ref']}*" in fr["text"] and "Ressemble à" in fr["text"]


# --- an admin publishes a private lesson -----------------------------------------------------------


async def test_an_admin_publishes_a_private_lesson_and_other_channels_triage_then_names_it(
    sender, sandbox, pool, sandbox_workspace, no_jira
):
    _, ws = sandbox_workspace
    svc = service_tag()
    private = await _resolved(
        sender,
        sandbox,
        pool,
        ws,
        f"prod is down!! {svc} billing api returns 502 for every customer",
        f"{svc} billing returns 502, fixed by rotating the {svc} signing key.",
        f"fixed by rotating the {svc} signing key",
        private=True,
    )
    sandbox.add_user("U0PLAIN", "plain", real_name="Plain Member", locale="fr-FR")
    sandbox.add_user("U0PUBADM", "pubadmin", real_name="Pub Admin", is_admin=True, locale="en-US")

    def audit() -> list[dict]:
        with tenant_tx(pool, ws.tenant_id) as conn:
            return conn.execute(
                "SELECT actor, action, target FROM audit_log WHERE action = 'incident.lesson_published'"
                " AND target = %s",
                [private["ref"]],
            ).fetchall()

    def kb_document():
        with tenant_tx(pool, ws.tenant_id) as conn:
            return conn.execute(
                "SELECT title, content FROM knowledge_documents WHERE source = %s",
                [f"incident://{private['incident_id']}"],
            ).fetchone()

    # In the private channel, one note says so, with a "Publish lesson" button.
    channel = private["channel_id"]
    notes = await sandbox.wait_for(
        lambda: [m for m in sandbox.bot_messages(channel) if "incident_publish_lesson" in str(m.get("blocks"))], 20
    )
    assert len(notes) == 1 and "shown only to its members" in notes[0]["text"]
    button = next(b for b in notes[0]["blocks"] if b.get("accessory"))

    # Not an admin: a clear refusal (the button, the command in English and French); nothing published.
    click = sender.block_actions(
        "U0DEV",
        [{"action_id": "incident_publish_lesson", "block_id": button["block_id"], "value": private["ref"]}],
        channel=channel,
        message_ts=notes[0]["ts"],
    )
    assert (await sender.send_interactive(click)).status == 200
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0DEV") if "Only a workspace admin can publish" in e["text"]], 20
    )
    await _command(sender, "U0PLAIN", "C0OPS", f"incident publish {private['ref']}")
    await _command(sender, "U0PLAIN", "C0OPS", f"incident publier {private['ref']}")
    refusals = await sandbox.wait_for(
        lambda: (lambda found: found if len(found) == 2 else None)(
            [e for e in sandbox.ephemerals(user="U0PLAIN") if ":lock:" in e["text"]]
        ),
        timeout=20,
    )
    texts = sorted(e["text"] for e in refusals)
    assert "Only a workspace admin can publish" in texts[0] and "Seul un administrateur" in texts[1]
    assert _memory(pool, ws, private["incident_id"])["private"] and kb_document() is None and audit() == []

    # Before: another channel's triage does not name it.
    _, reply, _ = await _triage(sender, sandbox, f"urgent: {svc} billing api 502 errors for customers again")
    assert f"*{private['ref']}*" not in str(reply["blocks"])

    # The admin publishes (twice: one audit entry, then "already shared").
    await _command(sender, "U0PUBADM", "C0OPS", f"incident publish {private['ref'].lower()}")
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0PUBADM") if "now in the knowledge base" in e["text"]], 20
    )
    await _command(sender, "U0PUBADM", "C0OPS", f"incident publish {private['ref']}")
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0PUBADM") if "already shared" in e["text"]], 20
    )
    assert audit() == [{"actor": "U0PUBADM", "action": "incident.lesson_published", "target": private["ref"]}]
    memory = _memory(pool, ws, private["incident_id"])
    assert not memory["private"] and memory["published_by"] == "U0PUBADM"
    doc = kb_document()
    assert doc["title"].startswith(private["ref"]) and "rotating the" in doc["content"]

    # After: the next report's triage in another channel names it, with its fix.
    _, reply, _ = await _triage(sender, sandbox, f"urgent: {svc} billing api 502 errors for customers again!")
    assert f"Looks like *{private['ref']}*" in str(reply["blocks"]) and "rotating the" in str(reply["blocks"])


# --- a meeting booked from an incident's channel ---------------------------------------------------


async def test_a_meeting_booked_from_an_incident_thread_is_on_its_timeline_once(
    sender, sandbox, pool, sandbox_workspace, no_jira, google: CalendarStandIn
):
    from jamono.actions.execution import AFTER_CREATE

    _, ws = sandbox_workspace
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} search api returns 502 for every customer"
    )
    channel = row["channel_id"]
    sandbox.join(channel, "U0TOKYO")
    mention = sender.app_mention(
        "U0DEV", channel, "we need a meeting with <@U0DEV> and <@U0TOKYO> to review the outage, 45 minutes"
    )
    await sender.send_event(mention)
    ts = mention["event"]["ts"]
    reply = (
        await sandbox.wait_for(
            lambda: [m for m in sandbox.bot_messages(channel, thread_ts=ts) if "propose_meeting" in str(m["blocks"])],
            timeout=20,
        )
    )[0]
    proposal = next(b for b in reply["blocks"] if b.get("block_id", "").startswith("proposal:"))
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_meeting", channel=channel))
    view = await _open_schedule_in(sender, sandbox)
    failpoints.arm(AFTER_CREATE)  # the worker dies after booking, before recording it: redelivered
    submission = _submission(sender, view)
    await asyncio.gather(sender.send_interactive(submission), sender.send_interactive(submission))
    await sandbox.wait_for(lambda: [m for m in sandbox.bot_messages(channel) if "Booked *" in m["text"]], 30)

    def meetings() -> list[dict]:
        return [e for e in _events(pool, ws, row["id"]) if e["kind"] == "action" and "meeting" in e["data"]]

    await sandbox.wait_for(meetings, timeout=20)
    await asyncio.sleep(1.0)
    booked = google.events_of(ORGANIZER)
    assert len(booked) == 1 and len(meetings()) == 1
    assert meetings()[0]["data"]["meeting"]["url"] == booked[0]["htmlLink"]

    await _command(sender, "U0DEV", channel, "incident timeline")
    shown = (
        await sandbox.wait_for(
            lambda: [e for e in sandbox.ephemerals(user="U0DEV") if "Meeting booked: Sync: outage" in e["text"]], 20
        )
    )[0]["text"]
    assert booked[0]["htmlLink"] in shown and " UTC " in shown


async def _open_schedule_in(sender, sandbox) -> dict:
    views = await sandbox.wait_for(
        lambda: [v for v in sandbox.open_views("U0DEV") if v.get("callback_id") == "nox_meeting"], timeout=10
    )
    return views[-1]
