"""The worker side end to end: a real database under RLS and the Slack sandbox (which checks views)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from jamono.home import ids
from jamono.home.flows import apply_settings, fill_settings_modal, publish_home, run_save_settings
from jamono.home.jobs import SettingsModalJob, SettingsSaveJob
from jamono.home.modals import loading_modal
from jamono.home.secrets import SecretSealer
from jamono.home.settings_model import load_settings, save_settings
from jamono.platform.db import tenant_tx
from jamono.sandbox import SandboxThread, SlackSandbox
from tests.home.factories import NOW, seed


@pytest.fixture
def sandbox() -> Iterator[SlackSandbox]:
    with SandboxThread() as sb:
        sb.add_user("U0ADA", "ada", is_admin=True, locale="en-US", tz="America/New_York")
        sb.add_user("U0BOB", "bob", locale="fr-FR")
        sb.add_user("U0CHLOE", "chloe", locale="fr-FR")
        yield sb


@pytest.fixture
def client(sandbox: SlackSandbox) -> WebClient:
    return WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


class MemoryStore:
    def __init__(self) -> None:
        self.items: dict[tuple[UUID, str], str] = {}

    def put(self, conn: Any, workspace_id: UUID, name: str, value: SecretStr) -> None:
        conn.execute("SELECT 1")  # runs inside the caller's transaction
        self.items[(workspace_id, name)] = value.get_secret_value()


def _action_ids(view: dict[str, Any]) -> set[str]:
    return {b["accessory"]["action_id"] for b in view["blocks"] if "accessory" in b}


def test_home_for_an_admin_and_for_a_member(pool, workspace, sandbox, client):
    seed(
        pool,
        workspace,
        [
            {
                "user_id": "U0BOB",
                "created_at": NOW,
                "message": "pourquoi la CI est rouge ?",
                "intent": "question",
                "response_time_ms": 900,
            }
        ],
    )
    publish_home(pool, client, workspace, "U0ADA", now=NOW)
    publish_home(pool, client, workspace, "U0BOB", now=NOW)
    admin, member = sandbox.home_view("U0ADA"), sandbox.home_view("U0BOB")
    assert _action_ids(admin) == {"home_edit_general", "home_edit_jira", "home_edit_google", "home_edit_policy"}
    assert _action_ids(member) == set()
    assert "your DevOps teammate" in json.dumps(admin)  # en-US locale, language "auto"
    member_text = json.dumps(member, ensure_ascii=False)
    assert "Vos dernières conversations" in member_text and "pourquoi la CI est rouge" in member_text


def test_listed_admins_and_workspace_language(pool, workspace, sandbox, client):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        save_settings(conn, workspace.workspace_id, {"admins": ["U0CHLOE"], "language": "en"})
    publish_home(pool, client, workspace, "U0CHLOE")
    view = sandbox.home_view("U0CHLOE")
    assert "home_edit_jira" in _action_ids(view) and "Configuration" in json.dumps(view)
    assert "your DevOps teammate" in json.dumps(view)  # the workspace's choice beats her fr-FR locale


def test_fill_modal_replaces_the_loading_one(pool, workspace, sandbox, client):
    job = SettingsModalJob(team_id=workspace.team_id, user="U0ADA", section="jira", external_id="nox-settings-jira-1")
    with pytest.raises(SlackApiError, match="not_found"):  # not open yet: the actor retries
        fill_settings_modal(pool, client, workspace, job)
    client.views_open(trigger_id=sandbox.issue_trigger_id("U0ADA"), view=loading_modal(job.external_id))
    fill_settings_modal(pool, client, workspace, job)
    view = sandbox.open_views("U0ADA")[-1]
    assert view["callback_id"] == ids.CALLBACKS["jira"] and any(
        b.get("block_id") == ids.B_JIRA_TOKEN for b in view["blocks"]
    )


def test_fill_modal_refuses_members(pool, workspace, sandbox, client):
    job = SettingsModalJob(
        team_id=workspace.team_id, user="U0BOB", section="general", external_id="nox-settings-general-2"
    )
    client.views_open(trigger_id=sandbox.issue_trigger_id("U0BOB"), view=loading_modal(job.external_id))
    fill_settings_modal(pool, client, workspace, job)
    view = sandbox.open_views("U0BOB")[-1]
    assert view["callback_id"] == ids.LOADING_CALLBACK and "Seuls les admins" in json.dumps(view, ensure_ascii=False)


def _save_job(
    workspace, user: str, sealer: SecretSealer | None, secret: str | None = "tok-123456789"
) -> SettingsSaveJob:
    return SettingsSaveJob(
        team_id=workspace.team_id,
        user=user,
        section="jira",
        changes={"jira": {"url": "https://acme.atlassian.net", "email": "nox@acme.io", "project_key": "OPS"}},
        sealed_secret=sealer.seal(SecretStr(secret)) if (sealer and secret) else None,
    )


def test_admin_saves_settings_and_secret(pool, workspace, sandbox, client):
    sealer, store = SecretSealer([Fernet.generate_key().decode()]), MemoryStore()
    outcome = apply_settings(pool, client, workspace, _save_job(workspace, "U0ADA", sealer), sealer=sealer, store=store)
    assert outcome.saved and outcome.secret_stored
    assert store.items == {(workspace.workspace_id, "jira_api_token"): "tok-123456789"}
    with tenant_tx(pool, workspace.tenant_id) as conn:
        jira = load_settings(conn, workspace.workspace_id).jira
    assert jira.configured and jira.project_key == "OPS"
    assert "acme.atlassian.net" in json.dumps(sandbox.home_view("U0ADA"))  # the Home was refreshed


def test_member_cannot_save_and_is_told_so(pool, workspace, sandbox, client):
    sealer, store = SecretSealer([Fernet.generate_key().decode()]), MemoryStore()
    outcome = apply_settings(pool, client, workspace, _save_job(workspace, "U0BOB", sealer), sealer=sealer, store=store)
    assert outcome.refused and not outcome.saved and store.items == {}
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert load_settings(conn, workspace.workspace_id).jira.url is None
    dm = sandbox.bot_messages(sandbox.dm_channel("U0BOB"))
    assert dm and "only workspace admins" in dm[-1]["text"]


def test_without_a_secret_store_settings_save_but_the_token_does_not(pool, workspace, sandbox, client):
    sealer = SecretSealer([Fernet.generate_key().decode()])
    outcome = apply_settings(pool, client, workspace, _save_job(workspace, "U0ADA", sealer), sealer=sealer, store=None)
    assert outcome.saved and not outcome.secret_stored and "not configured" in (outcome.secret_problem or "")
    with tenant_tx(pool, workspace.tenant_id) as conn:
        jira = load_settings(conn, workspace.workspace_id).jira
    assert jira.url == "https://acme.atlassian.net" and not jira.has_token
    assert "wasn't stored" in sandbox.bot_messages(sandbox.dm_channel("U0ADA"))[-1]["text"]


def test_rotated_keys_ask_for_the_secret_again(pool, workspace, sandbox, client):
    old, new = SecretSealer([Fernet.generate_key().decode()]), SecretSealer([Fernet.generate_key().decode()])
    outcome = apply_settings(
        pool, client, workspace, _save_job(workspace, "U0ADA", old), sealer=new, store=MemoryStore()
    )
    assert outcome.saved and "decrypted" in (outcome.secret_problem or "")


def test_actor_entry_point_forgets_the_cached_workspace(pool, workspace, sandbox, client):
    forgotten: list[tuple[str, str | None]] = []
    rt = SimpleNamespace(
        pool=pool,
        settings=SimpleNamespace(jamono_encryption_keys=None),
        workspaces=SimpleNamespace(
            get=lambda team, ent: workspace, forget=lambda team, ent: forgotten.append((team, ent))
        ),
        slack=SimpleNamespace(get=lambda token: client),
        bot_token=lambda ws: sandbox.bot_token,
    )
    job = _save_job(workspace, "U0ADA", None)
    job.changes = {"display_name": "Noxie"}
    run_save_settings(rt, job.model_dump(mode="json"))  # type: ignore[arg-type]
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert load_settings(conn, workspace.workspace_id).display_name == "Noxie"
    assert forgotten == [(workspace.team_id, None)]
