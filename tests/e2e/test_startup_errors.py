"""Start-up with Slack credentials Slack will not take: one line naming the setting, no traceback."""

from __future__ import annotations

import pytest

from jamono.platform.settings import SANDBOX_SIGNING_SECRET, SettingsError, load_settings


def test_a_token_slack_refuses_is_named_at_start(sandbox):
    import app

    settings = load_settings(
        _env_file=None,
        slack_bot_token="xoxb-revoked",
        slack_signing_secret=SANDBOX_SIGNING_SECRET,
        slack_api_url=sandbox.api_url,
    )
    with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN: Slack refused it at auth.test \(invalid_auth\)$"):
        app.identify_workspace(settings)


def test_an_unreachable_slack_api_is_named_at_start():
    import app

    settings = load_settings(
        _env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s", slack_api_url="http://127.0.0.1:1/api/"
    )
    with pytest.raises(SettingsError, match=r"^SLACK_API_URL: cannot reach http://127.0.0.1:1/api/"):
        app.identify_workspace(settings)


def test_multi_workspace_make_run_skips_the_single_workspace_setup(monkeypatch, capsys):
    """`make run` with SLACK_CLIENT_ID/SECRET: no auth.test (there is no bot token); installs load the runbooks."""
    import jamono.cli.devrun as devrun
    from jamono.platform.settings import get_settings

    for name, value in {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "cs", "SLACK_SIGNING_SECRET": "ss"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        devrun._prepare_workspace()
    finally:
        get_settings.cache_clear()
    assert "install NOX at /slack/install" in capsys.readouterr().out
