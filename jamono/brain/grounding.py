"""Which runbooks answer a message, and which of their sections say what the person asked for.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol
from uuid import UUID

from pydantic import BaseModel

from jamono.brain.asks import ROLES_FOR, Ask
from knowledge.chunking import document_sections
from knowledge.sections import Role, actionability, role_of
from knowledge.text import fold

# Below this similarity (all-MiniLM-L6-v2, English scale) the best runbook is only the closest one:
# on-topic questions whose runbook exists scored from 0.33, ops questions no runbook covers up to
# 0.42 (knowledge/ranking.py), so NOX says it is not sure instead of presenting it as the answer.
SIM_CONFIDENT = 0.45
SIM_CONFIDENT_FR = 0.55  # French against French runbooks: MiniLM finds them alike anyway

# A second runbook is worth naming when it scores at least this share of the first.
ALSO_RELEVANT_SHARE = 0.6
# ...and worth quoting briefly when it scores nearly as well (runbooks for neighbouring alerts).
CLOSE_SHARE = 0.95
MAX_DOCUMENTS = 3


class HitLike(Protocol):
    document_id: UUID
    title: str
    heading: str
    content: str
    source: str
    url: str | None
    relevant: bool


class DocumentLike(Protocol):
    id: UUID
    title: str
    source: str
    url: str | None
    content: str


Documents = Callable[[Sequence[UUID]], Mapping[UUID, DocumentLike]]


class Passage(BaseModel):
    """One whole section of a chosen document (quotable as is, cited by heading)."""

    document_id: UUID
    title: str
    heading: str
    content: str
    source: str
    url: str | None = None
    relevant: bool = True
    role: Role = Role.OTHER
    order: int = 0  # position in its document
    share: float = 1.0  # its document's search score as a share of the best document's


class Grounding(BaseModel):
    """What an answer stands on: the passages to quote (best document first) and other runbooks."""

    ask: Ask
    passages: list[Passage]
    others: list[Passage]  # one pointer passage per further relevant document
    confident: bool = True  # False: the best runbook is only the closest match


def _relevant_documents(hits: Sequence[HitLike]) -> list[tuple[UUID, float, HitLike]]:
    """Relevant documents in rank order with their best score and first hit."""
    seen: dict[UUID, tuple[float, HitLike]] = {}
    for hit in hits:
        if not hit.relevant:
            continue
        score = float(getattr(hit, "score", 0.0))  # search hits carry one; hand-made ones may not
        best = seen.get(hit.document_id)
        if best is None:
            seen[hit.document_id] = (score, hit)
        elif score > best[0]:
            seen[hit.document_id] = (score, best[1])
    return [(doc_id, score, hit) for doc_id, (score, hit) in seen.items()]


def sections_of(document: DocumentLike) -> list[Passage]:
    """The document's sections with their roles. Parsed once per document version and process:
    every answer quoting a runbook used to re-read it whole (bench/offline.py)."""
    sections = _sections(document.id, document.title, document.content, document.source, document.url)
    return [p.model_copy() for p in sections]


@functools.lru_cache(maxsize=256)
def _sections(doc_id: UUID, title: str, content: str, source: str, url: str | None) -> tuple[Passage, ...]:
    return tuple(
        Passage(
            document_id=doc_id,
            title=title,
            heading=heading,
            content=text,
            source=source,
            url=url,
            role=role_of(heading, text),
            order=i,
        )
        for i, (heading, text) in enumerate(document_sections(title, content))
    )


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in fold(text).replace("/", " ").replace(".", " ").split() if len(w) > 2)


def section_relevance(passage: Passage, query: str) -> float:
    """Query words the section holds (heading counts double), plus how actionable it is."""
    wanted = _words(query)
    if not wanted:
        return actionability(passage.content)
    overlap = len(wanted & _words(passage.content)) + 2 * len(wanted & _words(passage.heading))
    return overlap / len(wanted) + actionability(passage.content)


def wanted_sections(sections: Sequence[Passage], ask: Ask) -> list[Passage]:
    """The document's sections for this ask, most wanted role first, each role in document order."""
    chosen: list[Passage] = []
    for role in ROLES_FOR[ask]:
        chosen.extend(s for s in sections if s.role is role)
    if chosen:
        return chosen
    doing = [s for s in sections if actionability(s.content) > 0]  # no recognisable headings
    return doing or list(sections)


def _from_hit(hit: HitLike) -> Passage:
    return Passage(
        document_id=hit.document_id,
        title=hit.title,
        heading=hit.heading,
        content=hit.content,
        source=hit.source,
        url=hit.url,
        role=role_of(hit.heading, hit.content),
    )


def _other_language(hit: HitLike, top: HitLike) -> bool:
    """A runbook in another language than the one already chosen is its translation more often
    than a second opinion (bundled runbooks come in English and French)."""
    lang, top_lang = getattr(hit, "lang", None), getattr(top, "lang", None)
    return bool(lang and top_lang and lang != top_lang)


def ground(query: str, ask: Ask, hits: Sequence[HitLike], documents: Documents | None) -> Grounding:
    """The passages to answer from: the wanted sections of the best relevant document (or its
    matching chunk when the document cannot be read), and pointers to other strong runbooks."""
    ranked = _relevant_documents(hits)
    if ranked:
        top_hit = ranked[0][2]
        ranked = [ranked[0], *(r for r in ranked[1:] if not _other_language(r[2], top_hit))]
    if not ranked:
        return Grounding(ask=ask, passages=[], others=[])
    top_id, top_score, top_hit = ranked[0]
    loaded = documents([doc_id for doc_id, _, _ in ranked[:MAX_DOCUMENTS]]) if documents else {}
    passages = [_from_hit(top_hit)]
    if top_id in loaded:
        passages = wanted_sections(sections_of(loaded[top_id]), ask) or passages
    others: list[Passage] = []
    for doc_id, score, hit in ranked[1:MAX_DOCUMENTS]:
        if top_score > 0 and score < ALSO_RELEVANT_SHARE * top_score:
            break
        pointer = _from_hit(hit)
        pointer.share = score / top_score if top_score > 0 else 0.0
        if doc_id in loaded:  # point at its most useful section, not at the chunk that matched
            wanted = wanted_sections(sections_of(loaded[doc_id]), ask)
            if wanted:
                pointer = max(wanted, key=lambda p: section_relevance(p, query)).model_copy(
                    update={"share": pointer.share}
                )
        others.append(pointer)
    return Grounding(ask=ask, passages=passages, others=others, confident=_confident(top_hit))


def _confident(hit: HitLike) -> bool:
    similarity = getattr(hit, "similarity", None)
    if similarity is None:  # hand-made hits, or no vectors of the query's model: words vouched for it
        return True
    bar = SIM_CONFIDENT_FR if getattr(hit, "lang", None) == "fr" else SIM_CONFIDENT
    return float(similarity) >= bar
