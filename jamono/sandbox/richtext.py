"""Slack's rich_text block for a typed message, as clients attach to every human message.

Apps that read mentions from blocks instead of text need this to look real.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

_TOKEN = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>|<(https?://[^>|]+)(?:\|([^>]*))?>")


def rich_text_blocks(text: str) -> list[dict[str, Any]]:
    """One rich_text block whose section splits text into text, user, channel and link elements."""
    elements: list[dict[str, Any]] = []
    position = 0
    for match in _TOKEN.finditer(text):
        if match.start() > position:
            elements.append({"type": "text", "text": text[position : match.start()]})
        elements.append(_element(match))
        position = match.end()
    if position < len(text):
        elements.append({"type": "text", "text": text[position:]})
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_urlsafe(4)[:5],
            "elements": [{"type": "rich_text_section", "elements": elements}],
        }
    ]


def _element(match: re.Match[str]) -> dict[str, Any]:
    sigil, target, label, url, url_label = match.groups()
    if url is not None:
        link: dict[str, Any] = {"type": "link", "url": url}
        if url_label:
            link["text"] = url_label
        return link
    if sigil == "@":
        return {"type": "user", "user_id": target}
    if sigil == "#":
        return {"type": "channel", "channel_id": target}
    if target.startswith("subteam^"):
        return {"type": "usergroup", "usergroup_id": target.split("^", 1)[1]}
    return {"type": "broadcast", "range": target}
