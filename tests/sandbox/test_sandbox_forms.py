"""Typed text → Slack's view.state values, as the terminal chat fills a modal in."""

from __future__ import annotations

import pytest

from jamono.sandbox.forms import choices, fields, initial_values, parse_value, shown_value

SEVERITY = {
    "type": "static_select",
    "action_id": "value",
    "options": [
        {"value": "critical", "text": {"type": "plain_text", "text": "Critical"}},
        {"value": "high", "text": {"type": "plain_text", "text": "High"}},
    ],
    "initial_option": {"value": "high", "text": {"type": "plain_text", "text": "High"}},
}
VIEW = {
    "type": "modal",
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "intro"}},
        {
            "type": "input",
            "block_id": "summary",
            "label": {"type": "plain_text", "text": "Summary"},
            "element": {"type": "plain_text_input", "action_id": "value", "initial_value": "db"},
        },
        {
            "type": "input",
            "block_id": "severity",
            "label": {"type": "plain_text", "text": "Severity"},
            "element": SEVERITY,
        },
        {
            "type": "input",
            "block_id": "who",
            "label": {"type": "plain_text", "text": "Who"},
            "optional": True,
            "element": {"type": "multi_users_select", "action_id": "value"},
        },
    ],
}
USERS = {"U0DEV": "dev", "U0ADMIN": "ada"}


def test_fields_and_initial_values_are_what_slack_would_submit_untouched():
    assert [(f.block_id, f.label, f.optional) for f in fields(VIEW)] == [
        ("summary", "Summary", False),
        ("severity", "Severity", False),
        ("who", "Who", True),
    ]
    values = initial_values(VIEW)
    assert values["summary"]["value"] == {"type": "plain_text_input", "value": "db"}
    assert values["severity"]["value"]["selected_option"]["value"] == "high"
    assert values["who"]["value"] == {"type": "multi_users_select", "selected_users": []}
    assert choices(SEVERITY) == "1. Critical · 2. High"


def test_typed_text_becomes_state_values():
    assert parse_value(SEVERITY, "1")["selected_option"]["value"] == "critical"
    assert parse_value(SEVERITY, "HIGH")["selected_option"]["value"] == "high"
    who = parse_value({"type": "multi_users_select"}, "@ada, U0DEV", users=USERS)
    assert who["selected_users"] == ["U0ADMIN", "U0DEV"] and shown_value(who, USERS) == "@ada, @dev"
    channel = parse_value({"type": "conversations_select"}, "#ops", channels={"C0OPS": "ops"})
    assert channel["selected_conversation"] == "C0OPS"
    assert parse_value({"type": "plain_text_input"}, "")["value"] is None
    with pytest.raises(ValueError, match="choose one of: 1. Critical, 2. High"):
        parse_value(SEVERITY, "medium")
    with pytest.raises(ValueError, match="no one or nothing called @bob"):
        parse_value({"type": "users_select"}, "bob", users=USERS)
