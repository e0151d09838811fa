"""Issue 14, inside a workspace, end to end through signed requests: the App Home policy on who
may decide NOX's external actions and how many, knowledge base documents owned by their author,
private threads kept private, and the audit trail of each decision."""

from __future__ import annotations

import uuid

import pytest

from jamono.platform.db import tenant_tx
from tests.e2e.integrations_rig import click_payload, jira_connected, save_workspace_settings, service_tag
from tests.e2e.test_actions_flow import (
    INCIDENT_CHANNEL,
    _ephemeral,
    _incident_reply,
    _meeting_reply,
    _open_schedule,
    _rows,
    _said,
    _settled,
    _submission,
)

pytestmark = pytest.mark.usefixtures("fast_integrations")
DEFAULT_POLICY = {
    "actions_by": "requester_admins",
    "usergroup": None,
    "max_attendees": 20,
    "max_tickets_per_day": 50,
    "retention_days": 90,
}


@pytest.fixture
def jira(pool, sandbox_workspace, e2e_settings, worker):
    with jira_connected(pool, sandbox_workspace[1], e2e_settings, INCIDENT_CHANNEL) as standin:
        yield standin


@pytest.fixture
def policy(pool, sandbox_workspace):
    """Set the workspace's policy for one test; the default comes back afterwards."""
    _, ws = sandbox_workspace

    def set_policy(**changes):
        save_workspace_settings(pool, ws, {"policy": {**DEFAULT_POLICY, **changes}})

    yield set_policy
    save_workspace_settings(pool, ws, {"policy": DEFAULT_POLICY})


def _person(sandbox, kind: str, **flags) -> str:
    user = f"U0{kind}{uuid.uuid4().hex[:5].upper()}"
    sandbox.add_user(user, kind.lower(), locale="en-US", **flags)
    return user


def _rows_by_key(pool, ws, key: str) -> dict:
    with tenant_tx(pool, ws.tenant_id) as conn:
        return conn.execute("SELECT * FROM actions WHERE idempotency_key = %s", [key]).fetchone()


def _audit(pool, ws, action: str, target: str) -> list[dict]:
    with tenant_tx(pool, ws.tenant_id) as conn:
        return conn.execute(
            "SELECT actor, action, target, at FROM audit_log WHERE action = %s AND target = %s", [action, target]
        ).fetchall()


async def test_policy_everyone_lets_any_member_confirm_but_never_a_guest(
    sender, sandbox, pool, sandbox_workspace, jira, policy
):
    _, ws = sandbox_workspace
    member, guest = _person(sandbox, "MEM"), _person(sandbox, "GST", is_restricted=True)
    policy(actions_by="everyone")
    svc = service_tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket", user=guest))
    await _settled(sandbox, lambda: _ephemeral(sandbox, guest, "Guests cannot confirm"))
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket", user=member))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    row = next(iter(_rows(pool, ws, svc)))
    assert row["confirmed_by"] == member and len([i for i in jira.issues if svc in i.fields["summary"]]) == 1
    entries = _audit(pool, ws, "action.confirmed", str(row["id"]))
    assert [(e["actor"], e["action"]) for e in entries] == [(member, "action.confirmed")]


async def test_policy_user_group_decides_and_the_requester_alone_no_longer_does(
    sender, sandbox, pool, sandbox_workspace, jira, policy
):
    _, ws = sandbox_workspace
    oncall = _person(sandbox, "ONC")
    group = "S0" + uuid.uuid4().hex[:6].upper()
    sandbox.add_usergroup(group, [oncall])
    policy(actions_by="usergroup", usergroup=group)
    svc = service_tag()
    ts, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket"))  # U0DEV asked
    told = await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", f"members of the user group `{group}`"))
    assert told and next(iter(_rows(pool, ws, svc)))["status"] == "proposed"
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_ticket", user=oncall))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts, "Opened *<"))
    assert next(iter(_rows(pool, ws, svc)))["confirmed_by"] == oncall


