"""Jira/Google credentials per workspace: ciphertext at rest, tenant-isolated, and plugins built from them."""

import json

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from jamono.home.flows import apply_settings
from jamono.home.jobs import SettingsSaveJob
from jamono.home.secrets import SecretSealer
from jamono.home.settings_model import load_settings, save_settings
from jamono.platform.db import tenant_tx
from jamono.workspaces.credentials import CredentialStore, NotConnected
from tests.standins.calendar_api import CalendarStandIn


def _connect_jira(pool, ws, credentials: CredentialStore, jira) -> None:
    with tenant_tx(pool, ws.tenant_id) as conn:
        save_settings(
            conn,
            ws.workspace_id,
            {
                "jira": {
                    "url": "https://acme.atlassian.net",
                    "email": jira.email,
                    "project_key": "OPS",
                    "has_token": True,
                }
            },
        )
        credentials.put(conn, ws.workspace_id, "jira_api_token", SecretStr(jira.api_token))
        credentials.set_endpoint(conn, ws.workspace_id, "jira", jira.url)


def test_a_stored_token_is_ciphertext_and_builds_a_working_tracker(
    pool, workspace, credentials, jira, admin_database_url
):
    _connect_jira(pool, workspace, credentials, jira)
    import psycopg

    with psycopg.connect(admin_database_url) as owner:
        raw = owner.execute(
            "SELECT secret_enc FROM integration_credentials WHERE workspace_id = %s", [workspace.workspace_id]
        ).fetchone()[0]
    assert bytes(raw).startswith(b"gAAAAA") and jira.api_token.encode() not in bytes(raw)
    with tenant_tx(pool, workspace.tenant_id) as conn:
        tracker = credentials.tracker(conn, workspace.workspace_id, load_settings(conn, workspace.workspace_id))
    with tracker:
        assert "as NOX" in tracker.check()
    assert jira.api_token not in repr(credentials) + repr(tracker)


def test_another_tenant_cannot_read_them(pool, workspace, credentials, jira):
    from jamono.platform.tenancy import TeamIdentity, register_workspace

    _connect_jira(pool, workspace, credentials, jira)
    other = register_workspace(pool, TeamIdentity(team_id="TOTHER" + workspace.team_id[-4:]))
    with tenant_tx(pool, other.tenant_id) as conn:
        assert conn.execute("SELECT count(*) AS n FROM integration_credentials").fetchone()["n"] == 0
        with pytest.raises(NotConnected):
            credentials.tracker(conn, workspace.workspace_id, load_settings(conn, other.workspace_id))


def test_missing_pieces_mean_not_connected(pool, workspace, credentials):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        settings = load_settings(conn, workspace.workspace_id)
        with pytest.raises(NotConnected):
            credentials.tracker(conn, workspace.workspace_id, settings)
        with pytest.raises(NotConnected):
            credentials.calendar(conn, workspace.workspace_id, settings)


@pytest.mark.parametrize("mode", ["service_account", "oauth"])
def test_google_credentials_of_either_kind_build_a_working_calendar(mode, pool, workspace, credentials):
    with CalendarStandIn() as google:
        secret = (
            google.new_service_account() if mode == "service_account" else google.new_oauth_grant("ada@example.com")
        )
        with tenant_tx(pool, workspace.tenant_id) as conn:
            save_settings(
                conn,
                workspace.workspace_id,
                {"google": {"mode": mode, "organizer_email": "ada@example.com", "has_credentials": True}},
            )
            credentials.put(conn, workspace.workspace_id, "google_credentials", SecretStr(json.dumps(secret)))
            credentials.set_endpoint(conn, workspace.workspace_id, "google", google.api_endpoint)
            calendar = credentials.calendar(conn, workspace.workspace_id, load_settings(conn, workspace.workspace_id))
        with calendar:
            assert "ada@example.com" in calendar.check()


def test_the_app_home_settings_modal_stores_the_token_through_the_store(
    pool, workspace, credentials, slack, slack_client, jira
):
    """What the save_settings actor does: the sealed token from the modal lands encrypted in the table."""
    key = Fernet.generate_key().decode()
    sealer = SecretSealer([key])
    job = SettingsSaveJob(
        team_id=workspace.team_id,
        user="U0ADMIN",
        section="jira",
        changes={
            "jira": {
                "url": "https://acme.atlassian.net",
                "email": jira.email,
                "project_key": "OPS",
                "issue_type": "Task",
            }
        },
        sealed_secret=sealer.seal(SecretStr(jira.api_token)),
    )
    outcome = apply_settings(pool, slack_client, workspace, job, sealer=sealer, store=credentials)
    assert outcome.saved and outcome.secret_stored
    with tenant_tx(pool, workspace.tenant_id) as conn:
        settings = load_settings(conn, workspace.workspace_id)
        assert settings.jira.configured
        credentials.set_endpoint(conn, workspace.workspace_id, "jira", jira.url)
        tracker = credentials.tracker(conn, workspace.workspace_id, settings)
    with tracker:
        assert tracker.priorities()[0] == "Highest"
