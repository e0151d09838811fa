"""The offline answer: the runbook passages that fit the message, quoted faithfully and trimmed.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from uuid import UUID

from pydantic import BaseModel

from jamono.brain.analysis import Analysis, Intent
from jamono.brain.asks import Ask, ask_of
from jamono.brain.grounding import CLOSE_SHARE, Documents, HitLike, Passage, ground, section_relevance
from jamono.i18n import t
from jamono.slack.escape import escape_link_url, escape_mrkdwn

ANSWER_BUDGET_CHARS = 2400  # the quoted sections of an answer (Slack splits them into sections)
CHECKS_BUDGET_CHARS = 1600  # an incident's "what to check first"
MIN_EXCERPT_CHARS = 250
SECOND_BUDGET_CHARS = (
    600  # a close second runbook, quoted briefly         # below this, a section is left out rather than cut to a stub
)
_WORD = re.compile(r"[a-z0-9][a-z0-9_\-./]{2,}")
_STOP = frozenset(
    "the and for with how what why when where does this that are our from have has not can you your "
    "les des une pour avec comment quoi quand est pas sur dans qui que nos vos ".split()
)


class Source(BaseModel):
    document_id: UUID
    title: str
    heading: str = ""
    url: str | None = None
    source: str = ""


class ComposedAnswer(BaseModel):
    text: str  # Slack mrkdwn
    sources: list[Source]
    first_checks: str | None = None  # incidents: what to check first, from the runbooks


def fold(text: str) -> str:
    """Lower-case and strip accents, so "procédure" and "procedure" meet."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold(text)) if w not in _STOP}


