"""Workspace settings: validation rules, tolerant loading, and the round trip through the DB under RLS."""

from __future__ import annotations

import uuid

import pytest
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from jamono.home.settings_model import WorkspaceSettings, load_settings, parse_stored, save_settings
from jamono.integrations.priorities import map_priority
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace


def test_defaults_are_safe():
    s = WorkspaceSettings()
    assert (s.action_mode, s.language, s.display_name, s.incident_channel) == ("confirm", "auto", "NOX", None)
    assert not s.jira.configured and not s.google.configured
    assert s.jira.priorities.as_dict() == {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}


@pytest.mark.parametrize(
    "changes",
    [
        {"action_mode": "yolo"},
        {"language": "de"},
        {"display_name": "x" * 81},
        {"display_name": "two\nlines"},
        {"incident_channel": "#ops"},
        {"admins": ["not-a-user"]},
        {"jira": {"url": "http://jira.example.com"}},
        {"jira": {"url": "https://user:pw@jira.example.com"}},
        {"jira": {"project_key": "ops"}},
        {"jira": {"project_key": "O"}},
        {"jira": {"email": "nope"}},
        {"google": {"mode": "api_key"}},
        {"google": {"calendar_id": "has space"}},
    ],
)
def test_invalid_values_are_refused(changes):
    with pytest.raises(ValidationError):
        WorkspaceSettings.model_validate(changes)


def test_values_are_normalised():
    s = WorkspaceSettings.model_validate(
        {
            "admins": ["U01", "U02", "U01"],
            "display_name": "  Nox  ",
            "jira": {"url": "https://team.atlassian.net/", "project_key": "INFRA2", "email": ""},
        }
    )
    assert s.admins == ["U01", "U02"] and s.display_name == "Nox"
    assert s.jira.url == "https://team.atlassian.net" and s.jira.email is None


def test_priority_mapping_feeds_the_jira_plugin():
    s = WorkspaceSettings.model_validate({"jira": {"priorities": {"critical": "P1 - Blocker"}}})
    assert map_priority("critical", s.jira.priorities.as_dict()) == "P1 - Blocker"
    assert map_priority("low", s.jira.priorities.as_dict()) == "Low"


def test_damaged_stored_settings_fall_back_per_field():
    s = parse_stored(
        {
            "language": "de",
            "display_name": "Ops bot",
            "admins": ["U01", "bad", "U02"],
            "jira": {"url": "http://insecure", "project_key": "OPS", "has_token": True},
            "someone_elses_key": {"x": 1},
        }
    )
    assert s.language == "auto" and s.display_name == "Ops bot" and s.admins == ["U01", "U02"]
    assert s.jira.url is None and s.jira.project_key == "OPS" and s.jira.has_token
    assert parse_stored(None) == WorkspaceSettings() and parse_stored("garbage") == WorkspaceSettings()


def test_round_trip_under_rls_keeps_other_modules_keys(pool, workspace):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert load_settings(conn, workspace.workspace_id) == WorkspaceSettings()
        conn.execute(
            "UPDATE workspaces SET settings = settings || %s WHERE id = %s",
            [Jsonb({"onboarding": {"done": True}}), workspace.workspace_id],
        )
        saved = save_settings(
            conn,
            workspace.workspace_id,
            {
                "action_mode": "automatic",
                "incident_channel": "C0INCIDENT",
                "jira": {"url": "https://acme.atlassian.net", "project_key": "OPS", "priorities": {"low": "Lowest"}},
            },
        )
    assert saved.jira.priorities.low == "Lowest" and saved.jira.priorities.high == "High"
    with tenant_tx(pool, workspace.tenant_id) as conn:
        # A second, partial change merges into the first (nested sections too).
        save_settings(conn, workspace.workspace_id, {"jira": {"issue_type": "Incident"}, "language": "fr"})
    with tenant_tx(pool, workspace.tenant_id) as conn:
        loaded = load_settings(conn, workspace.workspace_id)
        raw = conn.execute("SELECT settings FROM workspaces WHERE id = %s", [workspace.workspace_id]).fetchone()[
            "settings"
        ]
    assert loaded.action_mode == "automatic" and loaded.language == "fr" and loaded.incident_channel == "C0INCIDENT"
    assert (loaded.jira.url, loaded.jira.project_key, loaded.jira.issue_type) == (
        "https://acme.atlassian.net",
        "OPS",
        "Incident",
    )
    assert loaded.jira.priorities.low == "Lowest"
    assert raw["onboarding"] == {"done": True}


def test_invalid_changes_write_nothing(pool, workspace):
    with pytest.raises(ValidationError), tenant_tx(pool, workspace.tenant_id) as conn:
        save_settings(conn, workspace.workspace_id, {"display_name": "ok", "jira": {"url": "http://x"}})
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert load_settings(conn, workspace.workspace_id) == WorkspaceSettings()


def test_another_tenant_can_neither_read_nor_write(pool, workspace):
    other = register_workspace(pool, TeamIdentity(team_id="T" + uuid.uuid4().hex[:10].upper(), team_name="Other"))
    with tenant_tx(pool, workspace.tenant_id) as conn:
        save_settings(conn, workspace.workspace_id, {"display_name": "Mine"})
    with tenant_tx(pool, other.tenant_id) as conn:
        with pytest.raises(LookupError):
            load_settings(conn, workspace.workspace_id)
        with pytest.raises(LookupError):
            save_settings(conn, workspace.workspace_id, {"display_name": "Hijacked"})
    with tenant_tx(pool, workspace.tenant_id) as conn:
        assert load_settings(conn, workspace.workspace_id).display_name == "Mine"
