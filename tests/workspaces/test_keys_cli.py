"""`jamono keys`: a new key, and re-encrypting every tenant's secrets under it (in a database of its own,
so every row counted is ours)."""

from __future__ import annotations

import psycopg
import pytest
from cryptography.fernet import Fernet

from jamono.cli.keys import main, rotate_all
from jamono.platform.crypto import SecretBox, generate_key
from jamono.platform.db import open_pool, tenant_tx
from jamono.platform.settings import load_settings
from jamono.workspaces.installations import PostgresInstallationStore, route
from tests.workspaces.teams import installation, new_team


@pytest.fixture(scope="module")
def keys_pool(fresh_database_url):
    p = open_pool(load_settings(_env_file=None, database_url=fresh_database_url), max_size=2, name="keys-tests")
    yield p
    p.close()


def test_generate_prints_a_fernet_key(capsys):
    assert main(["generate"]) == 0
    key = capsys.readouterr().out.strip()
    Fernet(key)  # valid


def test_rotation_round_trip_across_tenants(keys_pool, fresh_database_url, capsys):
    key_a, key_b = generate_key(), generate_key()
    box_a = SecretBox([key_a])
    store_a = PostgresInstallationStore(keys_pool, box_a, "client")
    teams = [new_team() for _ in range(5)]
    for team in teams:  # five tenants, each with bot + refresh tokens and a user token
        store_a.save(
            installation(
                team,
                user_token=f"xoxp-{team}",
                bot_refresh_token=f"xoxe-1-{team}",
                bot_token_expires_in=43_200,
                bot_token=f"xoxb-{team}",
            )
        )
    first = route(keys_pool, teams[0], None)
    with tenant_tx(keys_pool, first.tenant_id) as conn:
        conn.execute(
            "INSERT INTO integration_credentials (tenant_id, workspace_id, kind, config, secret_enc)"
            " VALUES (%s, %s, 'jira', '{\"site\": \"acme\"}', %s)",
            [first.tenant_id, first.workspace_id, box_a.encrypt("jira-api-token")],
        )

    settings = load_settings(_env_file=None, database_url=fresh_database_url, jamono_encryption_keys=f"{key_b},{key_a}")
    # Readers with [B, A] work before, during and after the rotation.
    reader = PostgresInstallationStore(keys_pool, SecretBox([key_b, key_a]), "client")
    assert reader.find_bot(enterprise_id=None, team_id=teams[0]).bot_token == f"xoxb-{teams[0]}"

    assert main(["rotate", "--batch-size", "2"], settings=settings) == 0  # batches smaller than the table
    out = capsys.readouterr().out
    assert "slack_installations: 5 rows, 15 secrets re-encrypted, 0 already current" in out
    assert "integration_credentials: 1 rows, 1 secrets re-encrypted" in out
    assert key_a not in out and key_b not in out and "xoxb-" not in out and "jira-api-token" not in out
    assert reader.find_bot(enterprise_id=None, team_id=teams[0]).bot_token == f"xoxb-{teams[0]}"

    # Only B is needed now.
    only_b = SecretBox([key_b])
    store_b = PostgresInstallationStore(keys_pool, only_b, "client")
    for team in teams:
        found = store_b.find_installation(enterprise_id=None, team_id=team)
        assert (found.bot_token, found.user_token, found.bot_refresh_token) == (
            f"xoxb-{team}",
            f"xoxp-{team}",
            f"xoxe-1-{team}",
        )
    with tenant_tx(keys_pool, first.tenant_id) as conn:
        secret = conn.execute("SELECT secret_enc FROM integration_credentials").fetchone()["secret_enc"]
    assert only_b.decrypt(secret) == "jira-api-token"

    # Idempotent and resumable: a second run has nothing left to do.
    again = rotate_all(fresh_database_url, SecretBox([key_b, key_a]), batch_size=3)
    assert [(c.table, c.rotated, c.current) for c in again] == [
        ("slack_installations", 0, 15),
        ("integration_credentials", 0, 1),
    ]


def test_unreadable_secrets_are_reported_not_destroyed(keys_pool, fresh_database_url, capsys):
    stray = SecretBox([generate_key()])
    team = new_team()
    PostgresInstallationStore(keys_pool, stray, "client").save(installation(team, bot_token="xoxb-stray"))
    settings = load_settings(_env_file=None, database_url=fresh_database_url, jamono_encryption_keys=generate_key())
    assert main(["rotate"], settings=settings) == 1
    captured = capsys.readouterr()
    assert "unreadable (ids" in captured.out and "add the key that encrypted them" in captured.err
    assert (
        PostgresInstallationStore(keys_pool, stray, "client").find_bot(enterprise_id=None, team_id=team).bot_token
        == "xoxb-stray"
    )  # untouched


def test_the_rotation_role_sees_ciphertext_and_nothing_else(fresh_database_url):
    with psycopg.connect(fresh_database_url, autocommit=True) as conn:
        conn.execute("SET ROLE jamono_keys")
        conn.execute("SELECT id, bot_token_enc FROM slack_installations LIMIT 1")
        for query in (
            "SELECT team_id FROM slack_installations",
            "SELECT config FROM integration_credentials",
            "SELECT * FROM workspaces",
            "DELETE FROM slack_installations",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(query)


def test_rotate_refuses_to_invent_a_key(fresh_database_url, tmp_path, capsys):
    settings = load_settings(_env_file=None, database_url=fresh_database_url, JAMONO_DATA_DIR=str(tmp_path))
    assert main(["rotate"], settings=settings) == 2
    assert "JAMONO_ENCRYPTION_KEYS is not set" in capsys.readouterr().err
    assert not (tmp_path / "secret.key").exists()
