"""What NOX says when it remembers incidents, in English and French."""

from __future__ import annotations

import re

from jamono.i18n import t

_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)(?:\|[^&]*)?&gt;")


def quote(text: str, names: dict[str, str] | None = None) -> str:
    """People's words made inert in mrkdwn (no links, pings, @channel); a mention reads `@name`."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub(lambda m: "@" + (names or {}).get(m.group(1), m.group(1)), safe)


def plain(text: str, names: dict[str, str] | None = None) -> str:
    """People's words for a file (Markdown): mentions as `@name`, Slack links as their label."""
    text = re.sub(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "@" + (names or {}).get(m.group(1), m.group(1)), text)
    return re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", text)


def duration(seconds: float, lang: str) -> str:
    minutes = max(int(seconds // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d}" if lang == "fr" else f"{hours}h{rest:02d}"
    return f"{hours // 24} j" if lang == "fr" else f"{hours // 24} days"


def ago(days: float, lang: str) -> str:
    if days < 1:
        return t("ago.today", lang)
    if days < 14:
        return t("ago.days", lang, n=int(days))
    if days < 60:
        return t("ago.weeks", lang, n=int(days // 7))
    return t("ago.months", lang, n=int(days // 30))


_SIMILAR = re.compile(r"^\s*(?:incidents?\s+)?(?:similar|similaires?)\b[\s:,.!?]*(.*)$", re.IGNORECASE | re.DOTALL)
_ANY_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")


def similar_request(text: str) -> str | None:
    """`@nox similar [words]` (or `@nox incidents similaires …`): the words after it, else None."""
    found = _SIMILAR.match(_ANY_MENTION.sub(" ", text, count=1))
    return found.group(1).strip()[:3000] if found else None
