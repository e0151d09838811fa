"""The postmortem draft as a Slack canvas, end to end: signed Slack requests → NOX's HTTP app → the
Dramatiq worker → the sandbox's canvases.create / canvases.access.set / files.list.

With canvases:write NOX shares one canvas with the incident channel, its message carrying the
"Create Jira ticket" buttons; without the scope, on a free team or when canvases.create fails, the
Markdown file as before; a worker crash after the canvas was created never makes a second one.
English and French.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from jamono.actions import failpoints
from jamono.platform.db import tenant_tx
from tests.e2e.integrations_rig import jira_connected, service_tag
from tests.e2e.test_incident_memory import _items_message, _kinds, _postmortem, _say, _story, _uploads
from tests.e2e.test_incidents_flow import _command, _declare_by_button
from tests.e2e.test_incidents_flow import no_jira as no_jira_fixture
from tests.standins.jira_api import JiraStandIn

no_jira = no_jira_fixture
pytestmark = pytest.mark.usefixtures("fast_integrations")
SCOPES = ("canvases:write", "files:read")


@pytest.fixture
def jira(pool, sandbox_workspace, e2e_settings, worker) -> Iterator[JiraStandIn]:
    with jira_connected(pool, sandbox_workspace[1], e2e_settings, "C0CANVFEED") as standin:
        yield standin


@pytest.fixture
def canvases(sandbox, worker) -> Iterator[object]:
    """The install re-granted with the manifest's canvas scopes; NOX in its default `auto` format."""
    from jamono.container import get_runtime

    settings = get_runtime().settings
    assert settings.postmortem_format == "auto"
    sandbox.grant_scopes(*SCOPES)
    try:
        yield sandbox
    finally:
        sandbox.revoke_scopes(*SCOPES)
        sandbox.set_plan("pro")
        sandbox.clear_faults()
        settings.postmortem_format = "auto"


def _row(pool, ws, incident_id):
    with tenant_tx(pool, ws.tenant_id) as conn:
        return conn.execute("SELECT * FROM incident_postmortems WHERE incident_id = %s", [incident_id]).fetchone()


def _click(sender, items: dict, channel: str, user: str = "U0DEV"):
    button = next(b for b in items["blocks"] if b.get("accessory"))
    action = {"action_id": "incident_pm_ticket", "block_id": button["block_id"], "value": button["accessory"]["value"]}
    return sender.block_actions(user, [action], channel=channel, message_ts=items["ts"])


async def test_with_the_scope_the_draft_is_one_canvas_shared_with_the_channel_and_its_items_still_ticket_once(
    sender, sandbox, pool, sandbox_workspace, jira, canvases
):
    _, ws = sandbox_workspace
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"urgent: {svc} checkout service fails every order with 503 since the release"
    )
    channel, incident_id = row["channel_id"], row["id"]
    await _story(sender, sandbox, channel, svc)
    await _say(
        sender, channel, "U0DEV", "Action item: <@U0OPS2> check [the board](http://evil.example) **now** ![](@U0DEV)"
    )
    await _command(sender, "U0DEV", channel, "incident resolve fixed by rolling back to 4.11")

    [canvas] = await sandbox.wait_for(lambda: sandbox.canvases(channel), timeout=30)
    assert canvas["title"].startswith("Postmortem (draft): ") and canvas["access"] == {channel: "write"}
    draft = canvas["content"]
    for section in ("## Summary", "## Impact", "## Timeline (UTC)", "## Root cause", "## Action items"):
        assert section in draft, section
    assert "\n# " not in draft and not draft.startswith("# ")  # the title is the canvas's own
    assert "- [ ] 1\\. Add an alert on pool saturation — owner @Sam Ops" in draft  # a checklist item
    assert "bad connection pool setting" in draft.split("## Root cause")[1].split("##")[0]
    # A participant's Markdown stays text: no link, no bold, no canvas mention.
    assert r"\[the board\](http://evil.example) \*\*now\*\* !\[\](@" in draft
    assert "[the board](" not in draft and "![](" not in draft and "**now**" not in draft

    items = await sandbox.wait_for(lambda: _items_message(sandbox, channel), timeout=20)
    assert canvas["permalink"] in items["text"] and "open the canvas" in items["text"]
    assert "Create Jira ticket" in str(items["blocks"])
    assert _uploads(sandbox, channel) == []  # no file besides
    stored = _row(pool, ws, incident_id)
    assert stored["canvas_id"] == canvas["id"] and stored["file_id"] is None
    assert stored["canvas_url"] == canvas["permalink"]
    assert _kinds(pool, ws, incident_id).count("postmortem") == 1

    await asyncio.gather(*[sender.send_interactive(_click(sender, items, channel)) for _ in range(2)])
    await sandbox.wait_for(lambda: [i for i in jira.issues if "pool saturation" in i.fields["summary"]], timeout=30)
    await asyncio.sleep(1.5)
    assert len([i for i in jira.issues if "pool saturation" in i.fields["summary"]]) == 1


