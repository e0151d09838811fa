"""Text we did not write never pings, links or formats as Slack control sequences."""

from __future__ import annotations

import pytest

from jamono.slack.escape import escape_link_url, escape_mrkdwn


@pytest.mark.parametrize(
    "raw",
    [
        "<!channel> prod is down",
        "<!here|here>",
        "<!everyone>",
        "<!subteam^S0123ABC|@oncall>",
        "<@U0BOSS> please look",
        "<@W0ENTERPRISE>",
        "<#C0SECRET|secret-room>",
        "<https://evil.example|https://jira.example.com/OPS-1>",
        "<!date^1700000000^{date}|x>",
    ],
)
def test_control_sequences_become_plain_text(raw: str) -> None:
    escaped = escape_mrkdwn(raw)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.startswith("&lt;") or "&lt;" in escaped


def test_the_three_characters_slack_reads_are_escaped_once() -> None:
    assert escape_mrkdwn("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape_mrkdwn("already &amp; escaped") == "already &amp;amp; escaped"  # text, not markup
    assert escape_mrkdwn(None) == "" and escape_mrkdwn(42) == "42"


def test_ordinary_text_is_unchanged() -> None:
    for text in (
        "checkout api returns 502 for every customer",
        "le nœud db-3 est plein à 98 %",
        "*bold* _it_ `code` :fire:",
        "mail me: ada@example.com",
        "p99 = 4s; 5xx/min ~ 200",
    ):
        assert escape_mrkdwn(text) == text


def test_bare_broadcasts_are_neutralised() -> None:
    for word in ("@channel", "@here", "@everyone", "@Channel"):
        escaped = escape_mrkdwn(f"hey {word} look")
        assert word not in escaped and word[1:] in escaped
    assert escape_mrkdwn("@hereford cattle") == "@hereford cattle"


def test_link_urls() -> None:
    assert escape_link_url("https://x.example/a?b=1&c=<2>|x") == "https://x.example/a?b=1&amp;c=&lt;2&gt;%7Cx"


@pytest.mark.parametrize(
    ("raw", "inert"),
    [
        ("[login](https://evil.example)", "\\[login\\](https://evil.example)"),
        ("![](@U0BOSS) ![](#C0SECRET)", "!\\[\\](@U0BOSS) !\\[\\](#C0SECRET)"),
        ("**bold** _it_ `code` ~~s~~", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~"),
        ("# heading", "\\# heading"),
        ("- list", "\\- list"),
        ("12. ordered", "12\\. ordered"),
        ("a | b", "a \\| b"),
        ("<https://x.example>", "\\<https://x.example\\>"),
        ("@here now", "@\u2060here now"),
        ("two\nlines", "two lines"),
        ("1.5 ms, 30% of #ops", "1.5 ms, 30% of #ops"),
    ],
)
def test_canvas_markdown_from_people_stays_text(raw, inert):
    from jamono.slack.escape import escape_canvas_markdown

    assert escape_canvas_markdown(raw) == inert
