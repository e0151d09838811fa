"""The offline answer: the runbook passages that fit the message, quoted faithfully and trimmed.

Nothing here invents facts: every line of an answer's body comes from a retrieved section,
and NOX's own words (headers, "nothing found") come from jamono.i18n.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from pydantic import BaseModel

from jamono.brain.analysis import Analysis, Intent
from jamono.i18n import t

ANSWER_BUDGET_CHARS = 1400
CHECKS_BUDGET_CHARS = 900
_WORD = re.compile(r"[a-z0-9][a-z0-9_\-./]{2,}")
_STOP = frozenset(
    "the and for with how what why when where does this that are our from have has not can you your "
    "les des une pour avec comment quoi quand est pas sur dans qui que nos vos ".split()
)


class HitLike(Protocol):
    document_id: UUID
    title: str
    heading: str
    content: str
    source: str
    url: str | None
    relevant: bool


class Source(BaseModel):
    document_id: UUID
    title: str
    heading: str = ""
    url: str | None = None
    source: str = ""


class ComposedAnswer(BaseModel):
    text: str                      # Slack mrkdwn
    sources: list[Source]
    first_checks: str | None = None  # incidents: what to check first, from the runbooks


def fold(text: str) -> str:
    """Lower-case and strip accents, so "procédure" and "procedure" meet."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if w not in _STOP}


def markdown_to_mrkdwn(text: str) -> str:
    """Slack's mrkdwn is not Markdown: bold, headings, links and bullets differ."""
    out: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
            out.append("```")
            continue
        if in_code:
            out.append(line)
            continue
        line = re.sub(r"^#{1,6}\s+(.*)$", r"*\1*", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"*\1*", line)
        line = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"<\2|\1>", line)
        line = re.sub(r"^(\s*)[-*+]\s+", r"\1• ", line)
        out.append(line)
    return "\n".join(out).strip()


def split_blocks(content: str) -> list[str]:
    """Paragraphs, lists and fenced code blocks, each kept whole."""
    blocks: list[str] = []
    current: list[str] = []
    in_code = False
    for line in content.splitlines():
        if line.strip().startswith("```"):
            if in_code:
                current.append(line)
                blocks.append("\n".join(current))
                current, in_code = [], False
                continue
            if current:
                blocks.append("\n".join(current))
            current, in_code = [line], True
            continue
        if not in_code and not line.strip():
            if current:
                blocks.append("\n".join(current))
            current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current) + ("\n```" if in_code else ""))
    return [b for b in blocks if b.strip()]


def _is_actionable(block: str) -> bool:
    stripped = block.lstrip()
    return stripped.startswith(("```", "- ", "* ", "+ ")) or bool(re.match(r"\d+[.)]\s", stripped))


def excerpt(content: str, query: str, budget: int, *, prefer_actions: bool = False) -> str:
    """The blocks of a section that best match the query, in their original order."""
    blocks = split_blocks(content)
    if not blocks:
        return ""
    wanted = terms(query)
    scored = []
    for index, block in enumerate(blocks):
        overlap = len(wanted & terms(block))
        bonus = 1.5 if _is_actionable(block) else 0.0
        if prefer_actions and not _is_actionable(block):
            bonus -= 1.0
        scored.append((overlap + bonus - index * 0.05, index))
    chosen: list[int] = []
    used = 0
    for _, index in sorted(scored, reverse=True):
        size = len(blocks[index]) + 2
        if used + size > budget and chosen:
            continue
        if size > budget:  # one oversized block: cut at a line boundary, closing any code fence
            blocks[index] = _trim_block(blocks[index], budget)
            size = len(blocks[index])
        chosen.append(index)
        used += size
        if used >= budget * 0.8:
            break
    return "\n\n".join(blocks[i] for i in sorted(chosen))


def _trim_block(block: str, budget: int) -> str:
    lines, kept, used = block.splitlines(), [], 0
    for line in lines:
        if used + len(line) + 1 > budget - 8:
            break
        kept.append(line)
        used += len(line) + 1
    text = "\n".join(kept)
    if text.count("```") % 2 == 1:
        text += "\n```"
    return text + "\n…"


def _sources(hits: Sequence[HitLike]) -> list[Source]:
    seen: dict[UUID, Source] = {}
    for hit in hits:
        if hit.document_id not in seen:
            seen[hit.document_id] = Source(
                document_id=hit.document_id, title=hit.title, heading=hit.heading, url=hit.url, source=hit.source
            )
    return list(seen.values())


def compose(analysis: Analysis, query: str, hits: Sequence[HitLike]) -> ComposedAnswer:
    lang = analysis.language
    relevant = [h for h in hits if h.relevant]
    if not relevant:
        if analysis.intent is Intent.OTHER:
            return ComposedAnswer(text=t("greeting", lang), sources=[])
        if analysis.intent is Intent.INCIDENT:
            return ComposedAnswer(text="", sources=[], first_checks=t("no_runbook_incident", lang))
        if analysis.intent is Intent.MEETING:
            return ComposedAnswer(text="", sources=[])
        return ComposedAnswer(text=t("nothing_found", lang), sources=[])

    top = relevant[0]
    heading = f" — {top.heading}" if top.heading else ""
    body = markdown_to_mrkdwn(excerpt(top.content, query, ANSWER_BUDGET_CHARS))
    parts = [t("from_runbook", lang, title=f"{top.title}{heading}"), body]
    others = [h for h in relevant[1:3] if h.document_id != top.document_id]
    if others:
        links = ", ".join(_link(h) for h in others)
        parts.append(t("also_see", lang, links=links))
    first_checks = None
    if analysis.intent is Intent.INCIDENT:
        first_checks = markdown_to_mrkdwn(excerpt(top.content, query, CHECKS_BUDGET_CHARS, prefer_actions=True))
        parts = parts[2:] if others else []  # the triage block carries the checks; keep only pointers
    return ComposedAnswer(text="\n\n".join(parts), sources=_sources(relevant[:3]), first_checks=first_checks)


def _link(hit: HitLike) -> str:
    label = f"{hit.title}" + (f" › {hit.heading}" if hit.heading else "")
    return f"<{hit.url}|{label}>" if hit.url else f"*{label}*"
