"""Pure ranking logic for hybrid search: fusion, diversity and the relevance floor.

Kept apart from SQL so it can be reasoned about and tested without a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

RRF_K = 60
# Each further chunk of an already-chosen document counts this much less (0.5: a document's
# second chunk must score twice as well as another document's best to beat it).
SAME_DOCUMENT_PENALTY = 0.5

# Relevance floor, on all-MiniLM-L6-v2 cosine similarity of query and chunk, and on the
# share of the query's content words the chunk contains. Set from hand-written questions
# (tests/knowledge/fixtures/kb_queries_*_own.jsonl) and off-topic ones (kb_queries_offtopic.txt)
# against the bundled runbooks and the public runbook corpus: right first hits of English
# questions scored from 0.33, off-topic ones at most 0.28 (bundled: 0.23). Two French texts
# look alike to MiniLM whatever they say (off-topic French questions reached 0.41 against the
# French runbooks), so French against French keeps a bar of 0.50. French questions reach
# English runbooks through their English rendering (knowledge/translate.py), held to the
# English bar.
SIM_STRONG = 0.34
SIM_STRONG_FR = 0.50
SIM_WEAK = 0.30
COVERAGE_WEAK = 0.5


@dataclass
class Candidate:
    """One chunk found by either retriever, with what each of them said about it."""

    chunk_id: int
    document_id: UUID
    vector_rank: int | None = None  # 1-based rank in the vector list
    text_rank: int | None = None  # 1-based rank in the full-text list
    similarity: float | None = None  # cosine similarity to the query (vector candidates)
    fused: float = 0.0  # chunk-level RRF
    doc_score: float = 0.0  # document-level RRF (best chunk per retriever)
    share: float = 0.0  # fused / best fused of the same document, in (0, 1]
    score: float = 0.0  # fused, demoted, diversity-adjusted, normalised


def rrf(rank: int | None, k: int = RRF_K) -> float:
    return 0.0 if rank is None else 1.0 / (k + rank)


def fuse(cands: Sequence[Candidate], *, vector_weight: float = 1.0, text_weight: float = 1.0, k: int = RRF_K) -> None:
    """Reciprocal rank fusion at two levels, robust to the retrievers' incomparable scales.

    Documents are fused on the rank of their best chunk in each list: a runbook whose
    summary is nearest in meaning and whose diagnosis section holds the query's words gets
    credit from both retrievers, though no single chunk is first in both. Each chunk keeps
    its own fused score as its share of its document's (which passage to show first).
    """
    doc_vec: dict[UUID, int] = {}
    for c in sorted((c for c in cands if c.vector_rank is not None), key=lambda c: c.vector_rank or 0):
        doc_vec.setdefault(c.document_id, len(doc_vec) + 1)
    doc_txt: dict[UUID, int] = {}
    for c in sorted((c for c in cands if c.text_rank is not None), key=lambda c: c.text_rank or 0):
        doc_txt.setdefault(c.document_id, len(doc_txt) + 1)
    best_in_doc: dict[UUID, float] = {}
    for c in cands:
        c.fused = vector_weight * rrf(c.vector_rank, k) + text_weight * rrf(c.text_rank, k)
        best_in_doc[c.document_id] = max(best_in_doc.get(c.document_id, 0.0), c.fused)
    for c in cands:
        doc_score = vector_weight * rrf(doc_vec.get(c.document_id), k) + text_weight * rrf(
            doc_txt.get(c.document_id), k
        )
        share = c.fused / best_in_doc[c.document_id] if best_in_doc[c.document_id] else 0.0
        c.doc_score = doc_score
        c.share = share


def is_relevant(
    similarity: float | None, coverage: float, *, has_vectors: bool = True, same_language_fr: bool = False
) -> bool:
    """Worth citing: semantically close, or fairly close and sharing most of the query's words.

    The strong bar is higher between two French texts, which MiniLM finds alike whatever they
    say; without vectors of the query's model (mid model switch) only words can vouch.
    """
    if not has_vectors or similarity is None:
        return coverage >= 0.75
    strong = SIM_STRONG_FR if same_language_fr else SIM_STRONG
    return similarity >= strong or (similarity >= SIM_WEAK and coverage >= COVERAGE_WEAK)


def diversify(
    cands: Sequence[Candidate],
    limit: int,
    *,
    demote: Mapping[UUID, float] | None = None,
    penalty: float = SAME_DOCUMENT_PENALTY,
    scale: float = 1.0,
) -> list[Candidate]:
    """Pick `limit` chunks greedily: document score x the chunk's share of it, each further
    chunk of an already-chosen document penalised.

    A document keeps several slots only when its other chunks beat other documents' best;
    `demote` multiplies a document's scores (e.g. 0.5 after a 👎). Scores come out
    non-increasing, divided by `scale` (the best possible fused score).
    """
    demote = demote or {}
    # Every chunk of a document shares its penalty, so each document's chunks are ranked once and
    # a pick compares documents' best remaining chunks only (what a pick costs grows with the
    # documents found, not with every chunk found: this ran once per answer, ~1 ms for k=8).
    by_document: dict[UUID, list[tuple[float, Candidate]]] = {}
    for c in cands:
        factor = min(max(demote.get(c.document_id, 1.0), 0.0), 1.0)
        by_document.setdefault(c.document_id, []).append((c.doc_score * c.share * factor, c))
    for chunks in by_document.values():  # best last: a pick pops it
        chunks.sort(key=lambda bc: (bc[0], bc[1].fused, bc[1].similarity or 0.0, -bc[1].chunk_id))
    taken: dict[UUID, int] = {}
    chosen: list[Candidate] = []

    def head(doc: UUID) -> tuple[float, float, float, int]:
        """The document's best chunk left: its effective score, then the tie-breaks."""
        base, c = by_document[doc][-1]
        return base * penalty ** taken.get(doc, 0), c.fused, c.similarity or 0.0, -c.chunk_id

    while by_document and len(chosen) < limit:
        best_doc = max(by_document, key=head)
        effective = head(best_doc)[0]
        best = by_document[best_doc].pop()[1]
        if not by_document[best_doc]:
            del by_document[best_doc]
        best.score = effective / scale if scale else 0.0
        chosen.append(best)
        taken[best_doc] = taken.get(best_doc, 0) + 1
    return chosen
