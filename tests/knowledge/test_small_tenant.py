"""A tenant owning ~1% of the vectors still gets its k nearest chunks, exactly.

The HNSW index is shared by all tenants and pgvector 0.6 filters after the graph walk: with
the default ef_search a small tenant gets almost nothing back. These tests fill the table
with another tenant's rows and check both the problem and each path around it.
"""

from __future__ import annotations

import uuid

import numpy as np
import psycopg
import pytest

import knowledge.search as search_module
from jamono.platform.db import tenant_tx
from jamono.platform.tenancy import TeamIdentity, register_workspace
from knowledge.documents import SourceDocument
from knowledge.ingest import ingest_documents
from knowledge.search import exact_knn, hnsw_knn, search
from knowledge.store import vector_literal
from tests.knowledge.doubles import HashEmbedder

MODEL, DIM = "all-MiniLM-L6-v2", 384
CROWD_ROWS = 3000


@pytest.fixture(scope="module")
def kb_database_url(admin_database_url: str):
    """A database of this module's own: the shares of the shared HNSW index these tests set up must
    not depend on what other tests (installs loading the bundled runbooks…) left in theirs."""
    from tests.plugins.services import scratch_database

    with scratch_database(admin_database_url, "jamono_kb") as url:
        yield url


@pytest.fixture(scope="module")
def pool(base_settings, kb_database_url: str):
    from tests.plugins.services import pool_on

    with pool_on(base_settings, kb_database_url, "kb-tests") as p:
        yield p


