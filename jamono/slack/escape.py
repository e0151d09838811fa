"""Text we did not write, made safe for Slack's mrkdwn.
Why and how: docs/design/slack.md."""

from __future__ import annotations

import re

__all__ = ["escape_canvas_markdown", "escape_link_url", "escape_mrkdwn"]

_SPECIAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_WORD_JOINER = "\u2060"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~<>])")  # with `[` inert, `](…)` and `![` are too
_LINE_START = re.compile(r"^(\s*)(?:([-+=#])|(\d+)\.(?=\s))")


def escape_mrkdwn(text: object) -> str:
    """`text` as plain words inside mrkdwn: no mention, broadcast, group ping or hidden link."""
    escaped = ("" if text is None else str(text)).translate(_SPECIAL)
    return _BROADCAST.sub(lambda m: f"@{_WORD_JOINER}{m.group(1)}", escaped)


def escape_link_url(url: object) -> str:
    """A URL for `<url|label>`: `&`, `<`, `>` escaped as Slack asks, and no `|` that would end it
    early (percent-encoded)."""
    return ("" if url is None else str(url)).translate(_SPECIAL).replace("|", "%7C")


def escape_canvas_markdown(text: object) -> str:
    """`text` as plain words inside one line of a canvas's Markdown: no link, image, mention
    (`![](@U…)`), emphasis, code, table or heading, and no list it would start."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", "" if text is None else str(text).replace("\n", " "))
    escaped = _LINE_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(2) else f"{m.group(1)}{m.group(3)}\\.", escaped
    )
    return _BROADCAST.sub(lambda m: f"@{_WORD_JOINER}{m.group(1)}", escaped)
