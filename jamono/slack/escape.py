"""Text we did not write, made safe for Slack's mrkdwn.

Slack reads `<…>` in a message as a control sequence: `<!channel>`, `<!here>`, `<!everyone>`
notify everyone, `<!subteam^S123>` a user group, `<@U123>` a person, `<https://x|label>` a link
whose label hides its target. A summary, a title or a search query typed by one member, or a value
another system returned, must never do any of that when NOX repeats it. Slack's own rule: escape
`&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;` and nothing else is parsed as a control sequence.

Bare `@channel`, `@here` and `@everyone` are only mentions when a message is posted with
`link_names` (NOX never asks for it); they still get an invisible word joiner after the `@`, so
they stay plain text wherever the text travels next (a reply, a copy by another bot).
"""

from __future__ import annotations

import re

__all__ = ["escape_link_url", "escape_mrkdwn"]

_SPECIAL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def escape_mrkdwn(text: object) -> str:
    """`text` as plain words inside mrkdwn: no mention, broadcast, group ping or hidden link."""
    escaped = ("" if text is None else str(text)).translate(_SPECIAL)
    return _BROADCAST.sub(lambda m: f"@{_WORD_JOINER}{m.group(1)}", escaped)


def escape_link_url(url: object) -> str:
    """A URL for `<url|label>`: `&`, `<`, `>` escaped as Slack asks, and no `|` that would end it
    early (percent-encoded)."""
    return ("" if url is None else str(url)).translate(_SPECIAL).replace("|", "%7C")
