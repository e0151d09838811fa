"""NOX remembers incidents, end to end: signed Slack requests → NOX's HTTP app → the Dramatiq
worker → the Slack sandbox (files_upload_v2, reactions, member_joined_channel), the Jira stand-in
and, for the written versions, the OpenAI stand-in through the real `openai` client.

A whole incident from declaration to postmortem; the timeline exactly once across a worker crash
and redeliveries; a late joiner's catch-up; action items → Jira exactly once; the next similar
report's triage names the first incident; French and English; the LLM grounded, and its failure
falling back to the offline draft.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from jamono.actions import failpoints
from jamono.platform.db import tenant_tx
from tests.e2e.integrations_rig import jira_connected, service_tag
from tests.e2e.test_incidents_flow import (
    _command,
    _declare_by_button,
    _events,
    _incident_settings,
    _triage,
)
from tests.e2e.test_incidents_flow import no_jira as no_jira_fixture
from tests.standins.jira_api import JiraStandIn

no_jira = no_jira_fixture


@pytest.fixture
def jira(pool, sandbox_workspace, e2e_settings, worker) -> Iterator[JiraStandIn]:
    """Jira connected, with an incidents channel of this module's own (other modules count theirs)."""
    with jira_connected(pool, sandbox_workspace[1], e2e_settings, "C0MEMFEED") as standin:
        yield standin


pytestmark = pytest.mark.usefixtures("fast_integrations")


def _reaction(sender, user: str, channel: str, ts: str, reaction: str = "pushpin", event_id: str | None = None):
    event = {
        "type": "reaction_added",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": "U0DEV",
        "event_ts": ts,
    }
    return sender.event_callback(event, event_id=event_id)


