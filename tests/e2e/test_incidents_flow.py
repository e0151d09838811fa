"""Incidents end to end: signed Slack requests → NOX's HTTP app → Dramatiq worker → the Slack
sandbox and the Jira stand-in (the real `jira` client). Declare from a triage reply, from the
modal and automatically; change status, severity, lead, post updates and resolve from commands
and from the card; Jira kept in step through an outage; reminders; crashes and double clicks.

Every test asserts what people see (the channel, the card, the notes) and that each effect
happened exactly once (sandbox calls, Jira requests, rows).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jamono.actions import failpoints
from jamono.platform.db import tenant_tx
from tests.e2e.integrations_rig import UNSET_JIRA, click_payload, jira_connected, save_workspace_settings, service_tag
from tests.plugins.drained import queue_drained
from tests.standins.jira_api import JiraStandIn

FEED = "C0INCFEED"


pytestmark = pytest.mark.usefixtures("fast_integrations")
_tag = service_tag


_settings = save_workspace_settings


def _incident_settings(pool, workspace, value: dict | None) -> None:
    from jamono.container import get_runtime

    with tenant_tx(pool, workspace.tenant_id) as conn:
        if value is None:
            conn.execute(
                "UPDATE workspaces SET settings = settings - 'incidents' WHERE id = %s", [workspace.workspace_id]
            )
        else:
            conn.execute(
                "UPDATE workspaces SET settings = jsonb_set(settings, '{incidents}', %s::jsonb) WHERE id = %s",
                [__import__("json").dumps(value), workspace.workspace_id],
            )
    get_runtime().workspaces.forget(workspace.team_id, workspace.enterprise_id)


@pytest.fixture
def jira(pool, sandbox_workspace, e2e_settings, worker) -> Iterator[JiraStandIn]:
    """Jira connected for the sandbox workspace, pointed at a fresh stand-in."""
    with jira_connected(pool, sandbox_workspace[1], e2e_settings, FEED) as standin:
        yield standin


@pytest.fixture
def no_jira(pool, sandbox_workspace, worker) -> Iterator[None]:
    _, ws = sandbox_workspace
    _settings(pool, ws, {"jira": UNSET_JIRA, "incident_channel": None})
    yield


async def _triage(sender, sandbox, text: str, *, channel: str = "C0OPS"):
    mention = sender.app_mention("U0DEV", channel, text)
    await sender.send_event(mention)
    ts = mention["event"]["ts"]
    replies = await sandbox.wait_for(
        lambda: [m for m in sandbox.bot_messages(channel, thread_ts=ts) if "propose_incident" in str(m["blocks"])],
        timeout=20,
    )
    reply = replies[-1]
    proposal = next(b for b in reply["blocks"] if b.get("block_id", "").startswith("proposal:"))
    return ts, reply, proposal


def _row(pool, ws, **where):
    clause = " AND ".join(f"{k} = %s" for k in where)
    with tenant_tx(pool, ws.tenant_id) as conn:
        return conn.execute(f"SELECT * FROM incidents WHERE {clause}", list(where.values())).fetchone()


def _events(pool, ws, incident_id):
    with tenant_tx(pool, ws.tenant_id) as conn:
        return conn.execute(
            "SELECT * FROM incident_events WHERE incident_id = %s ORDER BY created_at", [incident_id]
        ).fetchall()


def _pins(sandbox, channel: str) -> list[str]:
    return [m["ts"] for m in sandbox.messages(channel) if channel in (m.get("pinned_to") or [])]


def _card(sandbox, channel: str) -> dict | None:
    cards = [
        m for m in sandbox.bot_messages(channel) if (m.get("metadata") or {}).get("event_type") == "nox_incident_card"
    ]
    assert len(cards) <= 1, "two cards"
    return cards[0] if cards else None


def _said(sandbox, channel: str, needle: str, thread_ts: str | None = None) -> list[dict]:
    return [m for m in sandbox.bot_messages(channel, thread_ts=thread_ts) if needle in m.get("text", "")]


async def _declared(sandbox, pool, ws, *, timeout: float = 30, **where) -> dict:
    """The incident row once its declaration finished (card pinned, origin linked)."""

    def done():
        row = _row(pool, ws, **where)
        return row if row and "declared" in (row["steps"] or {}) else None

    return await sandbox.wait_for(done, timeout=timeout)


async def _declare_by_button(sender, sandbox, pool, ws, text: str, *, clicks: int = 1):
    ts, reply, proposal = await _triage(sender, sandbox, text)
    # Each click its own request (trigger id): a resent identical request is a replay the web drops.
    responses = await asyncio.gather(
        *[sender.send_interactive(click_payload(sender, reply, proposal, "propose_incident")) for _ in range(clicks)]
    )
    assert all(r.status == 200 for r in responses)
    interaction_id = proposal["block_id"].split(":", 1)[1]
    row = await _declared(sandbox, pool, ws, interaction_id=interaction_id)
    return ts, reply, row


def _command(sender, user: str, channel: str, text: str):
    return sender.send_command(sender.slash_command(user, text, channel=channel))


# --- declare -------------------------------------------------------------------------------------


async def test_declare_from_the_triage_reply_twice_clicked_makes_one_channel_card_and_ticket(
    sender, sandbox, pool, sandbox_workspace, jira, broker
):
    _, ws = sandbox_workspace
    sandbox.add_usergroup("S0ONCALL", ["U0ONCALL"])
    sandbox.add_user("U0ONCALL", "oncall", real_name="On Call")
    _incident_settings(pool, ws, {"responders_group": "S0ONCALL"})
    try:
        svc = _tag()
        creates_before = len(sandbox.calls_to("conversations.create"))
        ts, reply, row = await _declare_by_button(
            sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer", clicks=2
        )
    finally:
        _incident_settings(pool, ws, None)
    channel = sandbox.channel(row["channel_id"])
    today = datetime.now(UTC).strftime("%Y%m%d")
    assert channel.name.startswith(f"inc-{today}-") and svc in channel.name and not channel.is_private
    assert len(sandbox.calls_to("conversations.create")) - creates_before == 1
    assert {"U0DEV", "U0ONCALL", sandbox.bot_user_id} <= set(channel.members)
    assert "investigating" in channel.topic and svc in channel.topic
    card = _card(sandbox, channel.id)
    assert card is not None and _pins(sandbox, channel.id) == [card["ts"]] and row["card_ts"] == card["ts"]
    blocks = str(card["blocks"])
    assert "*Severity:* critical" in blocks and "*Status:* investigating" in blocks and "<@U0DEV>" in blocks
    assert "<!date^" in blocks and "incident_status:identified" in blocks and "incident_update" in blocks
    links = [b["link"] for b in sandbox.bookmarks(channel.id)]
    assert any("/archives/C0OPS/" in link for link in links)  # the origin thread
    linked = _said(sandbox, "C0OPS", "Incident declared by <@U0DEV>", thread_ts=ts)
    assert len(linked) == 1 and f"<#{channel.id}>" in linked[0]["text"]
    # Jira: one ticket, bookmarked, on the card; the reply no longer offers Declare.
    incident = await sandbox.wait_for(lambda: (r := _row(pool, ws, id=row["id"]))["jira_key"] and r, timeout=20)
    assert len(jira.issues_with_label("nox")) >= 1
    assert len([i for i in jira.issues if svc in i.fields["summary"]]) == 1
    await sandbox.wait_for(
        lambda: any(incident["jira_key"] in b["title"] for b in sandbox.bookmarks(channel.id)), timeout=10
    )
    await sandbox.wait_for(lambda: incident["jira_key"] in str(_card(sandbox, channel.id)["blocks"]), timeout=10)
    answer = next(m for m in sandbox.bot_messages("C0OPS", thread_ts=ts) if m["ts"] == reply["ts"])
    assert "propose_incident" not in str(answer["blocks"]) and f"<#{channel.id}>" in str(answer["blocks"])
    # The second click changed nothing and was told so.
    await queue_drained(broker)
    assert len(sandbox.calls_to("conversations.create")) - creates_before == 1
    assert (
        len(
            [
                e
                for e in sandbox.ephemerals(user="U0DEV")
                if f"<#{channel.id}>" in e["text"] and "already declared" in e["text"]
            ]
        )
        == 1
    )
    assert [e["kind"] for e in _events(pool, ws, row["id"])] == ["declared", "action"]  # the ticket, on the timeline


async def test_a_guest_cannot_declare(sender, sandbox, pool, sandbox_workspace, no_jira):
    _, ws = sandbox_workspace
    sandbox.add_user("U0GUEST", "guest", real_name="A Guest", is_restricted=True)
    svc = _tag()
    _, reply, proposal = await _triage(sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer")
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_incident", user="U0GUEST"))
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0GUEST") if "Guests can't declare" in e["text"]], timeout=20
    )
    assert _row(pool, ws, interaction_id=proposal["block_id"].split(":", 1)[1]) is None


async def test_declare_from_the_modal_with_severity_and_lead(sender, sandbox, pool, sandbox_workspace, no_jira):
    _, ws = sandbox_workspace
    sandbox.add_user("U0LEAD", "lea", real_name="Léa Lead")
    response = await sender.send_command(sender.slash_command("U0DEV", "incident"))
    assert response.status == 200
    view = (
        await sandbox.wait_for(
            lambda: [v for v in sandbox.open_views("U0DEV") if v.get("callback_id") == "nox_incident"], timeout=10
        )
    )[-1]
    assert any(b.get("block_id") == "lead" for b in view["blocks"])
    svc = _tag()
    submit = sender.view_submission(
        "U0DEV",
        "nox_incident",
        {
            "summary": f"{svc} replica lagging <!channel> & more",
            "service": svc,
            "details": "",
            "severity": {"type": "static_select", "selected_option": {"value": "high"}},
            "lead": {"type": "users_select", "selected_user": "U0LEAD"},
        },
        view_id=view["id"],
        private_metadata=view["private_metadata"],
    )
    assert (await sender.send_interactive(submit)).status == 200
    row = await _declared(sandbox, pool, ws, idempotency_key=f"incident:view:{view['id']}")
    assert row["severity"] == "high" and row["lead"] == "U0LEAD" and row["reporter"] == "U0DEV"
    channel = sandbox.channel(row["channel_id"])
    assert {"U0DEV", "U0LEAD"} <= set(channel.members)
    card = _card(sandbox, channel.id)
    assert "*Severity:* high" in str(card["blocks"]) and "<@U0LEAD>" in str(card["blocks"])
    assert "<!channel>" not in card["text"] and "<!channel>" not in str(card["blocks"][1:])  # no ping
    assert "<!channel>" not in channel.topic and "&lt;!channel&gt;" in channel.topic
    linked = _said(sandbox, "C0OPS", "Incident declared by <@U0DEV>")
    linked = [m for m in linked if svc in m["text"]]
    assert len(linked) == 1 and "&lt;!channel&gt;" in linked[0]["text"] and "<!channel>" not in linked[0]["text"]
    assert row["origin_thread_ts"] == linked[0]["ts"]


async def test_french_triage_declares_in_french(sender, sandbox, pool, sandbox_workspace, no_jira):
    _, ws = sandbox_workspace
    svc = _tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"urgent : la prod est en panne, {svc} renvoie des erreurs 500 à tous les clients"
    )
    assert row["lang"] == "fr"
    card = _card(sandbox, row["channel_id"])
    assert "*Sévérité :*" in str(card["blocks"]) and "*Statut :* investigation" in str(card["blocks"])
    assert "Résoudre" in str(card["blocks"])
    await _command(sender, "U0DEV", row["channel_id"], "incident update rollback en cours")
    note = await sandbox.wait_for(lambda: _said(sandbox, row["channel_id"], "Point de <@U0DEV>"), timeout=20)
    assert "rollback en cours" in note[0]["text"]


async def test_automatic_mode_declares_in_a_watched_channel(sender, sandbox, pool, sandbox_workspace, no_jira, broker):
    from jamono.workspaces import onboarding

    _, ws = sandbox_workspace
    channel = "C0WATCH" + uuid.uuid4().hex[:5].upper()
    sandbox.add_channel(channel, f"alerts-{channel[-5:].lower()}", members=["U0DEV", sandbox.bot_user_id])
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute(
            "INSERT INTO slack_channels (tenant_id, workspace_id, channel_id, name, watched)"
            " VALUES (%s, %s, %s, 'alerts', true)",
            [ws.tenant_id, ws.workspace_id, channel],
        )
    onboarding._watched.clear()
    # What `set_channel_watch` does besides the row: the web's copy, which drops channels it doesn't know.
    from jamono.container import get_runtime
    from jamono.slack.routing import set_watched

    set_watched(get_runtime().cache, ws.team_id, channel, True)
    _settings(pool, ws, {"action_mode": "automatic"})
    try:
        svc = _tag()
        message = sender.message(
            channel, f"URGENT: production {svc} API is down, all requests time out since the deploy"
        )
        assert (await sender.send_event(message)).status == 200
        row = await _declared(sandbox, pool, ws, origin_channel=channel)
        # And not in a channel nobody asked NOX to watch (automatic mode or not).
        mention = sender.app_mention("U0DEV", "C0OPS", f"prod is down!! {svc}-other api returns 502 for everyone")
        await sender.send_event(mention)
        await sandbox.wait_for(
            lambda: [
                m
                for m in sandbox.bot_messages("C0OPS", thread_ts=mention["event"]["ts"])
                if "propose_incident" in str(m["blocks"])
            ],
            timeout=20,
        )
        await queue_drained(broker)
    finally:
        _settings(pool, ws, {"action_mode": "confirm"})
    assert row["reporter"] == "U0DEV" and svc in sandbox.channel(row["channel_id"]).name
    assert _row(pool, ws, origin_channel="C0OPS", origin_thread_ts=mention["event"]["ts"]) is None
    assert [e["actor"] for e in _events(pool, ws, row["id"])] == ["automatic"]


async def test_a_worker_dying_between_create_and_record_leaves_one_channel(
    sender, sandbox, pool, sandbox_workspace, no_jira
):
    from jamono.incidents.slackops import AFTER_CARD_POST, AFTER_CHANNEL_CREATE

    _, ws = sandbox_workspace
    failpoints.arm(AFTER_CHANNEL_CREATE)
    failpoints.arm(AFTER_CARD_POST)
    before = len(sandbox.calls_to("conversations.create"))
    svc = _tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    assert (
        not failpoints._armed[AFTER_CHANNEL_CREATE] and not failpoints._armed[AFTER_CARD_POST]
    )  # both crashes happened
    creates = sandbox.calls_to("conversations.create")[before:]
    assert [c.ok for c in creates] == [True, False] and creates[1].error == "name_taken"
    assert row["channel_id"] == creates[0].response["channel"]["id"]
    assert len(list(sandbox.channel("#" + row["channel_name"]).name)) and _card(sandbox, row["channel_id"])
    assert _pins(sandbox, row["channel_id"]) == [row["card_ts"]]
    assert len([m for m in sandbox.bot_messages(row["channel_id"]) if "Incident channel for" in m["text"]]) == 1


async def test_a_name_someone_else_took_gets_the_next_one(sender, sandbox, pool, sandbox_workspace, no_jira):
    from jamono.incidents.views import channel_name

    _, ws = sandbox_workspace
    svc = _tag()
    title = f"Prod is down!! {svc} api returns 502 for every customer"
    taken = channel_name(datetime.now(UTC), title, 0)
    sandbox.add_channel("C0" + uuid.uuid4().hex[:8].upper(), taken, members=["U0DEV"])
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    assert row["channel_name"] == f"{taken}-2"


# --- changes ---------------------------------------------------------------------------------------


async def test_commands_change_it_everywhere_and_jira_follows_once(
    sender, sandbox, pool, sandbox_workspace, jira, broker
):
    _, ws = sandbox_workspace
    svc = _tag()
    ts, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel = row["channel_id"]
    row = await sandbox.wait_for(lambda: (r := _row(pool, ws, id=row["id"]))["jira_key"] and r, timeout=20)
    key = row["jira_key"]
    sandbox.add_user("U0LEAD", "lea", real_name="Léa Lead")
    sandbox.add_user("U0STRANGER", "stranger", real_name="Someone Else")
    sandbox.add_user("U0GUEST", "guest", real_name="A Guest", is_restricted=True)

    steps = [
        ("incident status identified bad deploy <@U0STRANGER>", "set the status to *identified*"),
        ("incident severity high", "changed the severity to *high*"),
        ("incident lead <@U0LEAD|lea>", "made <@U0LEAD> the incident lead"),
        ("incident update rolled back, error rate falling", "*Update from <@U0DEV>:* rolled back"),
        ("incident resolve fixed by rollback", "resolved the incident"),
    ]
    for text, said in steps:
        assert (await _command(sender, "U0DEV", channel, text)).status == 200
        await sandbox.wait_for(lambda said=said: _said(sandbox, channel, said), timeout=20)
    # A stranger may not change it; a wrong value gets the usage.
    await _command(sender, "U0STRANGER", channel, "incident status monitoring")
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0STRANGER") if "Only the incident lead" in e["text"]], timeout=20
    )
    await _command(sender, "U0GUEST", channel, "incident update all good")  # a guest, never
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0GUEST") if "Only the incident lead" in e["text"]], timeout=20
    )
    row = _row(pool, ws, id=row["id"])
    assert row["status"] == "resolved" and row["severity"] == "high" and row["lead"] == "U0LEAD"
    assert row["resolved_at"] is not None and row["last_update"] == "fixed by rollback"
    # Each change told once in the channel, the origin thread and the incidents channel; no ping leaked.
    for _, said in steps:
        assert len(_said(sandbox, channel, said)) == 1
        assert len(_said(sandbox, "C0OPS", said, thread_ts=ts)) == 1
        assert len(_said(sandbox, FEED, said)) == 1
    assert "<@U0STRANGER>" not in str(sandbox.bot_messages(channel)) and "&lt;@U0STRANGER&gt;" in str(
        sandbox.bot_messages(channel)
    )
    card = await sandbox.wait_for(
        lambda: (
            (c := _card(sandbox, channel))["blocks"][0]["text"]["text"].startswith(":white_check_mark: Resolved") and c
        ),
        timeout=10,
    )
    assert not [b for b in card["blocks"] if b["type"] == "actions"]  # no buttons once resolved
    assert "U0LEAD" in sandbox.channel(channel).members
    # Jira: priority, transitions, one comment per change.
    issue = await sandbox.wait_for(lambda: (i := jira.issue(key)) and len(i.comments) >= 5 and i, timeout=30)
    await queue_drained(broker)
    assert issue.fields["priority"] == {"name": "High"} and issue.fields["status"] == {"name": "Done"}
    assert len(issue.comments) == 5 and all("(ref nox-incident-event-" in c["body"] for c in issue.comments)
    assert [e["kind"] for e in _events(pool, ws, row["id"]) if e["kind"] != "postmortem"] == [  # drafted on resolve
        "declared",
        "action",  # the Jira ticket, on the timeline
        "status",
        "severity",
        "lead",
        "update",
        "resolved",
    ]
    await sandbox.wait_for(lambda: "(Done)" in str(_card(sandbox, channel)["blocks"]), timeout=10)
    # Resolved: no more changes.
    await _command(sender, "U0DEV", channel, "incident status investigating")
    await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user="U0DEV") if "is resolved" in e["text"]], timeout=20
    )


async def test_the_cards_buttons_and_selects(sender, sandbox, pool, sandbox_workspace, no_jira, broker):
    _, ws = sandbox_workspace
    svc = _tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel, card = row["channel_id"], _card(sandbox, row["channel_id"])
    block = next(b for b in card["blocks"] if b["type"] == "actions")
    clicks = [
        sender.block_actions(
            "U0DEV",
            [{"action_id": "incident_status:monitoring", "block_id": block["block_id"]}],
            channel=channel,
            message_ts=card["ts"],
        )
        for _ in range(2)
    ]
    await asyncio.gather(*[sender.send_interactive(click) for click in clicks])  # a double click: two requests
    await sandbox.wait_for(lambda: "*Status:* monitoring" in str(_card(sandbox, channel)["blocks"]), timeout=20)
    severity = sender.block_actions(
        "U0DEV",
        [
            {
                "action_id": "incident_severity",
                "block_id": block["block_id"],
                "selected_option": {"value": f"{row['id']}:low"},
            }
        ],
        channel=channel,
        message_ts=card["ts"],
    )
    await sender.send_interactive(severity)
    await sandbox.wait_for(lambda: "*Severity:* low" in str(_card(sandbox, channel)["blocks"]), timeout=20)
    sandbox.add_user("U0LEAD", "lea", real_name="Léa Lead")
    lead = sender.block_actions(
        "U0DEV",
        [{"action_id": "incident_lead", "block_id": block["block_id"], "selected_user": "U0LEAD"}],
        channel=channel,
        message_ts=card["ts"],
    )
    await sender.send_interactive(lead)
    await sandbox.wait_for(lambda: "*Lead:* <@U0LEAD>" in str(_card(sandbox, channel)["blocks"]), timeout=20)
    # Post update: a modal, then the update.
    update = sender.block_actions(
        "U0DEV",
        [{"action_id": "incident_update", "block_id": block["block_id"]}],
        channel=channel,
        message_ts=card["ts"],
    )
    await sender.send_interactive(update)
    view = (
        await sandbox.wait_for(
            lambda: [v for v in sandbox.open_views("U0DEV") if v.get("callback_id") == "nox_incident_update"],
            timeout=10,
        )
    )[-1]
    submit = sender.view_submission(
        "U0DEV",
        "nox_incident_update",
        {"update": {"value": {"type": "plain_text_input", "value": "cache warmed, watching"}}},
        view_id=view["id"],
        private_metadata=view["private_metadata"],
    )
    await sender.send_interactive(submit)
    await sandbox.wait_for(lambda: "cache warmed, watching" in str(_card(sandbox, channel)["blocks"]), timeout=20)
    await queue_drained(broker)
    kinds = [e["kind"] for e in _events(pool, ws, row["id"])]
    assert kinds == ["declared", "status", "severity", "lead", "update"]  # the double click: one change
    assert len(_said(sandbox, channel, "set the status to *monitoring*")) == 1


async def test_a_jira_outage_mid_incident_shows_on_the_card_then_catches_up_once(
    sender, sandbox, pool, sandbox_workspace, jira, broker
):
    _, ws = sandbox_workspace
    svc = _tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel = row["channel_id"]
    row = await sandbox.wait_for(lambda: (r := _row(pool, ws, id=row["id"]))["jira_key"] and r, timeout=20)
    await queue_drained(broker)
    jira.fail_next(3, 503)  # one job attempt's worth (1 + 2 in-process tries): then Jira is back
    await _command(sender, "U0DEV", channel, "incident status identified bad config")
    await sandbox.wait_for(lambda: "Jira is out of step" in str(_card(sandbox, channel)["blocks"]), timeout=20)
    issue = await sandbox.wait_for(lambda: (i := jira.issue(row["jira_key"])) and i.comments and i, timeout=30)
    await sandbox.wait_for(lambda: "Jira is out of step" not in str(_card(sandbox, channel)["blocks"]), timeout=20)
    await queue_drained(broker)
    assert len(issue.comments) == 1 and "identified" in issue.comments[0]["body"]
    assert issue.fields["status"] == {"name": "In Progress"}
    assert "(In Progress)" in str(_card(sandbox, channel)["blocks"])


# --- reminders ---------------------------------------------------------------------------------------

FROZEN_IGNORE = [
    "asyncio",
    "aiohttp",
    "dramatiq",
    "redis",
    "urllib3",
    "psycopg",
    "psycopg_pool",
    "slack_sdk",
    "slack_bolt",
    "jamono.sandbox",
    "concurrent",
    "selectors",
    "socket",
    "requests",
    "http",
    "email",
]


async def test_reminders_nudge_the_lead_once_per_silence_and_stop_when_resolved(
    sender, sandbox, pool, sandbox_workspace, no_jira, broker
):
    from freezegun import freeze_time

    from jamono.container import get_runtime
    from jamono.incidents.flows import remind
    from jamono.incidents.models import IncidentRef

    _, ws = sandbox_workspace
    svc = _tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    channel = row["channel_id"]
    assert row["severity"] == "critical"
    # The first reminder is a delayed message in the broker, due 15 minutes (critical) after the declaration.
    delayed = await sandbox.wait_for(
        lambda: [m for m in broker.client.hvals("jamono:incident_reminders.DQ.msgs") if str(row["id"]).encode() in m],
        timeout=10,
    )  # queued after the commit
    assert b"incidents_remind" in delayed[0]
    assert not [
        m for m in broker.client.hvals("jamono:nox.DQ.msgs") if b"incidents_remind" in m
    ]  # not the answers' queue
    job = IncidentRef(team_id=ws.team_id, user="U0DEV", incident_id=row["id"], due_for=row["last_update_at"])
    rt = get_runtime()

    def run_at(minutes: float) -> bool:
        with freeze_time(datetime.now(UTC) + timedelta(minutes=minutes), ignore=FROZEN_IGNORE, tick=True):
            return remind(rt, job)

    assert await asyncio.to_thread(run_at, 14) is False  # not yet (and rescheduled)
    assert await asyncio.to_thread(run_at, 16) is True
    assert await asyncio.to_thread(run_at, 17) is False  # the same silence: never twice
    nudges = _said(sandbox, channel, "no update on this incident for 15 min")
    assert len(nudges) == 1 and "<@U0DEV>" in nudges[0]["text"]
    # A new silence after the reminder: one more, later; an update resets the clock.
    after = _row(pool, ws, id=row["id"])
    job = job.model_copy(update={"due_for": after["reminded_at"]})
    assert await asyncio.to_thread(run_at, 16 + 16) is True
    assert len(_said(sandbox, channel, "no update on this incident for 15 min")) == 2
    await _command(sender, "U0DEV", channel, "incident resolve all good")
    await sandbox.wait_for(lambda: _said(sandbox, channel, "resolved the incident"), timeout=20)
    after = _row(pool, ws, id=row["id"])
    job = job.model_copy(update={"due_for": max(after["last_update_at"], after["reminded_at"])})
    assert await asyncio.to_thread(run_at, 120) is False  # resolved: no more reminders
    assert len(_said(sandbox, channel, "no update on this incident for")) == 2


# --- listing ----------------------------------------------------------------------------------------


async def test_nox_incidents_lists_the_open_ones_and_the_home_shows_them(
    sender, sandbox, pool, sandbox_workspace, no_jira
):
    _, ws = sandbox_workspace
    svc = _tag()
    _, _, row = await _declare_by_button(
        sender, sandbox, pool, ws, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_command(sender.slash_command("U0DEV", "incidents"))
    listed = await sandbox.wait_for(
        lambda: [
            e for e in sandbox.ephemerals(user="U0DEV") if "Open incidents" in e["text"] and svc in str(e["blocks"])
        ],
        timeout=20,
    )
    assert f"<#{row['channel_id']}>" in str(listed[-1]["blocks"]) and "|card>" in str(listed[-1]["blocks"])
    await sender.send_event(sender.app_home_opened("U0DEV"))
    home = await sandbox.wait_for(
        lambda: (v := sandbox.home_view("U0DEV")) and svc in str(v["blocks"]) and v, timeout=20
    )
    assert "Incidents ouverts" in str(home["blocks"])  # U0DEV's Slack locale is fr-FR


async def test_jamono_incidents_cli_lists_and_configures(sandbox, pool, sandbox_workspace, no_jira, capsys):
    from jamono.incidents.cli import main as incidents_cli
    from jamono.incidents.models import IncidentSettings

    _, ws = sandbox_workspace
    try:
        assert (
            incidents_cli(
                ["settings", "--team", ws.team_id, "--remind", "high=7", "--private", "on", "--responders", "S0ONCALL"]
            )
            == 0
        )
        with tenant_tx(pool, ws.tenant_id) as conn:
            raw = conn.execute("SELECT settings FROM workspaces WHERE id = %s", [ws.workspace_id]).fetchone()[
                "settings"
            ]
        stored = IncidentSettings.of(raw)
        assert (
            stored.reminder_minutes["high"] == 7 and stored.private_channels and stored.responders_group == "S0ONCALL"
        )
        assert raw["jira"] == UNSET_JIRA | raw["jira"]  # the rest of the settings untouched
        assert incidents_cli(["settings", "--team", ws.team_id, "--remind", "sev1=3"]) == 2
        assert incidents_cli(["list", "--team", ws.team_id]) == 0
        assert "open incident(s)" in capsys.readouterr().out
    finally:
        _incident_settings(pool, ws, None)


async def test_the_runbooks_nox_found_are_bookmarked(sender, sandbox, pool, sandbox_workspace, no_jira):
    _, ws = sandbox_workspace
    ts, reply, proposal = await _triage(
        sender, sandbox, "urgent: production checkout pods are in CrashLoopBackOff, OOMKilled since the last deploy"
    )
    interaction_id = proposal["block_id"].split(":", 1)[1]

    def cited():
        with tenant_tx(pool, ws.tenant_id) as conn:  # recorded just after the reply is posted
            found = conn.execute(
                "SELECT metadata->'sources' AS s FROM agent_interactions WHERE id = %s", [interaction_id]
            ).fetchone()
        return found and found["s"]

    sources = await sandbox.wait_for(cited, timeout=10)  # the triage cited runbooks
    with tenant_tx(pool, ws.tenant_id) as conn:  # give the cited runbooks a web address, as an ingested wiki has
        conn.execute(
            "UPDATE knowledge_documents SET url = 'https://runbooks.example.com/' || id WHERE id::text = ANY(%s)",
            [sources],
        )
    try:
        await sender.send_interactive(click_payload(sender, reply, proposal, "propose_incident"))
        row = await _declared(sandbox, pool, ws, interaction_id=interaction_id)
    finally:
        with tenant_tx(pool, ws.tenant_id) as conn:
            conn.execute("UPDATE knowledge_documents SET url = NULL WHERE id::text = ANY(%s)", [sources])
    links = [b["link"] for b in sandbox.bookmarks(row["channel_id"])]
    assert {f"https://runbooks.example.com/{s}" for s in sources[:5]} <= set(links)
    assert len(links) == len(set(links))
