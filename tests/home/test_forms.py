"""Submitted settings modals: valid forms become changes; invalid ones become Slack's errors map."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jamono.home import ids
from jamono.home.forms import GeneralForm, GoogleForm, JiraForm, parse_general, parse_google, parse_jira, state_values
from jamono.home.settings_model import WorkspaceSettings
from jamono.home.views import general_settings_modal, google_settings_modal, jira_settings_modal

SERVICE_ACCOUNT = json.dumps(
    {
        "type": "service_account",
        "client_email": "nox@proj.iam.gserviceaccount.com",
        "private_key": "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
    }
)
OAUTH = json.dumps(
    {"installed": {"client_id": "id.apps.googleusercontent.com", "client_secret": "s"}, "refresh_token": "1//r"}
)


def text(value: str | None) -> dict[str, Any]:
    return {ids.VALUE: {"type": "plain_text_input", "value": value}}


def choice(kind: str, value: str | None) -> dict[str, Any]:
    return {ids.VALUE: {"type": kind, "selected_option": {"value": value} if value else None}}


def general_state(**over: Any) -> dict[str, Any]:
    values = {
        ids.B_ACTION_MODE: choice("radio_buttons", "automatic"),
        ids.B_INCIDENT_CHANNEL: {ids.VALUE: {"type": "conversations_select", "selected_conversation": "C0INC"}},
        ids.B_LANGUAGE: choice("static_select", "fr"),
        ids.B_DISPLAY_NAME: text("Nox"),
        ids.B_ADMINS: {ids.VALUE: {"type": "multi_users_select", "selected_users": ["U01", "U02"]}},
    }
    return {"values": values | over}


def jira_state(**over: Any) -> dict[str, Any]:
    values = {
        ids.B_JIRA_URL: text("https://acme.atlassian.net/"),
        ids.B_JIRA_EMAIL: text("nox@acme.io"),
        ids.B_JIRA_TOKEN: text("ATATT3xFfGF0-secret-token"),
        ids.B_JIRA_PROJECT: text("ops"),
        ids.B_JIRA_ISSUE_TYPE: text("Incident"),
        **{
            ids.B_JIRA_PRIORITY.format(severity=s): text(p)
            for s, p in {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}.items()
        },
    }
    return {"values": values | over}


def google_state(**over: Any) -> dict[str, Any]:
    values = {
        ids.B_GOOGLE_MODE: choice("radio_buttons", "service_account"),
        ids.B_GOOGLE_ORGANIZER: text("ops@acme.io"),
        ids.B_GOOGLE_CALENDAR: text("primary"),
        ids.B_GOOGLE_CREDENTIALS: text(SERVICE_ACCOUNT),
    }
    return {"values": values | over}


def test_general_form():
    form = parse_general(general_state())
    assert isinstance(form, GeneralForm)
    assert form.changes() == {
        "action_mode": "automatic",
        "incident_channel": "C0INC",
        "language": "fr",
        "display_name": "Nox",
        "admins": ["U01", "U02"],
    }
    cleared = parse_general(
        general_state(
            **{
                ids.B_INCIDENT_CHANNEL: {ids.VALUE: {"type": "conversations_select", "selected_conversation": None}},
                ids.B_ADMINS: {ids.VALUE: {"type": "multi_users_select", "selected_users": []}},
            }
        )
    )
    assert isinstance(cleared, GeneralForm) and cleared.incident_channel is None and cleared.admins == []
    # The changes validate as settings: what the modal accepts, the model stores.
    WorkspaceSettings.model_validate(form.changes())


def test_general_errors_point_at_their_blocks():
    errors = parse_general(
        general_state(
            **{
                ids.B_ACTION_MODE: choice("radio_buttons", None),
                ids.B_DISPLAY_NAME: text("x" * 81),
                ids.B_ADMINS: {ids.VALUE: {"type": "multi_users_select", "selected_users": ["U01", "B0BOT"]}},
            }
        )
    )
    assert errors == {
        ids.B_ACTION_MODE: "Choose how NOX should act.",
        ids.B_DISPLAY_NAME: "The name must be 1 to 80 characters on one line.",
        ids.B_ADMINS: "Pick at most 50 people (no bots or guests).",
    }


def test_jira_form_keeps_the_token_out_of_the_changes():
    form = parse_jira(jira_state())
    assert isinstance(form, JiraForm)
    changes = form.changes()
    assert changes == {
        "jira": {
            "url": "https://acme.atlassian.net",
            "email": "nox@acme.io",
            "project_key": "OPS",
            "issue_type": "Incident",
            "priorities": {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"},
        }
    }
    assert "secret-token" not in json.dumps(changes) and "secret-token" not in repr(form)
    assert form.secret is not None and form.secret.get_secret_value() == "ATATT3xFfGF0-secret-token"


def test_jira_errors_point_at_their_blocks_in_english_and_french():
    bad = jira_state(
        **{
            ids.B_JIRA_URL: text("http://acme.atlassian.net"),
            ids.B_JIRA_EMAIL: text("nox"),
            ids.B_JIRA_PROJECT: text("9ops"),
            ids.B_JIRA_ISSUE_TYPE: text(None),
            "jira_priority_high": text(""),
        }
    )
    errors = parse_jira(bad)
    assert isinstance(errors, dict)
    assert set(errors) == {
        ids.B_JIRA_URL,
        ids.B_JIRA_EMAIL,
        ids.B_JIRA_PROJECT,
        ids.B_JIRA_ISSUE_TYPE,
        "jira_priority_high",
    }
    assert errors[ids.B_JIRA_URL].startswith("Jira URL must start with https://")
    assert errors[ids.B_JIRA_PROJECT].startswith("Project key looks like OPS or INFRA2")
    fr = parse_jira(bad, "fr")
    assert isinstance(fr, dict) and fr[ids.B_JIRA_URL].startswith("L'URL Jira doit commencer par https://")
    assert fr[ids.B_JIRA_PROJECT].startswith("Une clé de projet ressemble à OPS ou INFRA2")


def test_jira_token_is_required_only_when_none_is_stored():
    no_token = jira_state(**{ids.B_JIRA_TOKEN: text(None)})
    assert parse_jira(no_token) == {ids.B_JIRA_TOKEN: "Paste an API token: NOX can't reach Jira without one."}
    kept = parse_jira(no_token, has_token=True)
    assert isinstance(kept, JiraForm) and kept.secret is None
    assert set(parse_jira(jira_state(**{ids.B_JIRA_TOKEN: text("has a space")}))) == {ids.B_JIRA_TOKEN}


def test_token_errors_and_field_errors_come_together():
    errors = parse_jira(jira_state(**{ids.B_JIRA_TOKEN: text(None), ids.B_JIRA_URL: text("ftp://x")}))
    assert set(errors) == {ids.B_JIRA_URL, ids.B_JIRA_TOKEN}  # one round trip shows every problem


def test_google_form_and_its_credentials_rules():
    form = parse_google(google_state())
    assert isinstance(form, GoogleForm)
    assert form.changes() == {
        "google": {"mode": "service_account", "organizer_email": "ops@acme.io", "calendar_id": "primary"}
    }
    assert "PRIVATE KEY" not in json.dumps(form.changes()) and "PRIVATE KEY" not in repr(form)
    oauth = parse_google(
        google_state(**{ids.B_GOOGLE_MODE: choice("radio_buttons", "oauth"), ids.B_GOOGLE_CREDENTIALS: text(OAUTH)})
    )
    assert isinstance(oauth, GoogleForm)


@pytest.mark.parametrize(
    "credentials, mode, message",
    [
        ("{not json", "service_account", "This isn't valid JSON"),
        ("[1, 2]", "service_account", "This isn't valid JSON"),
        (OAUTH, "service_account", "A service account key needs"),
        (SERVICE_ACCOUNT, "oauth", "OAuth credentials need"),
        (None, "service_account", "Paste the credentials JSON"),
    ],
)
def test_google_credentials_errors(credentials, mode, message):
    errors = parse_google(
        google_state(**{ids.B_GOOGLE_MODE: choice("radio_buttons", mode), ids.B_GOOGLE_CREDENTIALS: text(credentials)})
    )
    assert isinstance(errors, dict) and list(errors) == [ids.B_GOOGLE_CREDENTIALS]
    assert errors[ids.B_GOOGLE_CREDENTIALS].startswith(message)


def test_google_keeps_stored_credentials_and_checks_other_fields():
    kept = parse_google(google_state(**{ids.B_GOOGLE_CREDENTIALS: text("")}), has_credentials=True)
    assert isinstance(kept, GoogleForm) and kept.secret is None
    errors = parse_google(
        google_state(**{ids.B_GOOGLE_ORGANIZER: text("ops"), ids.B_GOOGLE_CALENDAR: text("a b")}), "fr"
    )
    assert errors == {
        ids.B_GOOGLE_ORGANIZER: "Saisissez l'e-mail de l'organisateur de l'agenda.",
        ids.B_GOOGLE_CALENDAR: "Saisissez `primary` ou un identifiant d'agenda (sans espace).",
    }


@pytest.mark.parametrize(
    "modal, state",
    [
        (general_settings_modal, general_state()),
        (jira_settings_modal, jira_state()),
        (google_settings_modal, google_state()),
    ],
)
def test_every_error_block_exists_in_its_modal(modal, state):
    """Slack rejects an errors map naming a block the modal doesn't have: keep them in sync."""
    block_ids = {b["block_id"] for b in modal(WorkspaceSettings(), "en")["blocks"]}
    assert set(state["values"]) == block_ids
    emptied = {"values": {block: text("§§ invalid ✗ " * 40) for block in block_ids}}
    parse = {
        general_settings_modal: parse_general,
        jira_settings_modal: parse_jira,
        google_settings_modal: parse_google,
    }[modal]
    errors = parse(emptied)
    assert isinstance(errors, dict) and errors and set(errors) <= block_ids


def test_state_values_reads_every_element_kind():
    values = state_values(
        {
            "values": {
                "a": text("hello"),
                "b": choice("static_select", "x"),
                "c": {ids.VALUE: {"type": "conversations_select", "selected_conversation": "C1"}},
                "d": {ids.VALUE: {"type": "multi_users_select", "selected_users": None}},
                "e": {"other_action": {"type": "plain_text_input", "value": "fallback"}},
            }
        }
    )
    assert values == {"a": "hello", "b": "x", "c": "C1", "d": [], "e": "fallback"}


def test_secrets_never_appear_in_validation_errors():
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        JiraForm.model_validate({"api_token": "ATATT3x secret with spaces", "url": "http://x"})
    assert "ATATT3x" not in str(caught.value)