async def test_ticket_cap_per_day_stops_the_next_ticket_with_a_clear_note(
    sender, sandbox, pool, sandbox_workspace, jira, policy
):
    from jamono.actions.policy import tickets_today

    _, ws = sandbox_workspace
    with tenant_tx(pool, ws.tenant_id) as conn:
        already = tickets_today(conn)
    policy(max_tickets_per_day=already + 1)
    first, second = service_tag(), service_tag()
    ts1, reply1, proposal1 = await _incident_reply(
        sender, sandbox, f"prod is down!! {first} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply1, proposal1, "propose_ticket"))
    await _settled(sandbox, lambda: _said(sandbox, "C0OPS", ts1, "Opened *<"))
    _, reply2, proposal2 = await _incident_reply(sender, sandbox, f"outage!! {second} checkout fails for all users")
    await sender.send_interactive(click_payload(sender, reply2, proposal2, "propose_ticket"))
    told = await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", f"opened its {already + 1} tickets for today"))
    assert "an admin can raise the cap" in told[-1]["text"]
    assert next(iter(_rows(pool, ws, second)))["status"] == "proposed"
    assert not [i for i in jira.issues if second in i.fields["summary"]]


async def test_attendee_cap_refuses_a_meeting_too_large_and_keeps_the_request(
    sender, sandbox, pool, sandbox_workspace, worker, policy
):
    sandbox.add_user("U0TOKYO", "kenji", tz="Asia/Tokyo", tz_offset=32400, email="kenji@example.com")
    policy(max_attendees=1)
    _, reply, proposal = await _meeting_reply(
        sender, sandbox, "can we set up a call with <@U0TOKYO> to plan the migration?"
    )
    view = await _open_schedule(sender, sandbox, reply, proposal)
    await sender.send_interactive(_submission(sender, view, duration="30", attendees=["U0DEV", "U0TOKYO"]))
    told = await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", "This meeting has 2 attendees"))
    assert "at most 1" in told[-1]["text"]
    _, ws = sandbox_workspace
    row = _rows_by_key(pool, ws, f"meeting:{proposal['block_id'].split(':', 1)[1]}")
    assert row["status"] == "proposed" and row["confirmed_by"] is None


async def test_dismissing_is_audited(sender, sandbox, pool, sandbox_workspace, jira):
    _, ws = sandbox_workspace
    svc = service_tag()
    _, reply, proposal = await _incident_reply(
        sender, sandbox, f"prod is down!! {svc} api returns 502 for every customer"
    )
    await sender.send_interactive(click_payload(sender, reply, proposal, "propose_dismiss"))
    # Waits on this proposal's own row (an earlier test's "Dismissed" note to U0DEV is still there).
    dismissed = await sandbox.wait_for(
        lambda: [r for r in _rows(pool, ws, svc) if r["status"] == "dismissed"], timeout=20
    )
    assert [e["actor"] for e in _audit(pool, ws, "action.dismissed", str(dismissed[0]["id"]))] == ["U0DEV"]


# --- the knowledge base --------------------------------------------------------------------------


def _kb_add(sender, user: str, title: str, content: str):
    return sender.view_submission(
        user,
        "kb_add",
        {
            "title": {"value": {"type": "plain_text_input", "value": title}},
            "content": {"value": {"type": "plain_text_input", "value": content}},
            "tags": {"value": {"type": "plain_text_input", "value": ""}},
        },
        private_metadata="C0OPS",
    )


def _document(pool, ws, title: str) -> dict:
    with tenant_tx(pool, ws.tenant_id) as conn:
        return conn.execute(
            "SELECT id, content, created_by, channel_scope FROM knowledge_documents WHERE title = %s", [title]
        ).fetchone()


async def test_a_document_belongs_to_its_author_and_only_they_or_an_admin_replace_it(
    sender, sandbox, pool, sandbox_workspace
):
    _, ws = sandbox_workspace
    other, admin = _person(sandbox, "MEM"), _person(sandbox, "ADM", is_admin=True)
    marker = uuid.uuid4().hex[:6]
    title = f"Rotating the {marker} certificates"
    await sender.send_interactive(_kb_add(sender, "U0DEV", title, f"Run certbot renew on {marker}-edge then reload."))
    await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", f"Saved *{title}*"))
    await sender.send_interactive(_kb_add(sender, other, title, "Just delete the certificates, nothing happens."))
    told = await _settled(sandbox, lambda: _ephemeral(sandbox, other, "already exists and belongs to <@U0DEV>"))
    assert "another title" in told[-1]["text"]
    doc = _document(pool, ws, title)
    assert "certbot renew" in doc["content"] and doc["created_by"] == "U0DEV"
    await sender.send_interactive(
        _kb_add(sender, admin, title, f"Run certbot renew on {marker}-edge, then reload nginx.")
    )
    await _settled(sandbox, lambda: _ephemeral(sandbox, admin, f"Saved *{title}*"))
    doc = _document(pool, ws, title)
    assert "reload nginx" in doc["content"] and doc["created_by"] == "U0DEV"  # the author stays credited
    with tenant_tx(pool, ws.tenant_id) as conn:
        actors = [
            r["actor"]
            for r in conn.execute(
                "SELECT actor FROM audit_log WHERE action = 'kb.saved' AND target = %s ORDER BY id", [title]
            ).fetchall()
        ]
    assert actors == ["U0DEV", admin]


async def test_a_thread_saved_from_a_private_channel_is_found_only_there(sender, sandbox, pool, sandbox_workspace):
    from jamono.container import get_runtime

    _, ws = sandbox_workspace
    private = "G0" + uuid.uuid4().hex[:8].upper()
    sandbox.add_channel(private, f"secret-{private.lower()}", is_private=True, members=[sandbox.bot_user_id, "U0DEV"])
    marker = f"quasar{uuid.uuid4().hex[:6]}"
    root = sandbox.user_says("U0DEV", private, f"the {marker} payroll export failed: disk quota on the vault host")
    sandbox.user_says("U0DEV", private, f"fixed by pruning {marker} snapshots older than a week", thread_ts=root["ts"])
    shortcut = sender.message_action("U0DEV", "kb_save_message", root, private)
    assert (await sender.send_interactive(shortcut)).status == 200
    told = await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", "private conversation"))
    assert "only there" in told[-1]["text"]
    rt = get_runtime()
    query = f"{marker} payroll export failed disk quota"
    assert any(marker in h.content for h in rt.search(ws, query, channel=private))
    assert not any(marker in h.content for h in rt.search(ws, query, channel="C0OPS"))
    assert not any(marker in h.content for h in rt.search(ws, query))
    await sender.send_command(sender.slash_command("U0DEV", f"kb search {marker} payroll export"))
    await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", "Nothing in the knowledge base matches"))


async def test_only_the_author_or_an_admin_removes_a_document(sender, sandbox, pool, sandbox_workspace):
    _, ws = sandbox_workspace
    other = _person(sandbox, "MEM")
    title = f"Draining the {uuid.uuid4().hex[:6]} queue"
    await sender.send_interactive(_kb_add(sender, "U0DEV", title, "Scale the consumers to ten, then wait."))
    await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", f"Saved *{title}*"))
    await sender.send_command(sender.slash_command(other, f"kb remove {title.upper()}"))
    await _settled(sandbox, lambda: _ephemeral(sandbox, other, "belongs to <@U0DEV>"))
    assert _document(pool, ws, title) is not None
    await sender.send_command(sender.slash_command("U0DEV", f"kb remove {title}"))
    await _settled(sandbox, lambda: _ephemeral(sandbox, "U0DEV", f"Removed *{title}*"))
    assert _document(pool, ws, title) is None
    assert [e["actor"] for e in _audit(pool, ws, "kb.removed", title)] == ["U0DEV"]


async def test_two_people_saving_one_title_at_once_one_wins_the_other_is_refused(sandbox, pool, sandbox_workspace):
    """The owner check is part of the write: two saves a few ms apart cannot both pass it."""
    import asyncio
    import threading

    from jamono.container import get_runtime
    from jamono.kb.flows import save_document
    from jamono.slack.payloads import KbSaveJob

    identity, ws = sandbox_workspace
    team = identity.team_id
    rt = get_runtime()
    people = [_person(sandbox, "ANA"), _person(sandbox, "BEN")]
    for round_ in range(3):  # a race each time: before the fix, both were told "Saved"
        title = f"Failing over the {uuid.uuid4().hex[:6]} primary"
        start = threading.Barrier(2)
        jobs = [
            KbSaveJob(
                team_id=team, user=user, title=title, content=f"{user} says: step {round_} is {user}.", channel="C0OPS"
            )
            for user in people
        ]

        def save(job: KbSaveJob, start: threading.Barrier = start) -> None:
            start.wait()
            save_document(rt, job)

        await asyncio.gather(*(asyncio.to_thread(save, job) for job in jobs))
        saved = [u for u in people if _ephemeral(sandbox, u, f"Saved *{title}*")]
        refused = [u for u in people if _ephemeral(sandbox, u, f"*{title}* already exists and belongs to")]
        assert len(saved) == 1 and len(refused) == 1, (saved, refused)
        winner, loser = saved[0], refused[0]
        assert _ephemeral(sandbox, loser, f"belongs to <@{winner}>")
        doc = _document(pool, ws, title)
        assert doc["created_by"] == winner and f"{winner} says" in doc["content"]