async def test_a_crash_after_the_canvas_was_created_never_makes_a_second_one_in_french(
    sender, sandbox, pool, sandbox_workspace, no_jira, canvases
):
    from jamono.memory.canvas import AFTER_CREATE
    from jamono.memory.flows import AFTER_UPLOAD

    _, ws = sandbox_workspace
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"urgent : la prod est en panne, {svc} renvoie des erreurs 500 à tous les clients"
    )
    channel, incident_id = row["channel_id"], row["id"]
    assert row["lang"] == "fr"
    await _say(sender, channel, "U0DEV", f"{svc} renvoie des erreurs 500 pour 40 % des clients.")
    await _say(sender, channel, "U0DEV", "Il faut ajouter une alerte sur le taux d'erreurs.")
    creates = len(sandbox.calls_to("canvases.create"))
    failpoints.arm(AFTER_CREATE)  # dies right after canvases.create, before sharing or recording it
    failpoints.arm(AFTER_UPLOAD)  # and the retry dies after sharing it, before recording it
    await _command(sender, "U0DEV", channel, "incident resolve pods redémarrés")
    items = await sandbox.wait_for(lambda: _items_message(sandbox, channel), timeout=40)
    await asyncio.sleep(1.5)
    assert not failpoints._armed[AFTER_CREATE] and not failpoints._armed[AFTER_UPLOAD]
    assert len(sandbox.calls_to("canvases.create")) == creates + 1
    [canvas] = [
        c for c in sandbox.canvases() if c["title"].startswith("Postmortem (brouillon) : ") and svc in c["title"]
    ]
    assert canvas["access"] == {channel: "write"}
    assert "## Résumé" in canvas["content"] and "## Actions à mener" in canvas["content"]
    assert "- [ ] 1\\. Il faut ajouter une alerte sur le taux d'erreurs — responsable @Dev Eloper" in canvas["content"]
    assert canvas["permalink"] in items["text"] and "ouvrir le canvas" in items["text"]
    assert "Créer un ticket Jira" in str(items["blocks"])
    assert _uploads(sandbox, channel) == []
    assert _row(pool, ws, incident_id)["canvas_id"] == canvas["id"]
    assert _kinds(pool, ws, incident_id).count("postmortem") == 1


@pytest.mark.parametrize(
    "why",
    ["missing_scope", "free_team", "canvas_creation_failed"],
)
async def test_without_canvases_the_draft_falls_back_to_the_file_once(
    sender, sandbox, pool, sandbox_workspace, no_jira, canvases, why
):
    _, ws = sandbox_workspace
    if why == "missing_scope":
        sandbox.revoke_scopes("canvases:write")  # an install from before the manifest asked for it
    elif why == "free_team":
        sandbox.set_plan("free")
    else:
        sandbox.fail_next("canvases.create", error="canvas_creation_failed")
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel, incident_id = row["channel_id"], row["id"]
    await _say(sender, channel, "U0DEV", f"{svc} pods are crash looping, restarted them")
    creates = sandbox.calls_to("canvases.create")
    await _command(sender, "U0DEV", channel, "incident resolve restarted the pods")
    file, draft = await _postmortem(sandbox, channel)
    assert file["name"].startswith("postmortem-") and "## Summary" in draft
    [note] = await sandbox.wait_for(
        lambda: [m for m in sandbox.bot_messages(channel) if "No action item was stated" in m["text"]], timeout=30
    )
    assert "is above" in note["text"] and "canvas" not in note["text"]
    await asyncio.sleep(1.0)
    tried = sandbox.calls_to("canvases.create")[len(creates) :]
    expected = {"missing_scope": "missing_scope", "free_team": "free_teams_cannot_create_non_tabbed_canvases"}
    assert [c.error for c in tried] == [expected.get(why, "canvas_creation_failed")]
    assert sandbox.canvases(channel) == [] and len(_uploads(sandbox, channel)) == 1
    stored = _row(pool, ws, incident_id)
    assert stored["file_id"] == file["id"] and stored["canvas_id"] is None
    assert _kinds(pool, ws, incident_id).count("postmortem") == 1