_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\((https?://[^()\s<>|]{1,2000})\)")


def _links(line: str) -> str:
    """Escaped text with Markdown links shown with their real destination: `label (<url>)`."""
    out, last = [], 0
    for m in _LINK.finditer(line):
        out.append(escape_mrkdwn(line[last : m.start()]))
        label, url = m.group(1).strip(), m.group(2)
        out.append(
            f"<{escape_link_url(url)}>" if label == url else f"{escape_mrkdwn(label)} (<{escape_link_url(url)}>)"
        )
        last = m.end()
    out.append(escape_mrkdwn(line[last:]))
    return "".join(out)


def markdown_to_mrkdwn(text: str) -> str:
    """Slack's mrkdwn is not Markdown: bold, headings, links and bullets differ; and every `&`, `<`
    and `>` of the source is escaped so nothing in it becomes a mention or a disguised link."""
    out: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
            out.append("```")
            continue
        if in_code:
            out.append(escape_mrkdwn(line))
            continue
        line = _links(line)
        line = re.sub(r"^#{1,6}\s+(.*)$", r"*\1*", line)
        line = re.sub(r"\*\*(.+?)\*\*", r"*\1*", line)
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
        scored.append((overlap + bonus - 0.5 * index / len(blocks), index))  # earlier is better, gently
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


def _sources(passages: Sequence[HitLike]) -> list[Source]:
    """One source per document, naming the sections quoted from it."""
    headings: dict[UUID, list[str]] = {}
    seen: dict[UUID, Source] = {}
    for p in passages:
        if p.document_id not in seen:
            seen[p.document_id] = Source(document_id=p.document_id, title=p.title, url=p.url, source=p.source)
            headings[p.document_id] = []
        top = p.heading.split(" > ")[0].strip()
        if top and top not in headings[p.document_id]:
            headings[p.document_id].append(top)
    for doc_id, source in seen.items():
        source.heading = ", ".join(headings[doc_id])
    return list(seen.values())


def _fits(passages: Sequence[Passage], query: str, budget: int) -> list[tuple[Passage, str]]:
    """The passages' text within budget: all of it when it fits; otherwise the best section of
    each wanted role first, then the others by relevance, the last one excerpted. Document order
    within a role, roles in the order the question wants them."""
    texts = [p.content.strip() for p in passages]
    if sum(len(t) + 60 for t in texts) <= budget:
        return list(zip(passages, texts, strict=True))
    roles = list(dict.fromkeys(p.role for p in passages))
    firsts = {
        role: max(
            (i for i, p in enumerate(passages) if p.role is role), key=lambda i: section_relevance(passages[i], query)
        )
        for role in roles
    }
    order = sorted(
        range(len(passages)),
        key=lambda i: (i not in firsts.values(), roles.index(passages[i].role), -section_relevance(passages[i], query)),
    )
    chosen: dict[int, str] = {}
    used = 0
    per_role = budget // max(len(roles), 1)
    for i in order:
        room = budget - used
        if i in firsts.values():
            room = min(
                room,
                max(per_role, budget - used - per_role * sum(1 for j in firsts.values() if j not in chosen and j != i)),
            )
        size = len(texts[i]) + 60
        if size <= room:
            chosen[i] = texts[i]
        elif room >= MIN_EXCERPT_CHARS:
            cut = excerpt(texts[i], query, room - 60, prefer_actions=True)
            if cut.strip():
                chosen[i] = cut
        else:
            continue
        used += len(chosen.get(i, "")) + 60
    return [(passages[i], chosen[i]) for i in sorted(chosen, key=lambda i: (roles.index(passages[i].role), i))]


def _quote(passages: Sequence[Passage], query: str, budget: int) -> tuple[str, list[Passage]]:
    """The quoted sections as mrkdwn under their headings, and which passages made it in."""
    parts, quoted = [], []
    for passage, text in _fits(passages, query, budget):
        heading = escape_mrkdwn(passage.heading.replace(" > ", " › "))
        body = markdown_to_mrkdwn(text)
        parts.append(f"*{heading}*\n{body}" if heading else body)
        quoted.append(passage)
    return "\n\n".join(parts), quoted


def compose(
    analysis: Analysis,
    query: str,
    hits: Sequence[HitLike],
    documents: Documents | None = None,
    *,
    ask: Ask | None = None,
) -> ComposedAnswer:
    """The reply body: the sections of the best runbook that answer what was asked, quoted as
    written under their headings, then pointers to other runbooks that also help."""
    lang = analysis.language
    grounding = ground(query, ask or ask_of(query), hits, documents)
    if not grounding.passages:
        if analysis.intent is Intent.OTHER:
            return ComposedAnswer(text=t("greeting", lang), sources=[])
        if analysis.intent is Intent.INCIDENT:
            return ComposedAnswer(text="", sources=[], first_checks=t("no_runbook_incident", lang))
        if analysis.intent is Intent.MEETING:
            return ComposedAnswer(text="", sources=[])
        return ComposedAnswer(text=t("nothing_found", lang), sources=[])

    top = grounding.passages[0]
    incident = analysis.intent is Intent.INCIDENT
    budget = CHECKS_BUDGET_CHARS if incident else ANSWER_BUDGET_CHARS
    close = [p for p in grounding.others if p.share >= CLOSE_SHARE][:1]
    quoted, shown = _quote(grounding.passages, query, budget - SECOND_BUDGET_CHARS * len(close))
    for other in close:  # a neighbouring runbook that scores as well: its most useful section, briefly
        brief = markdown_to_mrkdwn(excerpt(other.content, query, SECOND_BUDGET_CHARS, prefer_actions=True))
        quoted += "\n\n" + t("also_quote", lang, link=_link(other)) + "\n" + brief
    rest = [p for p in grounding.others if p not in close]
    pointers = t("also_see", lang, links=", ".join(_link(p) for p in rest)) if rest else ""
    sources = _sources([*shown, *grounding.others])
    intro = t("from_runbook" if grounding.confident else "closest_runbook", lang, title=escape_mrkdwn(top.title))
    if incident:  # the triage block carries the checks; the body keeps only the pointers
        return ComposedAnswer(text=pointers, sources=sources, first_checks=f"{intro}\n{quoted}")
    parts = [intro, quoted, pointers]
    return ComposedAnswer(text="\n\n".join(p for p in parts if p), sources=sources)


def _link(hit: HitLike) -> str:
    """A runbook's title and section as a link to it; both are the runbook author's text."""
    label = escape_mrkdwn(hit.title + (f" › {hit.heading.replace(' > ', ' › ')}" if hit.heading else ""))
    return f"<{escape_link_url(hit.url)}|{label}>" if hit.url else f"*{label}*"
