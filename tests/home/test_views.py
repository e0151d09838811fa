"""The App Home and settings modals: within Block Kit's limits with worst-case data, ids in place, French."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jamono.home import ids
from jamono.home.charts import hbar, hbar_rows, sparkline
from jamono.home.metrics import UsageMetrics
from jamono.home.settings_model import WorkspaceSettings
from jamono.home.views import (
    general_settings_modal,
    google_settings_modal,
    home_view,
    jira_settings_modal,
    loading_modal,
    notice_modal,
)
from jamono.sandbox.validation import check_view
from jamono.slack.validation import validate_view
from tests.home.factories import big_metrics, big_recent, big_settings

MODALS = {"general": general_settings_modal, "jira": jira_settings_modal, "google": google_settings_modal}


def _action_ids(view: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for block in view["blocks"]:
        for element in [block.get("accessory"), block.get("element"), *block.get("elements", [])]:
            if isinstance(element, dict) and "action_id" in element:
                found.add(element["action_id"])
    return found


def _all_text(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False)


def _home(is_admin: bool, lang: str, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "user_id": "U0DEV",
        "is_admin": is_admin,
        "settings": big_settings(),
        "metrics_7d": big_metrics(7),
        "metrics_30d": big_metrics(30),
        "recent": big_recent(),
        "lang": lang,
    }
    return home_view(**(args | overrides))


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("is_admin", [True, False])
def test_home_with_worst_case_data_is_valid(is_admin, lang):
    view = _home(is_admin, lang)
    assert validate_view(view) == []
    check_view(view)  # and the sandbox's independent Slack checks agree
    assert view["type"] == "home" and len(view["blocks"]) <= 100


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_minimal_home_is_valid(lang):
    view = home_view(
        user_id="U0DEV",
        is_admin=True,
        settings=WorkspaceSettings(),
        metrics_7d=None,
        metrics_30d=None,
        recent=[],
        lang=lang,
    )
    assert validate_view(view) == []
    assert "Usage" in _all_text(view) or "Utilisation" in _all_text(view)


def test_admins_get_every_edit_button_and_others_none():
    admin, member = _home(True, "en"), _home(False, "en")
    assert {"home_edit_jira", "home_edit_google", "home_edit_general"} <= _action_ids(admin)
    assert _action_ids(member) == set()
    admin_blocks = {b.get("block_id") for b in admin["blocks"]}
    assert {ids.B_HOME_GENERAL, ids.B_HOME_JIRA, ids.B_HOME_GOOGLE, "home_usage_7d", "home_usage_30d"} <= admin_blocks
    member_text = _all_text(member)
    assert not any(str(b.get("block_id", "")).startswith("home_usage") for b in member["blocks"])
    assert "LLM tokens" not in member_text and "atlassian" not in member_text
    assert "Workspace admins can configure NOX" in member_text


def test_everyone_sees_how_to_reach_nox_and_their_recent_conversations():
    view = _home(False, "en")
    text = _all_text(view)
    assert "/nox ask" in text and "Direct message" in text and "Mention me" in text
    assert "Your recent conversations" in text and "…and 30 more." in text
    assert "<!date^" in text


def test_user_text_is_made_inert():
    text = _all_text(_home(False, "en"))
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<https://evil.example" not in text
    recent = [b["text"]["text"] for b in _home(False, "en")["blocks"] if "<!date^" in b.get("text", {}).get("text", "")]
    assert recent and all("`" not in block for block in recent)  # no stray code fences


def test_usage_numbers_and_charts():
    view = _home(True, "en")
    text = _all_text(view)
    assert "9,876,543,210" in text and "2.4 s · 123.5 s" in text and "12,345 / 678 (95% 👍)" in text
    assert "4,321" in text and "*Meetings*\\n321" in text
    charts = [
        b["text"]["text"]
        for b in view["blocks"]
        if b.get("type") == "section" and "text" in b and b["text"]["text"].startswith(("```", "`"))
    ]
    week, month = charts
    assert week.startswith("```\n") and len(week.strip("`\n").splitlines()) == 7
    assert month.startswith("`") and len(month.strip("`")) == 30


def test_french_rendering():
    view = _home(True, "fr")
    text = _all_text(view)
    assert "votre coéquipier DevOps" in text and "Vos dernières conversations" in text
    assert "Modifier" in text and "Utilisation" in text and "*7 derniers jours*" in text and "Réunions" in text
    assert "9\u202f876\u202f543\u202f210" in text and "2,4 s" in text and "95\u202f%" in text
    assert "Agir automatiquement" in text and "ven" in text  # Friday's bar is labelled in French
    assert "Edit" not in {b.get("accessory", {}).get("text", {}).get("text") for b in view["blocks"]}


def test_no_votes_and_unknown_latency():
    empty = UsageMetrics(days=7, since=big_metrics(7).since, until=big_metrics(7).until)
    view = home_view(
        user_id="U0DEV",
        is_admin=True,
        settings=WorkspaceSettings(),
        metrics_7d=empty,
        metrics_30d=None,
        recent=[],
        lang="en",
    )
    text = _all_text(view)
    assert "no votes yet" in text and "— · —" in text and "Usage numbers are unavailable" in text
    assert validate_view(view) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("section", ["general", "jira", "google"])
@pytest.mark.parametrize("settings", [WorkspaceSettings(), big_settings()], ids=["defaults", "worst-case"])
def test_modals_are_valid(section, lang, settings):
    view = MODALS[section](settings, lang)
    assert validate_view(view) == []
    check_view(view)
    assert view["callback_id"] == ids.CALLBACKS[section]
    assert json.loads(view["private_metadata"])["lang"] == lang


def test_secrets_are_never_prefilled():
    settings = big_settings()
    jira = {b["block_id"]: b for b in jira_settings_modal(settings, "en")["blocks"]}
    google = {b["block_id"]: b for b in google_settings_modal(settings, "en")["blocks"]}
    assert "initial_value" not in jira[ids.B_JIRA_TOKEN]["element"]
    assert "initial_value" not in google[ids.B_GOOGLE_CREDENTIALS]["element"]
    # With a secret stored the field may stay empty ("keep it"); without one it is required.
    assert jira[ids.B_JIRA_TOKEN].get("optional") is True
    assert jira_settings_modal(WorkspaceSettings(), "en")["blocks"][2].get("optional") is None


def test_modals_show_current_values():
    settings = big_settings()
    general = {b["block_id"]: b["element"] for b in general_settings_modal(settings, "fr")["blocks"]}
    assert general[ids.B_ACTION_MODE]["initial_option"]["value"] == "automatic"
    assert general[ids.B_LANGUAGE]["initial_option"]["value"] == "fr"
    assert general[ids.B_INCIDENT_CHANNEL]["initial_conversation"] == "C0123456789"
    assert general[ids.B_ADMINS]["initial_users"] == settings.admins
    assert general[ids.B_DISPLAY_NAME]["initial_value"] == "N" * 80
    jira = {b["block_id"]: b["element"] for b in jira_settings_modal(settings, "en")["blocks"]}
    assert jira["jira_priority_critical"]["initial_value"] == "C" * 60
    google = {b["block_id"]: b["element"] for b in google_settings_modal(settings, "en")["blocks"]}
    assert google[ids.B_GOOGLE_MODE]["initial_option"]["value"] == "oauth"


def test_helper_modals_are_valid():
    assert validate_view(loading_modal("nox-settings-jira-abc")) == []
    assert validate_view(notice_modal("x" * 5000, "fr")) == []


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.mark.parametrize(
    "view, fragment",
    [
        ({"type": "home", "blocks": [{"type": "divider"}] * 101}, "101 blocks"),
        ({"type": "home", "blocks": [_section("x" * 3001)]}, "3001 characters"),
        (
            {"type": "home", "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}]},
            "11 fields",
        ),
        (
            {"type": "home", "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}]},
            "max 2000",
        ),
        (
            {"type": "home", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]},
            "max 150",
        ),
        ({"type": "home", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}]}, "not allowed"),
        (
            {
                "type": "home",
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "b" * 76}}
                        ],
                    }
                ],
            },
            "max 75",
        ),
        (
            {
                "type": "home",
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {"type": "button", "action_id": "a" * 256, "text": {"type": "plain_text", "text": "b"}}
                        ],
                    }
                ],
            },
            "action_id",
        ),
        (
            {"type": "home", "blocks": [{**_section("a"), "block_id": "x"}, {**_section("b"), "block_id": "x"}]},
            "duplicate",
        ),
        ({"type": "home", "blocks": [{**_section("a"), "block_id": "x" * 256}]}, "block_id"),
        ({"type": "home", "blocks": [_section("")]}, "must not be empty"),
        ({"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []}, "title/text"),
        (
            {
                "type": "modal",
                "title": {"type": "plain_text", "text": "t"},
                "blocks": [
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "l"},
                        "element": {"type": "plain_text_input", "action_id": "v"},
                    }
                ],
            },
            "needs a submit",
        ),
        (
            {
                "type": "modal",
                "title": {"type": "plain_text", "text": "t"},
                "submit": {"type": "plain_text", "text": "s"},
                "blocks": [
                    {
                        "type": "input",
                        "label": {"type": "plain_text", "text": "l"},
                        "element": {
                            "type": "static_select",
                            "action_id": "v",
                            "options": [{"text": {"type": "plain_text", "text": "a"}, "value": "a"}],
                            "initial_option": {"text": {"type": "plain_text", "text": "b"}, "value": "b"},
                        },
                    }
                ],
            },
            "initial_option",
        ),
        ({"type": "sheet", "blocks": []}, "not home or modal"),
    ],
)
def test_the_validator_catches_what_slack_refuses(view, fragment):
    problems = validate_view(view)
    assert problems and any(fragment in p for p in problems), problems


def test_charts():
    assert sparkline([0, 1, 2, 4, 8]) == "▁▂▃▅█"
    assert sparkline([0, 0]) == "▁▁" and sparkline([]) == ""
    assert sparkline([1, 1000]) == "▂█"  # any activity is visible
    assert hbar(0, 10, 5) == "░░░░░" and hbar(10, 10, 5) == "█████" and hbar(1, 1000, 5) == "█░░░░"
    rows = hbar_rows([("Mon", 3), ("Tuesday", 12)], width=4)
    assert rows == ["Mon     █░░░  3", "Tuesday ████ 12"]
    assert len({len(r) for r in rows}) == 1
