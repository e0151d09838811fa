"""Hybrid search: right documents first, tenants isolated, demotion, language, diversity."""

from __future__ import annotations

import pytest
from psycopg import sql

import knowledge.search as search_module
from jamono.platform.db import tenant_tx
from knowledge.documents import SourceDocument
from knowledge.ingest import ingest_documents
from knowledge.search import search

FENCE = "```"

RUNBOOKS = [
    SourceDocument(
        source="redis.md",
        title="Redis memory full",
        lang="en",
        content=(
            "## Symptoms\n\nOOM command not allowed when used memory is above maxmemory.\n\n"
            "## Diagnosis\n\nRun redis-cli info memory and look at evicted_keys.\n\n"
            f"## Mitigation\n\nRaise maxmemory or set an eviction policy.\n\n{FENCE}sh\nredis-cli config set maxmemory 2gb\n{FENCE}\n"
        ),
    ),
    SourceDocument(
        source="disk.md",
        title="Linux disk full",
        lang="en",
        content=(
            "## Symptoms\n\nNo space left on device.\n\n## Diagnosis\n\nRun df -h and du to find large files.\n\n"
            "## Mitigation\n\nRotate logs and remove old journal files.\n"
        ),
    ),
    SourceDocument(
        source="tls.md",
        title="TLS certificate expiry",
        lang="en",
        content=(
            "## Symptoms\n\nBrowsers warn that the certificate expired.\n\n## Mitigation\n\nRenew with certbot renew.\n"
        ),
    ),
    SourceDocument(
        source="noeud.md",
        title="Nœud Kubernetes NotReady",
        lang="fr",
        content=(
            "## Symptômes\n\nLe nœud passe NotReady et les pods sont évincés.\n\n"
            "## Diagnostic\n\nRegarder le kubelet et la pression disque du nœud.\n"
        ),
    ),
    SourceDocument(
        source="crashloop.md",
        title="Pods in CrashLoopBackOff",
        lang="en",
        content=("## Symptoms\n\nThe KubePodCrashLooping alert fires and the container restarts over and over.\n"),
    ),
]


@pytest.fixture
def kb(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    report = ingest_documents(pool, tenant, RUNBOOKS, hash_embedder)
    assert not report.failed
    return tenant


def ask(pool, tenant, query: str, embedder, **kw):
    with tenant_tx(pool, tenant) as conn:
        return search(conn, query, embedder, **kw)


def test_finds_the_right_runbook_first_with_citable_fields(pool, kb, hash_embedder):
    hits = ask(pool, kb, "redis used memory above maxmemory, evicted keys", hash_embedder, k=3)
    assert hits[0].source == "redis.md" and hits[0].title == "Redis memory full"
    assert hits[0].heading in ("Symptoms", "Diagnosis", "Mitigation") and hits[0].content
    assert hits[0].lang == "en" and hits[0].origin == "ingest"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert 0 < hits[0].score <= 1 and len(hits) == 3


@pytest.mark.parametrize(
    "query,expected",
    [
        ("no space left on device", "disk.md"),  # words
        ("certbot", "tls.md"),  # one rare word
        ("KubePodCrashLooping", "crashloop.md"),  # identifier as written in the alert
        ("pod crash looping", "crashloop.md"),  # identifier as people type it
        ("noeud notready evinces", "noeud.md"),  # no accents typed
        ("nœud évincés", "noeud.md"),  # accents typed
    ],
)
def test_keyword_retriever_handles_identifiers_and_accents(pool, kb, hash_embedder, query, expected):
    hits = ask(pool, kb, query, hash_embedder, k=3, mode="text")
    assert hits and hits[0].source == expected


def test_each_tenant_finds_only_its_own_documents_even_without_the_tenant_predicate(
    pool, make_tenant, hash_embedder, monkeypatch
):
    a, b = make_tenant(), make_tenant()
    ingest_documents(pool, a, [RUNBOOKS[0]], hash_embedder)
    ingest_documents(pool, b, [RUNBOOKS[0].model_copy(update={"source": "b-redis.md"}), RUNBOOKS[1]], hash_embedder)

    def sources(tenant, mode):
        return {h.source for h in ask(pool, tenant, "redis memory disk full", hash_embedder, k=10, mode=mode)}

    for mode in ("hybrid", "vector", "text"):
        assert sources(a, mode) == {"redis.md"}
        assert sources(b, mode) == {"b-redis.md", "disk.md"}
    # Row-level security alone still isolates them.
    monkeypatch.setattr(search_module, "_TENANT", sql.SQL("TRUE"))
    for mode in ("hybrid", "vector", "text"):
        assert sources(a, mode) == {"redis.md"}
        assert sources(b, mode) == {"b-redis.md", "disk.md"}


def test_demoted_documents_rank_lower(pool, kb, hash_embedder):
    query = "redis memory maxmemory"
    first = ask(pool, kb, query, hash_embedder, k=5)
    assert first[0].source == "redis.md"
    demoted = ask(pool, kb, query, hash_embedder, k=5, demote={first[0].document_id: 0.0})
    assert demoted[0].source != "redis.md"
    assert all(h.score == 0 for h in demoted if h.source == "redis.md")


def test_language_filter_keeps_that_language_and_unknown(pool, kb, hash_embedder):
    assert {h.lang for h in ask(pool, kb, "nœud disque pods", hash_embedder, k=10, lang="fr")} == {"fr"}
    assert "fr" not in {h.lang for h in ask(pool, kb, "nœud disque pods", hash_embedder, k=10, lang="en")}


def test_one_document_does_not_take_every_slot(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    sections = "\n\n".join(f"## Step {i}\n\nredis memory check number {i}." for i in range(8))
    big = SourceDocument(source="big.md", title="Redis memory checks", content=sections)
    small = [SourceDocument(source=f"s{i}.md", title=f"Note {i}", content=f"redis memory note {i}.") for i in range(3)]
    ingest_documents(pool, tenant, [big, *small], hash_embedder)
    hits = ask(pool, tenant, "redis memory", hash_embedder, k=4)
    assert len({h.source for h in hits}) >= 3


def test_empty_query_or_empty_tenant_returns_nothing(pool, make_tenant, kb, hash_embedder):
    assert ask(pool, kb, "   ", hash_embedder) == []
    assert ask(pool, make_tenant(), "redis memory", hash_embedder) == []
    assert ask(pool, kb, "the and of", hash_embedder, mode="text") == []  # only stop words


def test_unknown_mode_is_refused(pool, kb, hash_embedder):
    with pytest.raises(ValueError):
        ask(pool, kb, "redis", hash_embedder, mode="fuzzy")
