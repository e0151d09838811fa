"""`/nox status` through the production path, with Jira pointed at places a tenant might choose:
what the user reads is in NOX's words, never the remote server's, and internal addresses are
refused by the egress guard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from jamono.home.settings_model import save_settings
from jamono.platform.db import tenant_tx
from jamono.workspaces.credentials import credential_store
from tests.standins.jira_api import JiraStandIn

UNSET_JIRA = {"url": None, "email": None, "project_key": None, "issue_type": "Task", "has_token": False}


def _settings(pool, workspace, changes: dict) -> None:
    from jamono.container import get_runtime

    with tenant_tx(pool, workspace.tenant_id) as conn:
        save_settings(conn, workspace.workspace_id, changes)
    get_runtime().workspaces.forget(workspace.team_id, workspace.enterprise_id)


@pytest.fixture
def connect_jira(pool, sandbox_workspace, e2e_settings, worker) -> Iterator:
    _, ws = sandbox_workspace
    store = credential_store(e2e_settings)

    def connect(endpoint: str, email: str, token: str) -> None:
        _settings(
            pool,
            ws,
            {
                "jira": {
                    "url": "https://jira.example.com",
                    "email": email,
                    "project_key": "OPS",
                    "issue_type": "Task",
                    "has_token": True,
                }
            },
        )
        with tenant_tx(pool, ws.tenant_id) as conn:
            store.put(conn, ws.workspace_id, "jira_api_token", SecretStr(token))
            store.set_endpoint(conn, ws.workspace_id, "jira", endpoint)

    yield connect
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute("DELETE FROM integration_credentials WHERE kind = 'jira'")
    _settings(pool, ws, {"jira": UNSET_JIRA})


ADMIN = "U0STATADM"
MEMBER = "U0STATMEM"


async def _status_text(sender, sandbox, user: str = ADMIN) -> str:
    """What `/nox status` shows `user` (by default a Slack admin: integration details are theirs)."""
    sandbox.add_user(ADMIN, "statadmin", is_admin=True, locale="en-US")
    sandbox.add_user(MEMBER, "statmember", locale="en-US")
    before = len(sandbox.ephemerals(user=user))
    response = await sender.send_command(sender.slash_command(user, "status"))
    assert response.status == 200
    found = await sandbox.wait_for(
        lambda: [e for e in sandbox.ephemerals(user=user)[before:] if "Jira" in str(e.get("blocks"))], timeout=20
    )
    return str(found[-1]["blocks"])


async def test_status_shows_integration_details_to_admins_only(sender, sandbox, connect_jira) -> None:
    with JiraStandIn() as jira:
        connect_jira(jira.url, jira.email, jira.api_token)
        jira.fail_next(1, 403, path_contains="serverInfo")
        admin_text = await _status_text(sender, sandbox, ADMIN)
        calls_before = len(jira.requests)
        member_text = await _status_text(sender, sandbox, MEMBER)
        calls_after = len(jira.requests)
    assert ":red_circle: *Jira* — connected but failing: Jira refused the request" in admin_text
    assert ":large_green_circle: *Jira* — connected" in member_text
    assert "jira.example.com" not in member_text and "refused" not in member_text
    assert ":white_circle: *Google Calendar* — not connected" in member_text
    assert calls_before == calls_after, "a member's status makes no call to the tenant's Jira"


async def test_status_shows_no_remote_body_text(sender, sandbox, connect_jira) -> None:
    with JiraStandIn() as jira:
        connect_jira(jira.url, jira.email, jira.api_token)
        jira.fail_next(1, 403, path_contains="serverInfo")  # its body: "Injected failure 403"
        text = await _status_text(sender, sandbox)
    assert ":red_circle: *Jira* — connected but failing: Jira refused the request" in text
    assert "Injected failure" not in text


async def test_status_refuses_a_jira_on_the_metadata_address(sender, sandbox, connect_jira) -> None:
    connect_jira("http://169.254.169.254/latest/meta-data", "a@example.com", "t")
    text = await _status_text(sender, sandbox)
    assert ":red_circle: *Jira* — connected but failing: NOX may not connect to 169.254.169.254" in text