def _joined(sender, user: str, channel: str):
    return sender.event_callback(
        {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C", "event_ts": "1.0"}
    )


async def _say(sender, channel: str, user: str, text: str) -> str:
    event = sender.message(channel, text, user=user)
    assert (await sender.send_event(event)).status == 200
    return event["event"]["ts"]


def _kinds(pool, ws, incident_id) -> list[str]:
    return [e["kind"] for e in _events(pool, ws, incident_id)]


def _uploads(sandbox, channel: str) -> list[dict]:
    return [f for m in sandbox.messages(channel) for f in m.get("files") or []]


async def _postmortem(sandbox, channel: str) -> tuple[dict, str]:
    files = await sandbox.wait_for(lambda: _uploads(sandbox, channel), timeout=30)
    return files[0], sandbox.file(files[0]["id"])["content"]


def _items_message(sandbox, channel: str) -> dict | None:
    found = [m for m in sandbox.bot_messages(channel) if "incident_pm_ticket" in str(m.get("blocks"))]
    assert len(found) <= 1, "two action-item messages"
    return found[0] if found else None


def _memory(pool, ws, incident_id):
    with tenant_tx(pool, ws.tenant_id) as conn:
        return conn.execute("SELECT * FROM incident_memories WHERE incident_id = %s", [incident_id]).fetchone()


async def _story(sender, sandbox, channel: str, svc: str, *, cause: bool = True) -> dict[str, str]:
    """What responders say in the channel during the incident."""
    sandbox.add_user("U0OPS2", "sam", real_name="Sam Ops", tz="America/New_York", tz_offset=-18000)
    sandbox.join(channel, "U0OPS2")
    said = {
        "impact": await _say(
            sender, channel, "U0DEV", f"Checkout on {svc} returns 502 for about 30% of customers since the deploy."
        ),
        "tried": await _say(
            sender, channel, "U0OPS2", "We rolled back the payments deploy to 4.11, error rate is falling."
        ),
        "question": await _say(sender, channel, "U0OPS2", "Should we page the database team?"),
        "item": await _say(sender, channel, "U0DEV", "Action item: <@U0OPS2> add an alert on pool saturation."),
    }
    if cause:
        said["cause"] = await _say(
            sender, channel, "U0DEV", "Root cause: the 4.12 release shipped a bad connection pool setting."
        )
    return said


# --- the whole incident, offline ------------------------------------------------------------------


async def test_a_whole_incident_from_declaration_to_postmortem_and_the_next_one_remembers_it(
    sender, sandbox, pool, sandbox_workspace, jira
):
    _, ws = sandbox_workspace
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} payments api returns 502 for every customer after deploy"
    )
    channel, incident_id = row["channel_id"], row["id"]
    said = await _story(sender, sandbox, channel, svc)

    # Marked messages: a reaction (twice, by two people) and the shortcut, once each.
    for user in ("U0DEV", "U0OPS2"):
        await sender.send_event(_reaction(sender, user, channel, said["tried"], "stopwatch"))
    await sender.send_event(_reaction(sender, "U0DEV", channel, said["impact"], "thumbsup"))  # not a timeline emoji
    shortcut = sender.message_action("U0DEV", "incident_timeline_add", said["cause"], channel)
    assert (await sender.send_interactive(shortcut)).status == 200
    await sandbox.wait_for(lambda: _kinds(pool, ws, incident_id).count("marked") == 2, timeout=20)
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0DEV") if "Added to the timeline" in e["text"]], timeout=10
    )

    # NOX's answers in the channel go on the timeline too.
    await sender.send_event(sender.app_mention("U0DEV", channel, "how do I roll back a Kubernetes deployment?"))
    await sandbox.wait_for(lambda: "answer" in _kinds(pool, ws, incident_id), timeout=30)

    # A late joiner gets a catch-up (ephemeral), once for one join.
    sandbox.add_user("U0LATE", "late", real_name="Late Comer")
    sandbox.join(channel, "U0LATE")
    join = _joined(sender, "U0LATE", channel)
    await sender.send_event(join)
    catch_up = (
        await sandbox.wait_for(
            lambda: [e for e in sandbox.ephemerals(user="U0LATE") if "Catch-up" in e["text"]], timeout=20
        )
    )[0]["text"]
    assert "502 for about 30% of customers" in catch_up and "rolled back the payments deploy" in catch_up
    assert "Should we page the database team?" in catch_up and "@Sam Ops" in catch_up
    assert "Now:* investigating, lead <@U0DEV>" in catch_up
    await sender.send_event(join)  # Slack redelivers the same event: no second catch-up
    await asyncio.sleep(1.0)
    assert len([e for e in sandbox.ephemerals(user="U0LATE") if "Catch-up" in e["text"]]) == 1

    # The timeline: in UTC and the viewer's zone (users.info tz).
    await _command(sender, "U0OPS2", channel, "incident timeline")
    shown = (
        await sandbox.wait_for(
            lambda: [e for e in sandbox.ephemerals(user="U0OPS2") if "Timeline of" in e["text"]], timeout=20
        )
    )[0]["text"]
    assert "America/New_York" in shown and "Incident declared" in shown and "rolled back the payments" in shown
    assert "Jira" in shown and "NOX answered" in shown  # the ticket NOX opened, its answer

    # /nox summary posts the catch-up in the channel.
    await _command(sender, "U0DEV", channel, "summary")
    await sandbox.wait_for(lambda: [m for m in sandbox.bot_messages(channel) if "Summary of" in m["text"]], timeout=20)

    # Resolve: the postmortem draft as a file, items with buttons, the lesson remembered.
    await _command(sender, "U0DEV", channel, "incident resolve fixed by rolling back to 4.11")
    file, draft = await _postmortem(sandbox, channel)
    assert file["name"].startswith("postmortem-") and file["title"].startswith("Postmortem (draft)")
    for section in (
        "## Summary",
        "## Impact",
        "## Timeline (UTC)",
        "## What happened",
        "## Root cause",
        "## What went well",
        "## What went poorly",
        "## Action items",
    ):
        assert section in draft, section
    assert "- Start: " in draft and "- End: " in draft and "- Duration: " in draft
    assert "bad connection pool setting" in draft.split("## Root cause")[1].split("##")[0]
    assert "1. Add an alert on pool saturation — owner @Sam Ops" in draft
    assert "Drafted by NOX from the channel and timeline (no LLM)" in draft
    items = await sandbox.wait_for(lambda: _items_message(sandbox, channel), timeout=20)
    button = next(b for b in items["blocks"] if b.get("accessory"))

    # Each action item → one Jira ticket, whatever the clicks.
    clicks = [
        sender.block_actions(
            "U0DEV",
            [
                {
                    "action_id": "incident_pm_ticket",
                    "block_id": button["block_id"],
                    "value": button["accessory"]["value"],
                }
            ],
            channel=channel,
            message_ts=items["ts"],
        )
        for _ in range(2)
    ]
    await asyncio.gather(*[sender.send_interactive(c) for c in clicks])
    await sandbox.wait_for(lambda: [i for i in jira.issues if "pool saturation" in i.fields["summary"]], timeout=30)
    await asyncio.sleep(1.5)
    assert len([i for i in jira.issues if "pool saturation" in i.fields["summary"]]) == 1
    memory = await sandbox.wait_for(lambda: _memory(pool, ws, incident_id), timeout=10)
    assert memory["ref"].startswith("INC-") and "rolling back to 4.11" in memory["fix"] and not memory["private"]
    assert "connection pool" in memory["cause"]

    def kb_document():
        with tenant_tx(pool, ws.tenant_id) as conn:
            return conn.execute(
                "SELECT title FROM knowledge_documents WHERE source = %s", [f"incident://{incident_id}"]
            ).fetchone()

    doc = await sandbox.wait_for(kb_document, timeout=20)
    assert doc is not None and doc["title"].startswith(memory["ref"])
    kinds = _kinds(pool, ws, incident_id)
    assert kinds.count("postmortem") == 1 and kinds.count("marked") == 2 and kinds.count("catchup") == 1

    # A second incident of the same kind: its triage names the first, with the fix.
    _, reply, _ = await _triage(
        sender, sandbox, f"urgent: {svc} payments api 502 errors for customers again after the deploy"
    )
    assert f"Looks like *{memory['ref']}*" in str(reply["blocks"]) and "rolling back to 4.11" in str(reply["blocks"])


