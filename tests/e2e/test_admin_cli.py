"""Admins in control from the command line (issue 14): integrations as code against the Jira and
Google stand-ins (through the egress guard, secrets encrypted), env settings for one workspace,
the audit export, and erasure."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from jamono.audit.cli import main as audit_main
from jamono.home.settings_model import load_settings
from jamono.integrations.cli import main as integrations_main
from jamono.platform.db import tenant_tx
from jamono.privacy.cli import main as privacy_main
from tests.standins.calendar_api import CalendarStandIn
from tests.standins.jira_api import JiraStandIn


def _jira_args(team: str, token_file, standin: JiraStandIn, url: str = "https://jira.example.com") -> list[str]:
    return [
        "connect",
        "jira",
        "--team",
        team,
        "--url",
        url,
        "--email",
        standin.email,
        "--project",
        "ops",
        "--token-file",
        str(token_file),
        "--endpoint",
        standin.url,
    ]


def _stored(pool, ws) -> dict[str, bytes | str | None]:
    with tenant_tx(pool, ws.tenant_id) as conn:
        rows = conn.execute("SELECT kind, secret_enc FROM integration_credentials").fetchall()
    return {r["kind"]: r["secret_enc"] for r in rows}


def _audit(pool, ws) -> list[tuple[str, str, str]]:
    with tenant_tx(pool, ws.tenant_id) as conn:
        rows = conn.execute("SELECT actor, action, target FROM audit_log ORDER BY id").fetchall()
    return [(r["actor"], r["action"], r["target"]) for r in rows]


def test_jira_connect_list_test_disconnect(e2e_settings, pool, workspace, tmp_path, capsys):
    team = workspace.team_id
    token_file = tmp_path / "jira-token"
    with JiraStandIn() as jira:
        token_file.write_text(jira.api_token + "\n")
        assert integrations_main(_jira_args(team, token_file, jira)) == 0
        with tenant_tx(pool, workspace.tenant_id) as conn:
            settings = load_settings(conn, workspace.workspace_id)
        assert settings.jira.configured and settings.jira.project_key == "OPS"  # the modal's own rules
        secret = _stored(pool, workspace)["jira"]
        assert secret and jira.api_token not in str(secret)  # encrypted at rest
        assert integrations_main(["list", "--team", team]) == 0
        listing = capsys.readouterr().out
        assert "jira    connected" in listing and "secret=stored" in listing and jira.api_token not in listing
        assert integrations_main(["test", "jira", "--team", team]) == 0
        assert "jira: ok" in capsys.readouterr().out
        assert any("/myself" in r.path for r in jira.requests)  # a real call through the plugin
    assert integrations_main(["disconnect", "jira", "--team", team]) == 0
    assert "jira" not in _stored(pool, workspace)
    assert integrations_main(["test", "jira", "--team", team]) == 1
    assert "jira is not connected" in capsys.readouterr().out
    assert [(a, act) for a, act, _ in _audit(pool, workspace)] == [
        ("operator", "integration.connected"),
        ("operator", "integration.disconnected"),
    ]


@pytest.mark.parametrize(
    ("url", "endpoint", "said"),
    [
        ("https://10.1.2.3", None, "private, loopback or otherwise internal"),
        ("https://jira.example.com", "http://169.254.169.254/latest", "private, loopback or otherwise internal"),
        ("http://jira.example.com", None, "invalid url"),
    ],
)
def test_jira_connect_refuses_what_the_app_home_and_the_egress_guard_refuse(
    e2e_settings, pool, workspace, tmp_path, capsys, url, endpoint, said
):
    token_file = tmp_path / "jira-token"
    token_file.write_text("a-valid-looking-token")
    args = ["connect", "jira", "--team", workspace.team_id, "--url", url, "--email", "nox@example.com"]
    args += ["--project", "OPS", "--token-file", str(token_file)] + (["--endpoint", endpoint] if endpoint else [])
    assert integrations_main(args) == 1
    assert said in capsys.readouterr().err
    assert _stored(pool, workspace) == {} and _audit(pool, workspace) == []


def test_google_connect_and_test_against_the_calendar_stand_in(e2e_settings, pool, workspace, tmp_path, capsys):
    with CalendarStandIn() as google:
        key = tmp_path / "google.json"
        key.write_text(json.dumps(google.new_service_account()))
        team = ["--team", workspace.team_id]
        args = ["connect", "google", *team, "--organizer", "ops@example.com", "--token-file", str(key)]
        assert integrations_main([*args, "--endpoint", google.api_endpoint]) == 0
        assert integrations_main(["test", "google", *team]) == 0
        assert "google: ok" in capsys.readouterr().out
        # A token URI pointing at the cloud metadata service never gets stored.
        bad = json.loads(key.read_text()) | {"token_uri": "http://169.254.169.254/token"}
        key.write_text(json.dumps(bad))
        assert integrations_main(args) == 1
        assert "internal" in capsys.readouterr().err


def test_env_settings_connect_jira_once_for_a_single_workspace(e2e_settings, pool, workspace, capsys):
    from jamono.integrations.manage import ConnectError, apply_env
    from jamono.workspaces.credentials import credential_store

    with JiraStandIn() as jira:
        settings = e2e_settings.model_copy(
            update={
                "jira_url": "https://jira.example.com",
                "jira_email": jira.email,
                "jira_api_token": __import__("pydantic").SecretStr(jira.api_token),
                "jira_project": "OPS",
            }
        )
        store = credential_store(e2e_settings)
        assert apply_env(pool, workspace, settings, store) == ["jira"]
        assert apply_env(pool, workspace, settings, store) == []  # a restart changes nothing
        with tenant_tx(pool, workspace.tenant_id) as conn:
            assert load_settings(conn, workspace.workspace_id).jira.configured
        assert [act for _, act, _ in _audit(pool, workspace)] == ["integration.connected"]
        with pytest.raises(ConnectError, match="go together"):
            apply_env(pool, workspace, settings.model_copy(update={"jira_project": None}), store)
        with pytest.raises(ConnectError, match="internal"):
            apply_env(pool, workspace, settings.model_copy(update={"jira_url": "https://10.0.0.7"}), store)


def test_audit_export_as_json_lines_since_a_date(e2e_settings, pool, workspace):
    from jamono.audit.store import record

    with tenant_tx(pool, workspace.tenant_id) as conn:
        record(conn, workspace.workspace_id, "U0ADA", "policy.changed", "policy", {"changed": ["policy.max_attendees"]})
        conn.execute("UPDATE audit_log SET at = now() - interval '10 days'")
        record(conn, workspace.workspace_id, "U0ADA", "admins.changed", "", {"added": ["U0BOB"], "removed": []})
        record(conn, workspace.workspace_id, "operator", "kb.removed", "runbooks/old.md")
    out = io.StringIO()
    since = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    assert audit_main(["export", "--team", workspace.team_id, "--since", since], out=out) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(e["actor"], e["action"]) for e in lines] == [("U0ADA", "admins.changed"), ("operator", "kb.removed")]
    assert lines[0]["details"] == {"added": ["U0BOB"], "removed": []} and lines[0]["at"]
    out = io.StringIO()
    assert audit_main(["export", "--team", workspace.team_id], out=out) == 0
    assert len(out.getvalue().splitlines()) == 3


def _dead_letter(redis_url, team: str, user: str):
    """A job of the person's that Dramatiq dead-lettered (as its nack leaves it in Redis)."""
    import dramatiq
    import redis

    client: Any = redis.Redis.from_url(redis_url)
    body = dramatiq.Message(
        queue_name="nox", actor_name="handle_message", args=({"team_id": team, "user": user},), kwargs={}, options={}
    ).encode()
    client.zadd("jamono:nox.XQ", {"dead-" + team: 1})
    client.hset("jamono:nox.XQ.msgs", "dead-" + team, body)
    return client


