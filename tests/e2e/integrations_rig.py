"""Connecting the sandbox workspace to a Jira stand-in, shared by the action and incident flows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import SecretStr

from jamono.home.settings_model import save_settings
from jamono.integrations.retry import RetryPolicy
from jamono.platform.db import tenant_tx
from jamono.workspaces.credentials import PluginOptions, credential_store
from tests.standins.jira_api import JiraStandIn

# Integration calls that give up fast: the tests wait seconds, not minutes.
FAST = PluginOptions(
    timeout_s=0.5, retry=RetryPolicy(max_retries=2, base_delay_s=0.05, max_delay_s=0.2, max_retry_after_s=2)
)
UNSET_JIRA = {"url": None, "email": None, "project_key": None, "issue_type": "Task", "has_token": False}


def service_tag() -> str:
    """A service name no other test uses (incidents are matched by service and symptom)."""
    return "svc" + uuid.uuid4().hex[:6]


def save_workspace_settings(pool, workspace, changes: dict) -> None:
    """Save settings as the App Home would, and make the worker read them again."""
    from jamono.container import get_runtime

    with tenant_tx(pool, workspace.tenant_id) as conn:
        save_settings(conn, workspace.workspace_id, changes)
    get_runtime().workspaces.forget(workspace.team_id, workspace.enterprise_id)


@contextmanager
def jira_connected(pool, workspace, settings, incident_channel: str) -> Iterator[JiraStandIn]:
    """Jira connected for the workspace, pointed at a fresh stand-in; disconnected afterwards."""
    store = credential_store(settings)
    with JiraStandIn() as standin:
        save_workspace_settings(
            pool,
            workspace,
            {
                "jira": {
                    "url": "https://jira.example.com",
                    "email": standin.email,
                    "project_key": "OPS",
                    "issue_type": "Incident",
                    "has_token": True,
                },
                "incident_channel": incident_channel,
            },
        )
        with tenant_tx(pool, workspace.tenant_id) as conn:
            store.put(conn, workspace.workspace_id, "jira_api_token", SecretStr(standin.api_token))
            store.set_endpoint(conn, workspace.workspace_id, "jira", standin.url)
        yield standin
    with tenant_tx(pool, workspace.tenant_id) as conn:
        conn.execute("DELETE FROM integration_credentials WHERE kind = 'jira'")
    save_workspace_settings(pool, workspace, {"jira": UNSET_JIRA, "incident_channel": None, "action_mode": "confirm"})


def click_payload(sender, reply, proposal, action_id: str, *, user: str = "U0DEV", channel: str = "C0OPS"):
    """A signed click on one of a NOX reply's proposal buttons."""
    element = next(e for e in proposal["elements"] if e["action_id"] == action_id)
    return sender.block_actions(
        user,
        [{"action_id": action_id, "block_id": proposal["block_id"], "value": element["value"]}],
        channel=channel,
        message_ts=reply["ts"],
    )