async def test_the_file_setting_never_tries_a_canvas(sender, sandbox, pool, sandbox_workspace, no_jira, canvases):
    from jamono.container import get_runtime

    _, ws = sandbox_workspace
    get_runtime().settings.postmortem_format = "file"
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel = row["channel_id"]
    creates = len(sandbox.calls_to("canvases.create"))
    await _command(sender, "U0DEV", channel, "incident resolve restarted the pods")
    await _postmortem(sandbox, channel)
    assert len(sandbox.calls_to("canvases.create")) == creates and sandbox.canvases(channel) == []


async def test_the_canvas_is_readable_from_the_terminal_chat(sandbox, sender, pool, sandbox_workspace, canvases):
    """Resolve from the terminal chat: the draft arrives as a canvas NOX links, `:file` prints it.
    With JAMONO_TRANSCRIPT=path the transcript is written there (the canvas helper's notes quote it)."""
    import io
    import os

    from jamono.sandbox.chat import run_chat
    from tests.e2e.test_terminal_chat import _Typist, stepper

    _, ws = sandbox_workspace
    out, typist = io.StringIO(), _Typist()
    chat = asyncio.create_task(run_chat(sandbox, sender, stdin=typist, stdout=out, ansi=False))

    step = stepper(sandbox, out, typist, 30.0)

    svc = service_tag()
    try:
        await step(
            f"#ops @nox prod is down!! the {svc} payments api returns 502 for every customer", "[ Declare incident ]"
        )
        await step(":click 2", "📌 NOX pinned a message in #inc-")
        with tenant_tx(pool, ws.tenant_id) as conn:
            row = conn.execute(
                "SELECT * FROM incidents WHERE title LIKE %s ORDER BY started_at DESC", [f"%{svc}%"]
            ).fetchone()
        inc = "#" + row["channel_name"]
        typist.type(f"{inc} Checkout returns 502 for about 30% of customers since the 4.12 deploy.")
        typist.type(f"{inc} Root cause: 4.12 shipped a DB connection pool max of 5 instead of 50.")
        typist.type(f"{inc} Action item: add an alert on connection pool saturation.")
        await step(f"{inc} /nox incident resolve fixed by rolling back to 4.11", "🗒 Canvas: Postmortem (draft)")
        await step(None, "[ Create Jira ticket ]")
        await step(":file", "## Action items")
    finally:
        typist.type(":quit")
        await asyncio.wait_for(chat, timeout=10)
    transcript = out.getvalue()
    if os.environ.get("JAMONO_TRANSCRIPT"):
        with open(os.environ["JAMONO_TRANSCRIPT"], "w", encoding="utf-8") as f:
            f.write(transcript)
    shown = transcript.rsplit("## Action items", 1)[1]
    assert "- [ ] 1. Add an alert on connection pool saturation" in shown and "\\" not in shown
    assert "📎" not in transcript.split("incident resolve", 1)[1]  # no file besides


async def test_a_crash_after_the_create_without_files_read_posts_the_file_never_a_second_canvas(
    sender, sandbox, pool, sandbox_workspace, no_jira, canvases
):
    from jamono.memory.canvas import AFTER_CREATE

    _, ws = sandbox_workspace
    sandbox.revoke_scopes("files:read")  # the retry cannot look the first canvas up
    svc = service_tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel, incident_id = row["channel_id"], row["id"]
    creates = len(sandbox.calls_to("canvases.create"))
    failpoints.arm(AFTER_CREATE)
    await _command(sender, "U0DEV", channel, "incident resolve restarted the pods")
    file, _ = await _postmortem(sandbox, channel)
    await asyncio.sleep(1.5)
    assert not failpoints._armed[AFTER_CREATE]
    assert len(sandbox.calls_to("canvases.create")) == creates + 1  # one canvas, never shared
    assert sandbox.canvases(channel) == [] and len(_uploads(sandbox, channel)) == 1
    assert [c.error for c in sandbox.calls_to("files.list")[-1:]] == ["missing_scope"]
    assert _row(pool, ws, incident_id)["file_id"] == file["id"]
    assert _kinds(pool, ws, incident_id).count("postmortem") == 1