def test_privacy_erase_from_the_command_line(e2e_settings, pool, workspace, capsys):
    with tenant_tx(pool, workspace.tenant_id) as conn:
        conn.execute(
            "INSERT INTO agent_interactions (tenant_id, workspace_id, user_id, channel_id, message_type, message)"
            " VALUES (%s, %s, 'U0GONE', 'C0OPS', 'app_mention', 'please forget me')",
            [workspace.tenant_id, workspace.workspace_id],
        )
    dead = _dead_letter(e2e_settings.redis_url, workspace.team_id, "U0GONE")
    assert privacy_main(["erase", "--team", workspace.team_id, "--user", "U0GONE"]) == 0
    out = capsys.readouterr().out
    assert "1 conversations blanked" in out and "1 failed jobs dropped" in out
    assert dead.hget("jamono:nox.XQ.msgs", "dead-" + workspace.team_id) is None
    assert dead.zscore("jamono:nox.XQ", "dead-" + workspace.team_id) is None
    with tenant_tx(pool, workspace.tenant_id) as conn:
        row = conn.execute("SELECT message FROM agent_interactions WHERE user_id = 'U0GONE'").fetchone()
        audit = conn.execute("SELECT actor, action, target FROM audit_log").fetchall()
    assert row["message"] == ""
    assert [(a["actor"], a["action"], a["target"]) for a in audit] == [("operator", "privacy.erased", "U0GONE")]
    with pytest.raises(SystemExit):
        privacy_main(["erase", "--team", workspace.team_id, "--user", "not-a-user"])