# --- the timeline survives a worker crash ---------------------------------------------------------


async def test_the_timeline_survives_a_worker_crash_and_the_postmortem_is_posted_once(
    sender, sandbox, pool, sandbox_workspace, no_jira
):
    from jamono.memory.flows import AFTER_MARK, AFTER_UPLOAD

    _, ws = sandbox_workspace
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel, incident_id = row["channel_id"], row["id"]
    ts = await _say(sender, channel, "U0DEV", f"{svc} pods are crash looping, restarted them")
    failpoints.arm(AFTER_MARK)  # the worker dies right after recording the mark: the job is redelivered
    await sender.send_event(_reaction(sender, "U0DEV", channel, ts))
    await sandbox.wait_for(lambda: not failpoints._armed[AFTER_MARK], timeout=20)
    await sandbox.wait_for(lambda: "marked" in _kinds(pool, ws, incident_id), timeout=20)
    await sender.send_event(_reaction(sender, "U0DEV", channel, ts))  # and Slack sends it again
    failpoints.arm(AFTER_UPLOAD)  # dies after uploading the draft, before recording it
    await _command(sender, "U0DEV", channel, "incident resolve restarted the pods")
    await _postmortem(sandbox, channel)
    await sandbox.wait_for(
        lambda: [m for m in sandbox.bot_messages(channel) if "No action item was stated" in m["text"]], timeout=30
    )
    await asyncio.sleep(1.5)
    assert not failpoints._armed[AFTER_UPLOAD]
    assert len(_uploads(sandbox, channel)) == 1
    kinds = _kinds(pool, ws, incident_id)
    assert kinds.count("marked") == 1 and kinds.count("postmortem") == 1
    _, draft = await _postmortem(sandbox, channel)
    assert "Unknown — the channel never stated a cause" in draft  # nobody said why: not invented


# --- the LLM: grounded, and its failure falls back ------------------------------------------------


@pytest.fixture
def llm(worker) -> Iterator[object]:
    from jamono.brain.llm import LLMBrain
    from jamono.container import get_runtime
    from tests.standins.openai_api import OpenAIStandIn

    with OpenAIStandIn() as api:
        rt = get_runtime()
        rt.memory_llm = LLMBrain(
            api_key=api.api_key, base_url=api.base_url, model=api.model, timeout_s=2, max_retries=0
        )
        yield api
        rt.memory_llm.close()
        rt.memory_llm = None


def _writer(request: dict) -> dict:
    system = request["messages"][0]["content"]
    material = json.loads(request["messages"][-1]["content"])
    dev = next(m["who"] for m in material["messages"])
    if "postmortem" in system:
        return {
            "summary": f"LLM-SUMMARY: checkout errors, rolled back by <@{dev}>; the cause is unknown.",
            "what_happened": "LLM-NARRATIVE: errors began after the deploy; the team rolled back.",
        }
    return {"text": f"LLM-CATCHUP: checkout is failing; <@{dev}> rolled back; the cause is unknown."}


