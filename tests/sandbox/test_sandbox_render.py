"""Block Kit → terminal text."""

from __future__ import annotations

from jamono.sandbox.render import BOLD, DIM, DIVIDER, RESET, find_buttons, render_blocks, render_message, render_mrkdwn

ANSWER = [
    {"type": "header", "text": {"type": "plain_text", "text": "CI is red on main"}},
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "See <https://runbooks.example/ci|the CI runbook> &amp; ask <@U0DEV>."},
    },
    {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": "*Severity*\nhigh"}, {"type": "mrkdwn", "text": "*Service*\nci"}],
    },
    {"type": "divider"},
    {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": "from runbook ci.md"},
            {"type": "image", "image_url": "https://x/y.png", "alt_text": "nox"},
        ],
    },
    {
        "type": "actions",
        "block_id": "proposal",
        "elements": [
            {
                "type": "button",
                "action_id": "create_ticket",
                "value": "inc-1",
                "text": {"type": "plain_text", "text": "Create Jira ticket"},
            },
            {"type": "button", "action_id": "dismiss", "text": {"type": "plain_text", "text": "Dismiss"}},
        ],
    },
]


def test_blocks_render_to_readable_text() -> None:
    assert render_blocks(ANSWER, users={"U0DEV": "dev"}) == "\n".join(
        [
            "*CI is red on main*",
            "See the CI runbook (https://runbooks.example/ci) & ask @dev.",
            "  *Severity* high",
            "  *Service* ci",
            DIVIDER,
            "from runbook ci.md · [image: nox]",
            "[ Create Jira ticket ]  [ Dismiss ]",
        ]
    )


def test_ansi_styles_headers_bold_and_context_dim() -> None:
    text = render_blocks(ANSWER, ansi=True)
    assert f"{BOLD}CI is red on main{RESET}" in text
    assert f"{DIM}from runbook ci.md · [image: nox]{RESET}" in text
    assert f"{BOLD}Severity{RESET} high" in text


def test_buttons_are_numbered_and_found_in_order() -> None:
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Book it?"},
            "accessory": {"type": "button", "action_id": "book", "text": {"type": "plain_text", "text": "Schedule"}},
        },
        *ANSWER,
    ]
    assert render_blocks(blocks, number_buttons=True).endswith("[ Create Jira ticket ] #2  [ Dismiss ] #3")
    assert [(b.action_id, b.block_id, b.value, b.text) for b in find_buttons(blocks)] == [
        ("book", None, None, "Schedule"),
        ("create_ticket", "proposal", "inc-1", "Create Jira ticket"),
        ("dismiss", "proposal", None, "Dismiss"),
    ]


def test_mrkdwn_links_mentions_and_specials() -> None:
    assert render_mrkdwn("<https://a.example>") == "https://a.example"
    assert (
        render_mrkdwn("<#C0OPS|ops> <!here> <@U1> <!subteam^S1|@oncall> <!date^1732450000^{date}|Nov 24>")
        == "#ops @here @U1 @oncall Nov 24"
    )
    assert render_mrkdwn("1 &lt; 2 &amp;&amp; 3 &gt; 2") == "1 < 2 && 3 > 2"


def test_messages_fall_back_to_text_and_show_attachments_and_rich_text() -> None:
    assert render_message({"text": "plain <https://x.example|link>"}) == "plain link (https://x.example)"
    rich = {
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [{"type": "text", "text": "Steps for "}, {"type": "user", "user_id": "U0DEV"}],
                    },
                    {
                        "type": "rich_text_list",
                        "style": "ordered",
                        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "restart"}]}],
                    },
                    {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "kubectl get pods"}]},
                ],
            }
        ],
        "attachments": [{"title": "Incident", "text": "sev2"}],
    }
    assert (
        render_message(rich, users={"U0DEV": "dev"})
        == "Steps for @dev\n1. restart\n```\nkubectl get pods\n```\n│ Incident\n│ sev2"
    )


def test_inputs_selects_and_unknown_blocks_do_not_crash() -> None:
    blocks = [
        {
            "type": "input",
            "label": {"type": "plain_text", "text": "Summary"},
            "element": {"type": "plain_text_input", "placeholder": {"type": "plain_text", "text": "what broke?"}},
        },
        {
            "type": "actions",
            "elements": [
                {"type": "static_select", "placeholder": {"type": "plain_text", "text": "Priority"}},
                {"type": "datepicker", "initial_date": "2026-11-24"},
            ],
        },
        {"type": "something_new"},
        "not a block",
    ]
    assert render_blocks(blocks) == "Summary: [ what broke? ]\n[ Priority ▾ ]  [ 2026-11-24 ]\n[something_new block]"
