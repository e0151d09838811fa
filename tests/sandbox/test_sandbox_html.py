"""The Block Kit → HTML renderer the playground shows: safe with hostile text, faithful to the
blocks, and strict about what Slack would refuse."""

from __future__ import annotations

import re

import pytest

from jamono.sandbox.html import Directory, SlackRejects, mrkdwn, render_message_body, render_view

NAMES = Directory(users={"U0DEV": "dev", "U0NOX": "nox"}, channels={"C0OPS": "ops"})
HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> &lt;b&gt;'


def tags(rendered: str) -> set[str]:
    return set(re.findall(r"<([a-zA-Z0-9]+)", rendered))


def test_hostile_text_stays_text_in_mrkdwn_plain_text_fields_and_rich_text():
    message = {
        "text": HOSTILE,
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": HOSTILE},
                "fields": [{"type": "plain_text", "text": HOSTILE}],
                "accessory": {
                    "type": "button",
                    "action_id": "a",
                    "value": '"><script>x</script>',
                    "text": {"type": "plain_text", "text": HOSTILE},
                },
            },
            {
                "type": "rich_text",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": HOSTILE}]}],
            },
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "<javascript:alert(3)|click me>"}]},
            {"type": "image", "image_url": "https://evil.example/x.png", "alt_text": HOSTILE},
        ],
    }
    rendered = render_message_body(message, NAMES)
    assert "<script" not in rendered and "<img" not in rendered and 'onerror="' not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "javascript:" not in rendered.split("click me")[0].split("context")[-1] or 'href="javascript' not in rendered
    assert 'href="javascript' not in rendered and "evil.example" not in rendered  # images are never loaded
    assert tags(rendered) <= {"div", "span", "button", "strong", "em", "s", "br", "code", "pre", "figure", "a"}
    # Slack's own entities are decoded once, then escaped: &lt;b&gt; shows as "<b>", not as a tag.
    assert "&lt;b&gt;" in rendered and "<b>" not in rendered


def test_mrkdwn_formats_links_mentions_code_and_emoji():
    rendered = mrkdwn(
        "*Fix:* run `kubectl rollout undo` in <#C0OPS> for <@U0DEV> :eyes: "
        "<https://runbooks.example/k8s|Rollback runbook> _now_ ~never~\n```a < b```",
        NAMES,
    )
    assert "<strong>Fix:</strong>" in rendered and "<code>kubectl rollout undo</code>" in rendered
    assert "#ops" in rendered and "@dev" in rendered and "👀" in rendered
    assert (
        '<a href="https://runbooks.example/k8s" target="_blank" rel="noopener noreferrer">Rollback runbook</a>'
        in rendered
    )
    assert "<em>now</em>" in rendered and "<s>never</s>" in rendered
    assert '<pre class="bk-pre"><code>a &lt; b</code></pre>' in rendered


def test_every_block_kind_and_interactive_element_is_rendered():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Incident :rotating_light:"}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Severity*\nSEV2"}]},
        {"type": "divider"},
        {
            "type": "actions",
            "block_id": "vote",
            "elements": [
                {
                    "type": "button",
                    "action_id": "up",
                    "value": "1",
                    "text": {"type": "plain_text", "text": "👍"},
                    "style": "primary",
                },
                {
                    "type": "static_select",
                    "action_id": "pick",
                    "placeholder": {"type": "plain_text", "text": "Pick"},
                    "options": [{"value": "a", "text": {"type": "plain_text", "text": "A"}}],
                },
                {
                    "type": "overflow",
                    "action_id": "more",
                    "options": [{"value": "x", "text": {"type": "plain_text", "text": "X"}}],
                },
            ],
        },
    ]
    rendered = render_message_body({"blocks": blocks}, NAMES)
    assert "🚨" in rendered and "<strong>Severity</strong><br>SEV2" in rendered and "<hr" in rendered
    assert 'data-action-id="up" data-block-id="vote" data-type="button" data-value="1"' in rendered
    assert "bk-primary" in rendered and '<option value="a">A</option>' in rendered


def test_a_modal_keeps_typed_values_and_shows_errors_by_its_inputs():
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Declare an incident"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "blocks": [
            {
                "type": "input",
                "block_id": "summary",
                "label": {"type": "plain_text", "text": "Summary"},
                "element": {"type": "plain_text_input", "action_id": "summary"},
            },
            {
                "type": "input",
                "block_id": "severity",
                "label": {"type": "plain_text", "text": "Severity"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "severity",
                    "options": [{"value": "sev1", "text": {"type": "plain_text", "text": "SEV1"}}],
                },
            },
        ],
        "state": {"values": {"summary": {"summary": {"type": "plain_text_input", "value": "<b>db down</b>"}}}},
    }
    rendered = render_view(view, NAMES, errors={"summary": "Too short <script>"})
    assert 'value="&lt;b&gt;db down&lt;/b&gt;"' in rendered
    assert 'role="alert">Too short &lt;script&gt;</div>' in rendered
    label_for = re.search(r'<label class="bk-label" for="([^"]+)">Summary', rendered)
    assert label_for and f'id="{label_for.group(1)}"' in rendered and 'aria-invalid="true"' in rendered
    assert "<fieldset" in rendered and "<legend" in rendered


def test_what_slack_would_refuse_fails_here():
    too_long = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}
    too_many = {"blocks": [{"type": "divider"}] * 51}
    for message in (too_long, too_many):
        with pytest.raises(SlackRejects):
            render_message_body(message, strict=True)
        assert "Slack would reject this" in render_message_body(message)
    view = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    with pytest.raises(SlackRejects, match="less than 101 items"):
        render_view(view, strict=True)
    render_view({"type": "home", "blocks": [{"type": "divider"}] * 100}, strict=True)