async def test_with_the_llm_the_write_ups_are_grounded_and_never_invent_a_cause(
    sender, sandbox, pool, sandbox_workspace, no_jira, llm
):
    _, ws = sandbox_workspace
    llm.default = _writer
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel = row["channel_id"]
    await _story(sender, sandbox, channel, svc, cause=False)
    sandbox.add_user("U0LATE2", "late2", real_name="Late Two")
    sandbox.join(channel, "U0LATE2")
    await sender.send_event(_joined(sender, "U0LATE2", channel))
    catch_up = (
        await sandbox.wait_for(
            lambda: [e for e in sandbox.ephemerals(user="U0LATE2") if "Catch-up" in e["text"]], timeout=20
        )
    )[0]["text"]
    assert "LLM-CATCHUP" in catch_up and "Written by the LLM" in catch_up
    used = [r for r in llm.requests if "catch-up" in r.system_text]
    assert used and "rolled back the payments deploy" in used[-1].user_text  # written from the channel
    await _command(sender, "U0DEV", channel, "incident resolve rolled back")
    _, draft = await _postmortem(sandbox, channel)
    assert "LLM-SUMMARY" in draft and "LLM-NARRATIVE" in draft and "Drafted with the LLM" in draft
    assert "Unknown — the channel never stated a cause" in draft


async def test_an_llm_that_invents_a_cause_or_fails_leaves_the_offline_version_in_french(
    sender, sandbox, pool, sandbox_workspace, no_jira, llm
):
    _, ws = sandbox_workspace
    llm.default = lambda request: {  # names a cause nobody stated: refused
        "summary": "The root cause was a bad DNS record.",
        "what_happened": "Because of DNS, everything failed.",
        "text": "Caused by DNS.",
    }
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"urgent : la prod est en panne, {svc} renvoie des erreurs 500 à tous les clients"
    )
    channel = row["channel_id"]
    assert row["lang"] == "fr"
    await _say(sender, channel, "U0DEV", f"{svc} renvoie des erreurs 500 pour 40 % des clients.")
    await _say(sender, channel, "U0DEV", "On a redémarré les pods de la passerelle.")
    await _say(sender, channel, "U0DEV", "Il faut ajouter une alerte sur le taux d'erreurs.")
    sandbox.add_user("U0TARD", "tard", real_name="En Retard")
    sandbox.join(channel, "U0TARD")
    await sender.send_event(_joined(sender, "U0TARD", channel))
    catch_up = (
        await sandbox.wait_for(
            lambda: [e for e in sandbox.ephemerals(user="U0TARD") if "Pour vous mettre à jour" in e["text"]], timeout=20
        )
    )[0]["text"]
    assert "DNS" not in catch_up and "erreurs 500 pour 40 % des clients" in catch_up and "*Impact :*" in catch_up
    llm.default = None
    llm.server_error(500, times=20)  # then the LLM is down altogether
    await _command(sender, "U0DEV", channel, "incident resolve pods redémarrés")
    _, draft = await _postmortem(sandbox, channel)
    assert "## Cause racine" in draft and "Inconnue — aucune cause" in draft and "DNS" not in draft
    assert "Rédigé par NOX" in draft and "## Actions à mener" in draft and "ajouter une alerte" in draft
    items = await sandbox.wait_for(lambda: _items_message(sandbox, channel), timeout=20)
    assert "Créer un ticket Jira" in str(items["blocks"])


# --- privacy ----------------------------------------------------------------------------------------


async def test_a_private_incidents_lesson_is_shown_only_to_its_members(
    sender, sandbox, pool, sandbox_workspace, no_jira
):
    _, ws = sandbox_workspace
    _incident_settings(pool, ws, {"private_channels": True})
    try:
        svc = service_tag()
        _, _, row = await _declare_by_button(
            sender, sandbox, pool, ws, f"prod is down!! {svc} ledger api returns 502 for every customer"
        )
    finally:
        _incident_settings(pool, ws, None)
    channel = row["channel_id"]
    await _say(sender, channel, "U0DEV", f"{svc} ledger returns 502, fixed by flushing the {svc} cache.")
    await _command(sender, "U0DEV", channel, f"incident resolve fixed by flushing the {svc} cache")
    memory = await sandbox.wait_for(lambda: _memory(pool, ws, row["id"]), timeout=30)
    assert memory["private"]
    sandbox.add_user("U0OUTSIDE", "outside", real_name="Not Invited")
    for user in ("U0OUTSIDE", "U0DEV"):
        await _command(sender, user, "C0OPS", f"similar {svc} ledger api 502")
    outside = await sandbox.wait_for(lambda: sandbox.ephemerals(user="U0OUTSIDE"), timeout=20)
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0DEV") if memory["ref"] in e["text"]], timeout=20
    )
    assert f"*{memory['ref']}*" not in str(outside)
    with tenant_tx(pool, ws.tenant_id) as conn:  # and no KB document everyone's answers could quote
        assert (
            conn.execute("SELECT 1 FROM knowledge_documents WHERE source = %s", [f"incident://{row['id']}"]).fetchone()
            is None
        )
