"""Fusion and diversification of the two retrievers' lists (knowledge/ranking.py)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from uuid import UUID

import pytest

from knowledge.ranking import SAME_DOCUMENT_PENALTY, Candidate, diversify, fuse


def plain_greedy(
    cands: Sequence[Candidate], limit: int, demote: Mapping[UUID, float], scale: float
) -> list[tuple[int, float]]:
    """The definition: each pick is the best effective score over every chunk left."""
    pool, taken, chosen = list(cands), {}, []
    while pool and len(chosen) < limit:

        def effective(c: Candidate) -> float:
            factor = min(max(demote.get(c.document_id, 1.0), 0.0), 1.0)
            return c.doc_score * c.share * factor * SAME_DOCUMENT_PENALTY ** taken.get(c.document_id, 0)

        best = max(pool, key=lambda c: (effective(c), c.fused, c.similarity or 0.0, -c.chunk_id))
        chosen.append((best.chunk_id, effective(best) / scale if scale else 0.0))
        pool.remove(best)
        taken[best.document_id] = taken.get(best.document_id, 0) + 1
    return chosen


def random_candidates(rng: random.Random) -> tuple[list[Candidate], list[UUID]]:
    docs = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(rng.randint(1, 25))]
    ranks = [None, *range(1, 60)]
    cands = [
        Candidate(
            chunk_id=i,
            document_id=rng.choice(docs),
            vector_rank=rng.choice(ranks),
            text_rank=rng.choice(ranks),
            similarity=rng.choice([None, rng.random()]),
        )
        for i in range(rng.randint(0, 80))
    ]
    fuse(cands)
    return cands, docs


@pytest.mark.parametrize("seed", range(100))
def test_diversify_picks_what_the_plain_greedy_picks(seed: int) -> None:
    rng = random.Random(seed)
    cands, docs = random_candidates(rng)
    demote = {d: rng.choice([0.0, 0.5, 2.0]) for d in docs if rng.random() < 0.3}
    limit, scale = rng.randint(1, 15), rng.choice([1.0, 2 / 61, 0.0])
    expected = plain_greedy(cands, limit, demote, scale)
    got = [(c.chunk_id, c.score) for c in diversify(cands, limit, demote=demote, scale=scale)]
    assert got == expected


def test_a_second_chunk_of_a_document_yields_to_another_documents_close_best() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    cands = [
        Candidate(chunk_id=1, document_id=a, vector_rank=1, text_rank=1),
        Candidate(chunk_id=2, document_id=a, vector_rank=2, text_rank=2),
        Candidate(chunk_id=3, document_id=b, vector_rank=3, text_rank=3),
    ]
    fuse(cands)
    picked = diversify(cands, 3)
    assert [c.chunk_id for c in picked] == [1, 3, 2]
    assert [c.score for c in picked] == sorted((c.score for c in picked), reverse=True)
    assert [c.chunk_id for c in diversify(cands, 3, demote={a: 0.0})][0] == 3  # a 👎'd document goes last
