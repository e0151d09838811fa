"""The App Home's policy section and audit log: the form's rules, who may save it, what is logged,
and what admins (only they) see. Real PostgreSQL under RLS and the Slack sandbox (which checks
every view against Block Kit's limits)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from jamono.home import ids
from jamono.home.flows import apply_settings, fill_settings_modal, publish_home
from jamono.home.forms import PolicyForm, parse_settings_form
from jamono.home.jobs import SettingsModalJob, SettingsSaveJob
from jamono.home.modals import loading_modal
from jamono.home.settings_model import load_settings
from jamono.platform.db import tenant_tx
from jamono.sandbox import SandboxThread, SlackSandbox


@pytest.fixture
def sandbox() -> Iterator[SlackSandbox]:
    with SandboxThread() as sb:
        sb.add_user("U0ADA", "ada", is_admin=True, locale="en-US")
        sb.add_user("U0BOB", "bob", locale="en-US")
        sb.add_user("U0GUS", "gus", locale="en-US", is_restricted=True)
        yield sb


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    return WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


def _state(**values: object) -> dict:
    def element(block: str, value: object) -> dict:
        if block == ids.B_ACTIONS_BY:
            return {"type": "radio_buttons", "selected_option": {"value": value}}
        return {"type": "plain_text_input", "value": value}

    return {"values": {block: {ids.VALUE: element(block, value)} for block, value in values.items()}}


def _policy_state(**overrides: object) -> dict:
    values = {
        ids.B_ACTIONS_BY: "everyone",
        ids.B_USERGROUP: "",
        ids.B_MAX_ATTENDEES: "8",
        ids.B_MAX_TICKETS: "5",
        ids.B_RETENTION: "30",
    }
    return _state(**{**values, **overrides})


def test_the_policy_form_takes_what_the_settings_take_and_says_what_is_wrong():
    form = parse_settings_form("policy", _policy_state())
    assert isinstance(form, PolicyForm)
    assert form.changes() == {
        "policy": {
            "actions_by": "everyone",
            "usergroup": None,
            "max_attendees": 8,
            "max_tickets_per_day": 5,
            "retention_days": 30,
        }
    }
    errors = parse_settings_form("policy", _policy_state(**{ids.B_ACTIONS_BY: "usergroup"}))
    assert errors == {ids.B_USERGROUP: "Enter the user group's id, like S0123ABCD."}
    errors = parse_settings_form(
        "policy", _policy_state(**{ids.B_MAX_ATTENDEES: "0", ids.B_MAX_TICKETS: "lots", ids.B_RETENTION: "99999"})
    )
    assert set(errors) == {ids.B_MAX_ATTENDEES, ids.B_MAX_TICKETS, ids.B_RETENTION}
    assert parse_settings_form("policy", _policy_state(**{ids.B_USERGROUP: "<!here>"})) == {
        ids.B_USERGROUP: "Enter the user group's id, like S0123ABCD."
    }


def _save(workspace, user: str, section: str, changes: dict) -> SettingsSaveJob:
    return SettingsSaveJob(team_id=workspace.team_id, user=user, section=section, changes=changes)  # type: ignore[arg-type]


def test_an_admin_saves_the_policy_and_each_change_is_audited_and_shown(pool, workspace, sandbox, client):
    policy = parse_settings_form("policy", _policy_state())
    assert isinstance(policy, PolicyForm)
    assert apply_settings(
        pool, client, workspace, _save(workspace, "U0ADA", "policy", policy.changes()), sealer=None, store=None
    ).saved
    general = {"action_mode": "confirm", "language": "auto", "display_name": "NOX", "admins": ["U0BOB"]}
    assert apply_settings(
        pool, client, workspace, _save(workspace, "U0ADA", "general", general), sealer=None, store=None
    ).saved
    refused = apply_settings(
        pool, client, workspace, _save(workspace, "U0GUS", "policy", policy.changes()), sealer=None, store=None
    )
    assert refused.refused
    with tenant_tx(pool, workspace.tenant_id) as conn:
        settings = load_settings(conn, workspace.workspace_id)
        log = conn.execute("SELECT actor, action, target, details FROM audit_log ORDER BY id").fetchall()
    assert settings.policy.actions_by == "everyone" and settings.policy.max_attendees == 8
    assert [(e["actor"], e["action"]) for e in log] == [("U0ADA", "policy.changed"), ("U0ADA", "admins.changed")]
    assert "policy.max_attendees" in log[0]["details"]["changed"]
    assert log[1]["details"] == {"added": ["U0BOB"], "removed": []}

    publish_home(pool, client, workspace, "U0ADA")
    admin_view = sandbox.home_view("U0ADA")
    blocks = {b.get("block_id"): b for b in admin_view["blocks"]}
    assert ids.B_HOME_POLICY in blocks and "8 attendees per meeting" in str(blocks[ids.B_HOME_POLICY])
    audit = str(blocks[ids.B_HOME_AUDIT])
    assert "`policy.changed`" in audit and "`admins.changed`" in audit and "<@U0ADA>" in audit
    publish_home(pool, client, workspace, "U0GUS")  # a guest, listed nowhere: no configuration, no log
    guest_view = {b.get("block_id") for b in sandbox.home_view("U0GUS")["blocks"]}
    assert ids.B_HOME_AUDIT not in guest_view and ids.B_HOME_POLICY not in guest_view


def test_the_policy_modal_opens_for_admins_only(pool, workspace, sandbox, client):
    for user, expected in (("U0ADA", ids.CALLBACKS["policy"]), ("U0BOB", ids.LOADING_CALLBACK)):
        job = SettingsModalJob(team_id=workspace.team_id, user=user, section="policy", external_id=f"x-{user}")
        client.views_open(trigger_id=sandbox.issue_trigger_id(user), view=loading_modal(job.external_id))
        view = fill_settings_modal(pool, client, workspace, job)
        assert view["callback_id"] == expected