@pytest.fixture(scope="module")
def crowd(pool, kb_database_url):
    """Another tenant with CROWD_ROWS vectors of the indexed model, about the same things as
    the small tenants' (so the query's true neighbours are mostly someone else's rows)."""
    tenant = register_workspace(pool, TeamIdentity(team_id="TCROWD" + uuid.uuid4().hex[:8].upper())).tenant_id
    texts = [f"runbook note {i} about service {i % 7} crowd" for i in range(CROWD_ROWS)]
    vectors = minilm_sized().embed(texts)
    with psycopg.connect(kb_database_url, autocommit=True) as conn:
        doc = conn.execute(
            "INSERT INTO knowledge_documents (tenant_id, source, title, content, content_hash)"
            " VALUES (%s, 'crowd', 'Crowd', '', '') RETURNING id",
            [tenant],
        ).fetchone()[0]
        with conn.transaction():
            conn.cursor().executemany(
                "INSERT INTO knowledge_chunks (tenant_id, document_id, ord, content, search_text, embedding_model,"
                " embedding) VALUES (%s, %s, %s, %s, %s, %s, %s::vector)",
                [
                    [tenant, doc, i, t, t, MODEL, vector_literal(v)]
                    for i, (t, v) in enumerate(zip(texts, vectors, strict=True))
                ],
            )
        conn.execute("ANALYZE knowledge_chunks")
    yield tenant
    with psycopg.connect(kb_database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM tenants WHERE id = %s", [tenant])


def small_docs(n: int) -> list[SourceDocument]:
    return [
        SourceDocument(source=f"doc{i}.md", title=f"Note {i}", content=f"runbook note {i} about service {i % 7}")
        for i in range(n)
    ]


def minilm_sized() -> HashEmbedder:
    """A fake posing as the indexed model, so the HNSW index applies to its rows."""
    return HashEmbedder(model_id=MODEL, dim=DIM)


def test_plain_hnsw_starves_a_small_tenant_while_search_does_not(pool, make_tenant, crowd):
    tenant, emb = make_tenant(), minilm_sized()
    ingest_documents(pool, tenant, small_docs(30), emb)  # 30 of ~3030 rows: 1%
    qvec = vector_literal(emb.embed(["runbook note 3 about service 3"])[0])
    with tenant_tx(pool, tenant) as conn:
        conn.execute("SET LOCAL enable_sort = off")  # as the planner does when it thinks the tenant is big
        plan = "\n".join(
            r["QUERY PLAN"]
            for r in conn.execute(
                f"EXPLAIN SELECT id FROM knowledge_chunks WHERE embedding_model = '{MODEL}'"
                f" AND tenant_id = jamono_current_tenant() ORDER BY (embedding::vector({DIM})) <=> '{qvec}'::vector({DIM})"
                " LIMIT 10"
            )
        )
        plain = hnsw_knn(conn, qvec, MODEL, DIM, 10, ef_search=40)
        truth = exact_knn(conn, qvec, MODEL, 10)
    with tenant_tx(pool, tenant) as conn:
        hits = search(conn, "runbook note 3 about service 3", emb, k=10, mode="vector")
    assert len(truth) == 10
    assert "knowledge_chunks_minilm_hnsw" in plan
    assert len(plain) < 10  # the problem: post-filtering leaves too few rows
    assert np.allclose([h.similarity for h in hits], [1 - d for *_, d in truth], atol=1e-5)  # exact, ties aside
    assert hits[0].source == "doc3.md"


def test_large_share_tenant_uses_hnsw_and_falls_back_to_exact_when_starved(pool, make_tenant, crowd, monkeypatch):
    tenant, emb = make_tenant(), minilm_sized()
    ingest_documents(pool, tenant, small_docs(400), emb)  # ~12% of the rows
    calls: list[str] = []
    real_exact, real_hnsw = search_module.exact_knn, search_module.hnsw_knn
    monkeypatch.setattr(search_module, "exact_knn", lambda *a, **k: calls.append("exact") or real_exact(*a, **k))
    monkeypatch.setattr(search_module, "hnsw_knn", lambda *a, **k: calls.append("hnsw") or real_hnsw(*a, **k))
    monkeypatch.setattr(search_module, "EXACT_MAX_ROWS", 100)  # treat it as a large tenant
    monkeypatch.setattr(
        search_module, "ITERATIVE_SCANS", False
    )  # 0.6's walk on any server (0.8's: test_iterative_scan)
    query = "runbook note 42 about service 0"
    qvec = vector_literal(emb.embed([query])[0])
    with tenant_tx(pool, tenant) as conn:
        truth = real_exact(conn, qvec, MODEL, 40)
        conn.execute("ANALYZE knowledge_chunks")
    with tenant_tx(pool, tenant) as conn:
        hits = search(conn, query, emb, k=10, mode="vector")
    assert calls == ["hnsw"]
    assert hits[0].source == "doc42.md"
    tenth = 1 - truth[9].score
    assert sum(h.similarity >= tenth - 1e-6 for h in hits) >= 9  # recall@10 by distance (many ties)

    calls.clear()
    monkeypatch.setattr(search_module, "HNSW_EF_SAFETY", 0.05)  # ef far too small for its share
    with tenant_tx(pool, tenant) as conn:
        hits = search(conn, query, emb, k=10, mode="vector")
    assert calls == ["hnsw", "exact"]
    assert np.allclose([h.similarity for h in hits], [1 - d for *_, d in truth[:10]], atol=1e-5)


def test_exact_and_hnsw_agree_with_numpy(pool, make_tenant, crowd):
    tenant, emb = make_tenant(), minilm_sized()
    docs = small_docs(25)
    ingest_documents(pool, tenant, docs, emb)
    query = emb.embed(["service 4 note"])[0]
    with tenant_tx(pool, tenant) as conn:
        rows = conn.execute("SELECT id, embedding::text AS e FROM knowledge_chunks ORDER BY id").fetchall()
        got = exact_knn(conn, vector_literal(query), MODEL, 5)
    matrix = np.array([np.array(r["e"].strip("[]").split(","), dtype=np.float32) for r in rows])
    ids = [r["id"] for r in rows]
    best = np.sort(1 - matrix @ query)[:5]
    assert np.allclose([f.score for f in got], best, atol=1e-5)
    assert all(abs((1 - d) - float(matrix[ids.index(cid)] @ query)) < 1e-5 for cid, _, d in got)


def test_a_query_vector_sent_in_binary_finds_what_its_literal_finds(pool, make_tenant, crowd):
    """search() sends its query vectors as binary parameters (knowledge/vector_param.py): same
    neighbours, same distances, same similarities as the text literal they replace."""
    tenant, emb = make_tenant(), minilm_sized()
    ingest_documents(pool, tenant, small_docs(25), emb)
    query = emb.embed(["service 4 note"])[0]
    with tenant_tx(pool, tenant) as conn:
        as_text = exact_knn(conn, vector_literal(query), MODEL, 10)
        as_binary = exact_knn(conn, query, MODEL, 10)
        ids = [f.chunk_id for f in as_text]
        sims_text = search_module._details(conn, ids, [vector_literal(query)], MODEL, [])
        sims_binary = search_module._details(conn, ids, [query, -query], MODEL, [])
    assert len(as_text) == 10 and [f.chunk_id for f in as_binary] == ids
    assert [f.score for f in as_binary] == pytest.approx([f.score for f in as_text], abs=1e-6)
    assert [sims_binary[i]["similarity"] for i in ids] == pytest.approx(
        [sims_text[i]["similarity"] for i in ids], abs=1e-6
    )
