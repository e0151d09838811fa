"""Per-tenant term statistics kept by triggers, and the keyword stage that reads them."""

from __future__ import annotations

import random

import pytest

import knowledge.search as search_module
from jamono.platform.db import tenant_tx
from knowledge.documents import SourceDocument
from knowledge.ingest import ingest_documents
from knowledge.search import document_frequencies, text_candidates, text_candidates_pruned, word_lexemes, word_query
from knowledge.store import delete_document


def _df(pool, tenant, word: str) -> int:
    with tenant_tx(pool, tenant) as conn:
        return document_frequencies(conn, word_lexemes(conn, word))[0]


def test_document_frequencies_follow_ingest_replace_and_delete(pool, make_tenant, hash_embedder):
    tenant, other = make_tenant(), make_tenant()
    docs = [
        SourceDocument(source=f"d{i}.md", title=f"Doc {i}", content=f"## A\n\nzebrafish number {i}\n") for i in range(3)
    ]
    ingest_documents(pool, tenant, docs, hash_embedder)
    ingest_documents(pool, other, docs[:1], hash_embedder)
    assert _df(pool, tenant, "zebrafish") == 3 and _df(pool, other, "zebrafish") == 1, "counted per tenant"
    ingest_documents(
        pool, tenant, [SourceDocument(source="d0.md", title="Doc 0", content="## A\n\nokapi only\n")], hash_embedder
    )  # replaced: its chunks go, new ones come
    assert _df(pool, tenant, "zebrafish") == 2 and _df(pool, tenant, "okapi") == 1
    with tenant_tx(pool, tenant) as conn:
        delete_document(conn, "d0.md")
    assert _df(pool, tenant, "okapi") == 0
    with tenant_tx(pool, tenant) as conn:
        assert conn.execute("SELECT count(*) AS n FROM knowledge_terms WHERE df <= 0").fetchone()["n"] == 0


def test_two_writers_in_one_workspace_lose_nothing(pool, make_tenant, hash_embedder):
    """Two writers in one workspace at once (a workspace's welcome and `jamono run` both load the
    bundled runbooks): their documents share words, whose counts' row locks each statement takes in
    the order of its plan, so without one writer per tenant they deadlocked and a runbook went missing."""
    import threading

    rng = random.Random(11)
    vocabulary = [f"v{i}" for i in range(60)]
    tenant = make_tenant()
    rounds = [
        [
            SourceDocument(
                source=f"r{i}.md", title=f"R {i}", content="## S\n\n" + " ".join(rng.choices(vocabulary, k=40))
            )
            for i in range(60)
        ]
        for side in ("a", "b")
    ]
    for docs in rounds:  # a first version of each, so the writers below replace (remove, then add)
        assert not ingest_documents(
            pool, tenant, [d.model_copy(update={"content": d.content + " v0"}) for d in docs], hash_embedder
        ).failed
    failures: list[str] = []

    def load(docs: list[SourceDocument]) -> None:
        failures.extend(f.reason for f in ingest_documents(pool, tenant, docs, hash_embedder).failed)

    threads = [threading.Thread(target=load, args=(docs,)) for docs in rounds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with tenant_tx(pool, tenant) as conn:
        drift = conn.execute(
            "SELECT count(*) AS n FROM knowledge_terms t FULL JOIN ("
            "  SELECT l.lexeme, count(*)::int AS df FROM knowledge_chunks c, unnest(tsvector_to_array(c.tsv)) l(lexeme)"
            "  GROUP BY l.lexeme) real USING (lexeme) WHERE t.df IS DISTINCT FROM real.df"
        ).fetchone()["n"]
    assert drift == 0, "term counts follow the chunks"


@pytest.fixture
def zipf_tenant(pool, make_tenant, hash_embedder):
    """Many chunks of Zipf-distributed words: common words in most chunks, rare ones in few."""
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(400)]
    weights = [1 / (i + 1) for i in range(400)]
    docs = [
        SourceDocument(
            source=f"z{i}.md",
            title=f"Z {i}",
            content="## S\n\n" + " ".join(rng.choices(vocabulary, weights, k=30)) + "\n",
        )
        for i in range(300)
    ]
    tenant = make_tenant()
    assert not ingest_documents(pool, tenant, docs, hash_embedder).failed
    return tenant


def test_a_small_scan_is_the_full_ranking(pool, zipf_tenant):
    with tenant_tx(pool, zipf_tenant) as conn:
        words = word_lexemes(conn, "w0 w1 w2 w250")
        pruned, pruned_cov = text_candidates_pruned(conn, words, 10, tenant_chunks=300)
        full, full_cov = text_candidates(conn, [word_query(w) for w in words], 10, tenant_chunks=300)
    assert [f.chunk_id for f in pruned] == [f.chunk_id for f in full] and pruned_cov == full_cov


@pytest.mark.parametrize("query", ["w1 w2 w3 w250", "w0 w390", "w5 w17 w33 w120 w300"])
def test_a_large_scan_scores_the_chunks_with_the_rarer_words(pool, zipf_tenant, monkeypatch, query):
    monkeypatch.setattr(search_module, "CANDIDATE_ROWS", 40)
    monkeypatch.setattr(search_module, "FULL_SCAN_MAX_ROWS", 50)  # as if the tenant were huge
    with tenant_tx(pool, zipf_tenant) as conn:
        words = word_lexemes(conn, query)
        pruned, _ = text_candidates_pruned(conn, words, 10, tenant_chunks=300)
        full, _ = text_candidates(conn, [word_query(w) for w in words], 10, tenant_chunks=300)
    assert pruned and pruned[0].chunk_id == full[0].chunk_id, "the best chunk holds the rarest word"
    assert len(pruned) <= 10
