"""The PostgreSQL installation and state stores: slack_sdk's semantics, tenant isolation, ciphertext only."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from slack_sdk.oauth.installation_store import Installation

from jamono.platform.crypto import SecretBox, generate_key
from jamono.platform.db import no_tenant_tx, tenant_tx
from jamono.platform.tenancy import load_workspace
from jamono.workspaces.installations import (
    AsyncPostgresInstallationStore,
    PostgresInstallationStore,
    PostgresOAuthStateStore,
    bot_token_for,
    deactivate_workspace,
    revoke_tokens,
    route,
)
from tests.workspaces.teams import installation, new_team


def test_save_registers_the_workspace_and_stores_only_ciphertext(store, pool, admin):
    team = new_team()
    inst = installation(team, user_token="xoxp-user-secret", user_scopes="search:read")
    store.save(inst)
    ctx = load_workspace(pool, team)
    assert ctx.is_active and ctx.bot_user_id == "U0NOX" and ctx.deployment_id is not None
    row = admin.execute("SELECT s.*, s::text AS whole FROM slack_installations s WHERE team_id = %s", [team]).fetchone()
    assert row["tenant_id"] == ctx.tenant_id and row["workspace_id"] == ctx.workspace_id
    assert inst.bot_token not in row["whole"] and "xoxp-user-secret" not in row["whole"]
    assert bytes(row["bot_token_enc"]).startswith(b"gAAAAA")
    assert store.find_bot(enterprise_id=None, team_id=team).bot_token == inst.bot_token
    found = store.find_installation(enterprise_id=None, team_id=team)
    assert (found.user_token, found.user_scopes, found.bot_scopes) == (
        "xoxp-user-secret",
        ["search:read"],
        ["chat:write", "commands"],
    )


def test_plaintext_can_never_be_stored_in_a_secret_column(store, pool):
    team = new_team()
    store.save(installation(team))
    found = route(pool, team, None)
    with pytest.raises(psycopg.errors.CheckViolation), tenant_tx(pool, found.tenant_id) as conn:
        conn.execute(
            "UPDATE slack_installations SET bot_token_enc = %s WHERE workspace_id = %s",
            [b"xoxb-plain", found.workspace_id],
        )


def test_newest_install_wins_and_unknown_teams_have_none(store):
    team = new_team()
    store.save(installation(team, bot_token="xoxb-old", installed_at=time.time() - 60))
    store.save(installation(team, bot_token="xoxb-new"))
    assert store.find_bot(enterprise_id=None, team_id=team).bot_token == "xoxb-new"
    assert store.find_installation(enterprise_id=None, team_id=team).bot_token == "xoxb-new"
    assert store.find_bot(enterprise_id=None, team_id=new_team()) is None
    assert store.find_installation(enterprise_id="E0NOPE", team_id=team) is None  # enterprise must match too


def test_a_users_installation_gets_the_latest_bot_token(store):
    team = new_team()
    store.save(
        installation(team, user_id="U1", bot_token="xoxb-first", user_token="xoxp-u1", installed_at=time.time() - 60)
    )
    store.save(installation(team, user_id="U2", bot_token="xoxb-second", user_token="xoxp-u2"))
    mine = store.find_installation(enterprise_id=None, team_id=team, user_id="U1")
    assert (mine.user_id, mine.user_token, mine.bot_token) == ("U1", "xoxp-u1", "xoxb-second")
    assert store.find_installation(enterprise_id=None, team_id=team, user_id="U3") is None


def test_resaving_an_install_refreshes_it_in_place_and_keeps_unblanked_tokens(store, admin):
    """Bolt saves rotated copies (same installed_at) whose user token it may have blanked."""
    team = new_team()
    inst = installation(team, user_token="xoxp-installer", bot_refresh_token="xoxe-1-r1", bot_token_expires_in=60)
    store.save(inst)
    refreshed = Installation(**inst.to_dict_for_copying())
    refreshed.bot_token, refreshed.bot_refresh_token = "xoxe.xoxb-rotated", "xoxe-1-r2"
    refreshed.bot_token_expires_at = int(time.time()) + 43_200
    refreshed.user_token = None
    store.save(refreshed)
    assert (
        admin.execute("SELECT count(*) AS n FROM slack_installations WHERE team_id = %s", [team]).fetchone()["n"] == 1
    )
    found = store.find_installation(enterprise_id=None, team_id=team)
    assert (found.bot_token, found.bot_refresh_token, found.user_token) == (
        "xoxe.xoxb-rotated",
        "xoxe-1-r2",
        "xoxp-installer",
    )
    assert found.bot_token_expires_at == refreshed.bot_token_expires_at


def test_deleting(store):
    team = new_team()
    store.save(installation(team, user_id="U1", user_token="xoxp-u1"))
    store.delete_installation(enterprise_id=None, team_id=team, user_id="U1")
    left = store.find_installation(enterprise_id=None, team_id=team)
    assert left.user_token is None and left.bot_token is not None  # the bot keeps working
    store.delete_bot(enterprise_id=None, team_id=team)
    assert store.find_bot(enterprise_id=None, team_id=team) is None
    assert store.find_installation(enterprise_id=None, team_id=team) is None  # no token left: row gone
    store.save(installation(team))
    store.delete_all(enterprise_id=None, team_id=team)
    assert store.find_installation(enterprise_id=None, team_id=team) is None


def test_org_wide_install_is_found_for_any_team_of_the_enterprise(store):
    enterprise = "E" + new_team()[1:]
    org = Installation(
        app_id="A0NOX",
        enterprise_id=enterprise,
        enterprise_name="Org",
        team_id=None,
        user_id="U1",
        bot_token="xoxb-org",
        bot_id="B0NOX",
        bot_user_id="U0NOX",
        is_enterprise_install=True,
    )
    store.save(org)
    found = store.find_installation(enterprise_id=enterprise, team_id="T0ANY", is_enterprise_install=True)
    assert found is not None and found.bot_token == "xoxb-org" and found.team_id is None
    assert store.find_bot(enterprise_id=enterprise, team_id=None).bot_token == "xoxb-org"


def test_tenants_cannot_see_each_others_installations_or_credentials(store, pool, box):
    team_a, team_b = new_team(), new_team()
    store.save(installation(team_a))
    store.save(installation(team_b))
    a, b = route(pool, team_a, None), route(pool, team_b, None)
    assert a.tenant_id != b.tenant_id
    with tenant_tx(pool, a.tenant_id) as conn:
        conn.execute(
            "INSERT INTO integration_credentials (tenant_id, workspace_id, kind, config, secret_enc)"
            " VALUES (%s, %s, 'jira', '{}', %s)",
            [a.tenant_id, a.workspace_id, box.encrypt("jira-api-token")],
        )
    with tenant_tx(pool, b.tenant_id) as conn:
        # No WHERE at all: row-level security alone decides.
        teams = [r["team_id"] for r in conn.execute("SELECT team_id FROM slack_installations")]
        creds = conn.execute("SELECT count(*) AS n FROM integration_credentials").fetchone()["n"]
        touched = conn.execute(
            "UPDATE slack_installations SET bot_token_enc = NULL WHERE team_id = %s RETURNING id", [team_a]
        ).fetchall()
        gone = conn.execute("DELETE FROM integration_credentials RETURNING id").fetchall()
    assert teams == [team_b] and creds == 0 and touched == [] and gone == []
    # Cannot write into another tenant either.
    with pytest.raises(psycopg.errors.InsufficientPrivilege), tenant_tx(pool, b.tenant_id) as conn:
        conn.execute(
            "INSERT INTO integration_credentials (tenant_id, workspace_id, kind) VALUES (%s, %s, 'google')",
            [a.tenant_id, a.workspace_id],
        )
    with no_tenant_tx(pool) as conn:
        assert conn.execute("SELECT count(*) AS n FROM slack_installations").fetchone()["n"] == 0
        assert conn.execute("SELECT count(*) AS n FROM integration_credentials").fetchone()["n"] == 0
    assert store.find_bot(enterprise_id=None, team_id=team_a) is not None


def test_worker_token_and_uninstall(store, pool, box, admin):
    team = new_team()
    inst = installation(team)
    store.save(inst)
    assert bot_token_for(pool, box, team) == inst.bot_token
    removed = deactivate_workspace(pool, team, None)
    assert removed.installations_deleted == 1
    assert bot_token_for(pool, box, team) is None
    assert store.find_bot(enterprise_id=None, team_id=team) is None
    assert (
        admin.execute("SELECT count(*) AS n FROM slack_installations WHERE team_id = %s", [team]).fetchone()["n"] == 0
    )
    ctx = load_workspace(pool, team)
    assert not ctx.is_active
    status = admin.execute(
        "SELECT status FROM agent_deployments WHERE workspace_id = %s", [ctx.workspace_id]
    ).fetchone()
    assert status["status"] == "removed"
    store.save(installation(team))  # re-install brings it back
    assert load_workspace(pool, team).is_active and bot_token_for(pool, box, team) is not None


def test_tokens_revoked_forgets_exactly_those_tokens(store, pool):
    team = new_team()
    store.save(installation(team, user_id="U1", user_token="xoxp-u1"))
    result = revoke_tokens(pool, team, None, bot_user_ids=[], user_ids=["U1"])
    assert result.user_tokens_cleared == 1 and result.installations_deleted == 0
    assert store.find_installation(enterprise_id=None, team_id=team).user_token is None
    result = revoke_tokens(pool, team, None, bot_user_ids=["U0NOX"], user_ids=[])
    assert result.bot_tokens_cleared == 1 and result.installations_deleted == 1
    assert store.find_bot(enterprise_id=None, team_id=team) is None
    assert revoke_tokens(pool, new_team(), None, ["U0NOX"], []).installations_deleted == 0


def test_a_ciphertext_under_an_unknown_key_fails_loudly(store, pool, sandbox):
    team = new_team()
    PostgresInstallationStore(pool, SecretBox([generate_key()]), sandbox.client_id).save(installation(team))
    with pytest.raises(Exception, match="could not be decrypted"):
        store.find_bot(enterprise_id=None, team_id=team)


async def test_async_wrapper_matches_the_sync_store(store):
    team = new_team()
    wrapper = AsyncPostgresInstallationStore(store)
    inst = installation(team)
    await wrapper.async_save(inst)
    assert (await wrapper.async_find_bot(enterprise_id=None, team_id=team)).bot_token == inst.bot_token
    assert (await wrapper.async_find_installation(enterprise_id=None, team_id=team)).user_id == "U0INSTALLER"
    await wrapper.async_delete_all(enterprise_id=None, team_id=team)
    assert await wrapper.async_find_installation(enterprise_id=None, team_id=team) is None
    assert "xoxb" not in repr(wrapper)


def test_oauth_states_are_used_once_and_expire(pool, admin):
    states = PostgresOAuthStateStore(pool, expiration_seconds=600)
    state = states.issue()
    assert len(state) >= 40
    assert states.consume(state) is True
    assert states.consume(state) is False  # reused
    assert states.consume("never-issued") is False
    expired = states.issue()
    admin.execute("UPDATE slack_oauth_states SET expire_at = now() - interval '1 second' WHERE state = %s", [expired])
    assert states.consume(expired) is False
    states.issue()  # issuing sweeps expired states
    assert (
        admin.execute("SELECT count(*) AS n FROM slack_oauth_states WHERE state = %s", [expired]).fetchone()["n"] == 0
    )


def test_a_state_is_consumed_once_even_under_concurrency(pool):
    states = PostgresOAuthStateStore(pool)
    state = states.issue()
    with ThreadPoolExecutor(max_workers=6) as workers:
        results = list(workers.map(states.consume, [state] * 6))
    assert results.count(True) == 1


def test_the_app_role_cannot_update_oauth_states(pool):
    with pytest.raises(psycopg.errors.InsufficientPrivilege), no_tenant_tx(pool) as conn:
        conn.execute("UPDATE slack_oauth_states SET expire_at = now() + interval '1 day'")
