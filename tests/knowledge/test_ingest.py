"""Ingestion is idempotent, replaces a changed document atomically and follows model switches."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from jamono.platform.db import tenant_tx
from knowledge.bundle import BUNDLED_PREFIX
from knowledge.documents import SourceDocument
from knowledge.ingest import ingest_documents, ingest_paths, list_documents, load_bundled, remove_document
from tests.knowledge.doubles import HashEmbedder

FENCE = "```"


def runbook(source: str = "ops/redis.md", body: str = "Check used_memory.", **kw) -> SourceDocument:
    content = f"# Redis\n\nWhen Redis is full.\n\n## Diagnosis\n\n{body}\n\n## Mitigation\n\n{FENCE}sh\nredis-cli info memory\n{FENCE}\n"
    return SourceDocument(source=source, title=kw.pop("title", "Redis memory"), content=content, **kw)


def chunk_rows(pool, tenant_id, source: str | None = None) -> list[dict]:
    with tenant_tx(pool, tenant_id) as conn:
        return conn.execute(
            "SELECT c.id, c.ord, c.content, c.embedding_model FROM knowledge_chunks c"
            " JOIN knowledge_documents d ON d.id = c.document_id"
            " WHERE %s::text IS NULL OR d.source = %s ORDER BY c.id",
            [source, source],
        ).fetchall()


def test_second_ingest_is_unchanged_and_writes_nothing(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    docs = [runbook(), runbook("ops/disk.md", "Run df -h.", title="Disk full")]
    first = ingest_documents(pool, tenant, docs, hash_embedder)
    assert sorted(first.added) == ["ops/disk.md", "ops/redis.md"] and first.chunks == 6 and not first.failed
    before = chunk_rows(pool, tenant)
    with tenant_tx(pool, tenant) as conn:
        stamps = conn.execute("SELECT source, updated_at FROM knowledge_documents ORDER BY source").fetchall()
    texts_before = hash_embedder.texts

    second = ingest_documents(pool, tenant, docs, hash_embedder)
    assert sorted(second.unchanged) == ["ops/disk.md", "ops/redis.md"]
    assert second.added == second.updated == [] and second.chunks == 0
    assert hash_embedder.texts == texts_before  # nothing re-embedded
    assert chunk_rows(pool, tenant) == before  # same rows, same ids
    with tenant_tx(pool, tenant) as conn:
        assert conn.execute("SELECT source, updated_at FROM knowledge_documents ORDER BY source").fetchall() == stamps
    assert "2 unchanged" in second.summary()


def test_changed_document_replaces_all_its_chunks(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    ingest_documents(pool, tenant, [runbook(), runbook("ops/other.md", title="Other")], hash_embedder)
    old_ids = {r["id"] for r in chunk_rows(pool, tenant, "ops/redis.md")}
    other_before = chunk_rows(pool, tenant, "ops/other.md")

    report = ingest_documents(pool, tenant, [runbook(body="Check used_memory and evicted_keys.")], hash_embedder)
    assert report.updated == ["ops/redis.md"] and report.chunks == 3
    rows = chunk_rows(pool, tenant, "ops/redis.md")
    assert not old_ids & {r["id"] for r in rows}
    assert [r["ord"] for r in rows] == [0, 1, 2]
    assert any("evicted_keys" in r["content"] for r in rows)
    assert chunk_rows(pool, tenant, "ops/other.md") == other_before


def test_readers_never_see_a_half_replaced_document(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    ingest_documents(pool, tenant, [runbook(body="version 0")], hash_embedder)
    seen: set[tuple[int, frozenset[str]]] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            rows = chunk_rows(pool, tenant, "ops/redis.md")
            versions = frozenset(v for r in rows for v in ("version 0", "version 1", "version 2") if v in r["content"])
            seen.add((len(rows), versions))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in (1, 2, 1, 2, 1):
            ingest_documents(pool, tenant, [runbook(body=f"version {i}")], hash_embedder)
    finally:
        stop.set()
        reader.join()
    assert seen and all(n == 3 and len(versions) == 1 for n, versions in seen)


def test_a_failed_write_keeps_the_old_version(pool, make_tenant, hash_embedder, monkeypatch):
    tenant = make_tenant()
    ingest_documents(pool, tenant, [runbook(body="old text")], hash_embedder)
    before = chunk_rows(pool, tenant)

    class Broken(HashEmbedder):
        def embed(self, texts):  # wrong shape: rejected before any write
            return np.zeros((len(texts), self.dim + 1), dtype=np.float32)

    report = ingest_documents(pool, tenant, [runbook(body="new text")], Broken())
    assert [f.source for f in report.failed] == ["ops/redis.md"] and "embedding failed" in report.failed[0].reason
    assert chunk_rows(pool, tenant) == before

    from knowledge import store

    real_write = store.write_document

    def write_then_fail(conn, *args, **kwargs):
        real_write(conn, *args, **kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "write_document", write_then_fail)
    report = ingest_documents(pool, tenant, [runbook(body="newer text")], hash_embedder)
    assert report.failed and "disk on fire" in report.failed[0].reason
    assert chunk_rows(pool, tenant) == before  # the transaction rolled back as a whole


def test_switching_embedding_model_reembeds_unchanged_documents(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    ingest_documents(pool, tenant, [runbook()], hash_embedder)
    other = HashEmbedder(model_id="test-hash-32", dim=32)
    report = ingest_documents(pool, tenant, [runbook()], other)
    assert report.updated == ["ops/redis.md"] and other.texts == 3
    assert {r["embedding_model"] for r in chunk_rows(pool, tenant)} == {"test-hash-32"}
    assert ingest_documents(pool, tenant, [runbook()], other).unchanged == ["ops/redis.md"]


def test_url_change_updates_metadata_without_reembedding(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    ingest_documents(pool, tenant, [runbook()], hash_embedder)
    texts = hash_embedder.texts
    report = ingest_documents(pool, tenant, [runbook(url="https://wiki/redis")], hash_embedder)
    assert report.updated == ["ops/redis.md"] and hash_embedder.texts == texts
    assert list_documents(pool, tenant)[0].url == "https://wiki/redis"


def test_paths_folders_sources_failures_and_progress(pool, make_tenant, hash_embedder, tmp_path: Path):
    tenant = make_tenant()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "pods.md").write_text("---\ntitle: Pods\ntags: [k8s]\n---\n## Pending\n\nDescribe the pod.\n")
    (tmp_path / "notes.txt").write_text("Restart the worker with make restart.\n")
    (tmp_path / "page.htm").write_text("<h1>TLS</h1><p>Renew the certificate.</p>")
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe\x00broken")
    calls: list[tuple[int, int, str]] = []
    report = ingest_paths(
        pool,
        tenant,
        [tmp_path],
        hash_embedder,
        relative_to=tmp_path,
        created_by="U123",
        progress=lambda d, t, s: calls.append((d, t, s)),
    )
    assert sorted(report.added) == ["k8s/pods.md", "notes.txt", "page.htm"]
    assert [f.source for f in report.failed] == ["bad.md"]
    assert [c[0] for c in calls] == [1, 2, 3] and all(c[1] == 3 for c in calls)
    docs = {d.source: d for d in list_documents(pool, tenant)}
    assert docs["k8s/pods.md"].title == "Pods" and docs["k8s/pods.md"].tags == ["k8s"]
    assert docs["page.htm"].title == "TLS" and docs["notes.txt"].created_by == "U123"
    assert all(d.origin == "ingest" and d.chunks >= 1 for d in docs.values())


def test_remove_by_source_or_id(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    ingest_documents(pool, tenant, [runbook(), runbook("ops/b.md")], hash_embedder)
    by_source = {d.source: d for d in list_documents(pool, tenant)}
    assert remove_document(pool, tenant, "ops/redis.md")
    assert remove_document(pool, tenant, by_source["ops/b.md"].id)
    assert not remove_document(pool, tenant, "ops/redis.md")
    assert list_documents(pool, tenant) == [] and chunk_rows(pool, tenant) == []


def test_tenants_do_not_share_documents(pool, make_tenant, hash_embedder):
    a, b = make_tenant(), make_tenant()
    ingest_documents(pool, a, [runbook()], hash_embedder)
    assert ingest_documents(pool, b, [runbook()], hash_embedder).added == ["ops/redis.md"]  # same source, own copy
    assert not remove_document(pool, b, list_documents(pool, a)[0].id)  # a's id means nothing to b
    assert len(list_documents(pool, a)) == len(list_documents(pool, b)) == 1


def test_load_bundled_is_idempotent_and_prunes_withdrawn_documents(pool, make_tenant, hash_embedder, tmp_path):
    tenant = make_tenant()
    for lang in ("en", "fr"):
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "dns.md").write_text(
            f"---\ntitle: DNS {lang}\nlang: {lang}\n---\n## Symptoms\n\nNXDOMAIN.\n"
        )
    (tmp_path / "en" / "old.md").write_text("---\ntitle: Old\n---\nGone soon.\n")
    (tmp_path / "README.md").write_text("# About this folder\n")
    first = load_bundled(pool, tenant, hash_embedder, bundled_dir=tmp_path)
    assert sorted(first.added) == [
        f"{BUNDLED_PREFIX}en/dns.md",
        f"{BUNDLED_PREFIX}en/old.md",
        f"{BUNDLED_PREFIX}fr/dns.md",
    ]
    assert load_bundled(pool, tenant, hash_embedder, bundled_dir=tmp_path).unchanged == first.added
    (tmp_path / "en" / "old.md").unlink()
    third = load_bundled(pool, tenant, hash_embedder, bundled_dir=tmp_path)
    assert third.removed == [f"{BUNDLED_PREFIX}en/old.md"]
    assert {d.origin for d in list_documents(pool, tenant)} == {"bundled"}
    assert {d.lang for d in list_documents(pool, tenant)} == {"en", "fr"}


@pytest.mark.skipif(
    not Path(__file__).resolve().parents[2].joinpath("knowledge/bundled/en").is_dir(), reason="no bundled runbooks"
)
def test_the_shipped_bundle_loads(pool, make_tenant, hash_embedder):
    tenant = make_tenant()
    report = load_bundled(pool, tenant, hash_embedder)
    assert report.added and not report.failed
    assert all(s.startswith(BUNDLED_PREFIX) and not s.endswith("README.md") for s in report.added)
    assert load_bundled(pool, tenant, hash_embedder).unchanged == report.added
