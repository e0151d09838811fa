import re

import pytest
from pydantic import SecretStr

from jamono.platform.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch):
    """Other tests of the session export Slack credentials; these read only what they are given."""
    for field in Settings.model_fields.values():
        for name in (field.validation_alias, field.alias):
            if isinstance(name, str):
                monkeypatch.delenv(name, raising=False)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def test_malformed_settings_are_named_in_one_line(monkeypatch):
    monkeypatch.setenv("SLACK_API_URL", "slack.com/api")
    monkeypatch.setenv("REDIS_URL", "localhost:6379")
    with pytest.raises(SettingsError) as excinfo:
        load_settings(_env_file=None)
    message = str(excinfo.value)
    assert "\n" not in message
    assert "SLACK_API_URL" in message and "REDIS_URL" in message


def test_secrets_are_not_printed(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-very-secret")
    settings = load_settings(_env_file=None)
    assert "xoxb-very-secret" not in repr(settings) and "signing-very-secret" not in repr(settings)
    assert settings.slack_bot_token.get_secret_value() == "xoxb-very-secret"


def test_api_url_gets_its_trailing_slash():
    assert load_settings(_env_file=None, slack_api_url="http://127.0.0.1:9/api").slack_api_url.endswith("/api/")


def _one_line_error(**values) -> str:
    with pytest.raises(SettingsError) as excinfo:
        load_settings(_env_file=None, **values)
    message = str(excinfo.value)
    assert "\n" not in message and "Value error" not in message
    return message


def test_a_bot_token_without_its_signing_secret_is_refused_not_served_with_the_sandbox_secret():
    assert _one_line_error(slack_bot_token="xoxb-1").startswith("SLACK_SIGNING_SECRET: required")
    assert _one_line_error(slack_bot_token="xoxb-1", slack_signing_secret="  ").startswith("SLACK_SIGNING_SECRET")
    assert _one_line_error(slack_client_id="1.2", slack_client_secret="s").startswith("SLACK_SIGNING_SECRET")


def test_half_an_install_or_socket_mode_configuration_names_what_is_missing():
    assert _one_line_error(slack_client_id="1.2", slack_signing_secret="s").startswith("SLACK_CLIENT_SECRET")
    assert _one_line_error(slack_client_secret="s", slack_signing_secret="s").startswith("SLACK_CLIENT_ID")
    assert _one_line_error(slack_app_token="xapp-1").startswith("SLACK_APP_TOKEN: Socket Mode also needs")
    assert "app-level token" in _one_line_error(slack_bot_token="xoxb-1", slack_app_token="xoxb-2")


def test_only_the_sandbox_uses_the_public_sandbox_secret():
    from jamono.platform.settings import SANDBOX_SIGNING_SECRET

    sandbox = load_settings(_env_file=None)
    assert not sandbox.slack_configured and sandbox.signing_secret == SANDBOX_SIGNING_SECRET
    socket = load_settings(_env_file=None, slack_bot_token="xoxb-1", slack_app_token="xapp-1")
    assert socket.slack_configured and socket.signing_secret not in ("", SANDBOX_SIGNING_SECRET)
    http = load_settings(_env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="real")
    assert http.signing_secret == "real"
    assert http.model_copy(update={"slack_signing_secret": SecretStr("rotated")}).signing_secret == "rotated"


def test_blank_urls_and_secrets_count_as_unset():
    settings = load_settings(_env_file=None, database_url="", redis_url=" ", openai_api_key="", sentry_dsn="")
    assert settings.database_url is None and settings.redis_url is None
    assert settings.openai_api_key is None and settings.sentry_dsn is None


@pytest.mark.parametrize(
    ("argv", "env", "named"),
    [
        (["worker"], {}, "REDIS_URL (or RABBITMQ_URL): not set"),
        (["worker"], {"REDIS_URL": "redis://127.0.0.1:1/0"}, "DATABASE_URL: not set"),
        (["serve"], {"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET: required"),
        (["worker"], {"WORKER_THREADS": "two"}, "WORKER_THREADS"),
        (["migrate", "--no-embedded"], {}, "DATABASE_URL: not set"),  # the Procfile's release step
        (
            ["worker"],
            {"REDIS_URL": "redis://127.0.0.1:1/0", "DATABASE_URL": "postgresql://nox@db.internal:5432/nox"},
            "JAMONO_ENCRYPTION_KEYS: required with a shared database",
        ),
        (["serve"], {"DATABASE_URL": "postgresql://nox@10.0.0.5/nox"}, "JAMONO_ENCRYPTION_KEYS: required"),
        # The sandbox's signing secret is public: it never faces a network or a shared database unasked.
        (["run"], {"HOST": "0.0.0.0"}, "HOST=0.0.0.0: NOX with the Slack sandbox verifies requests with a public"),
        (["sandbox"], {"HOST": "192.168.1.20"}, "--i-know-the-sandbox-secret-is-public"),
        (
            ["sandbox"],
            {"DATABASE_URL": "postgresql://nox@db.internal:5432/nox", "JAMONO_ENCRYPTION_KEYS": "x"},
            "DATABASE_URL: a shared database server with the Slack sandbox",
        ),
        (["serve"], {"HOST": "0.0.0.0"}, "HOST=0.0.0.0: NOX with the Slack sandbox"),
    ],
)
def test_the_command_line_reports_a_configuration_error_in_one_line(argv, env, named, monkeypatch, tmp_path, capsys):
    import logging
    import os

    import jamono.cli.main as cli
    from jamono.platform.settings import get_settings

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # cli.main sets up logging on capsys's stream
    monkeypatch.setattr(root, "level", root.level)
    monkeypatch.chdir(tmp_path)  # no .env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    environ_before = dict(os.environ)
    get_settings.cache_clear()
    try:
        assert cli.main(argv) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err.strip()
    assert err.startswith("jamono: configuration error: ") and named in err and "\n" not in err
    assert "Traceback" not in err
    assert dict(os.environ) == environ_before, "a refused command changes nothing"


def test_the_sandbox_may_face_a_network_only_when_told_to():
    from jamono.platform.settings import require_sandbox_private, sandbox_exposure_problem

    assert sandbox_exposure_problem("127.0.0.1", None) is None
    assert sandbox_exposure_problem("::1", "postgresql://nox@localhost/nox") is None
    assert sandbox_exposure_problem("0.0.0.0", None) is not None
    assert sandbox_exposure_problem("127.0.0.1", "postgresql://nox@10.0.0.5/nox") is not None
    # `jamono run|sandbox --i-know-the-sandbox-secret-is-public` tells its web process so.
    exposed = load_settings(_env_file=None, HOST="0.0.0.0", JAMONO_SANDBOX_EXPOSED="1")
    require_sandbox_private(exposed)
    with pytest.raises(SettingsError, match="HOST=0.0.0.0"):
        require_sandbox_private(load_settings(_env_file=None, HOST="0.0.0.0"))
    # Real Slack credentials: the secret is not public, HOST is the operator's business.
    require_sandbox_private(
        load_settings(_env_file=None, HOST="0.0.0.0", slack_bot_token="xoxb-1", slack_signing_secret="real")
    )


def test_a_database_that_does_not_answer_is_named_in_one_line():
    from jamono.platform.db import open_pool

    settings = load_settings(_env_file=None, database_url="postgresql://nox:hunter2@127.0.0.1:1/jamono")
    with pytest.raises(SettingsError) as excinfo:
        open_pool(settings, timeout_s=1)
    message = str(excinfo.value)
    assert message.startswith("DATABASE_URL: no connection within 1 s (") and "\n" not in message
    assert "127.0.0.1" in message and "hunter2" not in message


@pytest.mark.parametrize(
    ("url", "shared"),
    [
        (None, False),
        ("postgresql://postgres:@/jamono?host=/srv/.jamono/pgdata", False),
        ("postgresql://nox@localhost/nox", False),
        ("postgresql://nox@127.0.0.1:5432/nox", False),
        ("postgresql://%2Fvar%2Frun%2Fpostgresql/nox", False),
        ("postgresql://nox@127.0.0.2/nox", False),
        ("postgresql://nox@[::1]/nox", False),
        ("postgresql://nox@db.internal/nox?host=/tmp", False),
        ("postgresql://nox@db.internal:5432/nox", True),
        ("postgresql:///nox?host=10.0.0.5", True),
        ("postgresql:///nox?host=/tmp,10.0.0.1", True),
        ("postgresql://localhost:5432,10.0.0.5:5433/nox", True),
    ],
)
def test_only_a_database_other_machines_share_needs_configured_keys(url, shared, monkeypatch):
    from jamono.platform.addresses import shared_database

    monkeypatch.delenv("PGHOST", raising=False)
    assert shared_database(url) is shared


def test_a_host_from_pghost_counts_too(monkeypatch):
    from jamono.platform.addresses import shared_database

    monkeypatch.setenv("PGHOST", "db.internal")
    assert shared_database("postgresql:///nox") is True


def test_an_existing_development_key_is_named_rather_than_replaced(tmp_path):
    from jamono.platform.crypto import DEV_KEY_FILE, require_keys_for_shared_database

    (tmp_path / DEV_KEY_FILE).write_text("k")
    settings = load_settings(_env_file=None, database_url="postgresql://nox@db.internal/nox", JAMONO_DATA_DIR=tmp_path)
    with pytest.raises(SettingsError, match=re.escape(f"set it to the contents of {tmp_path / DEV_KEY_FILE}")):
        require_keys_for_shared_database(settings)
