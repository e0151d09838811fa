import pytest

from jamono.settings import SettingsError, load_settings


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
    settings = load_settings(_env_file=None)
    assert "xoxb-very-secret" not in repr(settings)
    assert settings.slack_bot_token.get_secret_value() == "xoxb-very-secret"


def test_api_url_gets_its_trailing_slash():
    assert load_settings(_env_file=None, slack_api_url="http://127.0.0.1:9/api").slack_api_url.endswith("/api/")
