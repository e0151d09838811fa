"""Ingestion: documents in, chunks with embeddings out, each document replaced atomically.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import numpy as np
from pydantic import BaseModel, Field

from jamono.platform.db import Pool, tenant_tx
from knowledge import store
from knowledge.bundle import BUNDLED_DIR, BUNDLED_PREFIX
from knowledge.chunking import CHUNKER_VERSION, Chunk, chunk_document
from knowledge.documents import IngestFailure, SourceDocument, load_paths
from knowledge.embeddings import Embedder
from knowledge.shipped_vectors import load_shipped, text_key
from knowledge.store import DocumentInfo

log = logging.getLogger(__name__)

EMBED_BATCH = 64

Progress = Callable[[int, int, str], None]
"""Called after each document with (documents done, documents total, source)."""


class IngestReport(BaseModel):
    """What an ingestion did, per document source."""

    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    failed: list[IngestFailure] = Field(default_factory=list)
    # Sources left alone because someone else wrote them (with `owned_by`): source -> their author.
    taken: dict[str, str | None] = Field(default_factory=dict)
    chunks: int = 0  # chunks embedded and written by this run
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"]
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts) + f"; {self.chunks} chunks embedded in {self.seconds:.1f} s"


def fingerprint(doc: SourceDocument) -> str:
    """The stored content_hash: the document's hash plus the chunker version that cut it."""
    return hashlib.sha256(f"{doc.content_hash}:chunker-{CHUNKER_VERSION}".encode()).hexdigest()


class _Job(BaseModel):
    doc: SourceDocument
    fingerprint: str
    chunks: list[Chunk]


def _embed(embedder: Embedder, texts: Sequence[str], batch: int) -> np.ndarray:
    if not texts:
        return np.empty((0, embedder.dim), dtype=np.float32)
    parts = [
        np.asarray(embedder.embed(list(texts[i : i + batch])), dtype=np.float32) for i in range(0, len(texts), batch)
    ]
    vectors = np.concatenate(parts)
    if vectors.shape != (len(texts), embedder.dim):
        raise RuntimeError(f"embedder returned shape {vectors.shape} for {len(texts)} texts of dim {embedder.dim}")
    return vectors


@dataclass
class _Run:
    """One ingestion's state: where it writes, what it has done, what waits to be embedded."""

    pool: Pool
    tenant: UUID
    embedder: Embedder
    origin: str
    created_by: str | None
    progress: Progress | None
    batch_size: int
    total: int
    report: IngestReport = field(default_factory=IngestReport)
    owned_by: str | None = None
    pending: list[_Job] = field(default_factory=list)
    done: int = 0

    def tick(self, source: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, source)

    def flush(self) -> None:
        if not self.pending:
            return
        texts = [c.embedding_text for job in self.pending for c in job.chunks]
        try:
            vectors = _embed(self.embedder, texts, self.batch_size)
        except Exception as exc:  # one bad batch must not stop the others
            log.warning("embedding failed for %d documents: %s", len(self.pending), exc)
            for job in self.pending:
                self.report.failed.append(IngestFailure(source=job.doc.source, reason=f"embedding failed: {exc}"))
                self.tick(job.doc.source)
            self.pending.clear()
            return
        offset = 0
        for job in self.pending:
            vecs = vectors[offset : offset + len(job.chunks)]
            offset += len(job.chunks)
            self.write(job, vecs)
            self.tick(job.doc.source)
        self.pending.clear()

    def write(self, job: _Job, vecs: np.ndarray) -> None:
        try:
            with tenant_tx(self.pool, self.tenant) as conn:
                _, created = store.write_document(
                    conn,
                    self.tenant,
                    job.doc,
                    fingerprint=job.fingerprint,
                    chunks=job.chunks,
                    vectors=vecs,
                    model_id=self.embedder.model_id,
                    origin=self.origin,
                    created_by=self.created_by,
                    owned_by=self.owned_by,
                )
        except store.DocumentTaken as taken:
            self.report.taken[job.doc.source] = taken.author
        except Exception as exc:
            log.warning("could not store %s: %s", job.doc.source, exc)
            self.report.failed.append(IngestFailure(source=job.doc.source, reason=f"database error: {exc}"))
        else:
            (self.report.added if created else self.report.updated).append(job.doc.source)
            self.report.chunks += len(job.chunks)

    def keep(self, doc: SourceDocument, state: store.DocumentState) -> None:
        """An unchanged document: at most its URL, origin or conversation scope is updated."""
        if self.owned_by is not None and state.created_by != self.owned_by:
            self.report.taken[doc.source] = state.created_by
        elif state.url != doc.url or state.origin != self.origin or state.channel_scope != doc.channel_scope:
            with tenant_tx(self.pool, self.tenant) as conn:
                store.update_metadata(conn, state.id, url=doc.url, origin=self.origin, channel_scope=doc.channel_scope)
            self.report.updated.append(doc.source)
        else:
            self.report.unchanged.append(doc.source)
        self.tick(doc.source)


def _unique(docs: Iterable[SourceDocument], report: IngestReport) -> dict[str, SourceDocument]:
    unique: dict[str, SourceDocument] = {}
    for doc in docs:
        if doc.source in unique:
            report.failed.append(IngestFailure(source=doc.source, reason="duplicate source in this batch"))
            continue
        unique[doc.source] = doc
    return unique


def _current(state: store.DocumentState | None, fp: str, model: str, doc: SourceDocument) -> bool:
    """Stored with this content, by this model only, and chunked (unless there is nothing to chunk)."""
    return (
        state is not None
        and state.content_hash == fp
        and set(state.models) <= {model}
        and (state.chunks > 0 or not doc.content.strip())
    )


def ingest_documents(
    pool: Pool,
    tenant_id: UUID | str,
    docs: Iterable[SourceDocument],
    embedder: Embedder,
    *,
    origin: str = "ingest",
    created_by: str | None = None,
    progress: Progress | None = None,
    batch_size: int = EMBED_BATCH,
    owned_by: str | None = None,
) -> IngestReport:
    """Index documents for a tenant; unchanged ones cost one read, changed ones are re-chunked,
    re-embedded and replaced in one transaction each. With `owned_by`, documents someone else
    wrote are left alone and listed in `taken` (decided inside each write's transaction)."""
    started = time.perf_counter()
    tenant = UUID(str(tenant_id))
    report = IngestReport()
    unique = _unique(docs, report)
    with tenant_tx(pool, tenant) as conn:
        states = store.document_states(conn, list(unique))
    model = embedder.model_id
    run = _Run(
        pool,
        tenant,
        embedder,
        origin,
        created_by,
        progress,
        batch_size,
        total=len(unique),
        report=report,
        owned_by=owned_by,
    )
    queued = 0
    for doc in unique.values():
        fp = fingerprint(doc)
        state = states.get(doc.source)
        if state is not None and _current(state, fp, model, doc):
            run.keep(doc, state)
            continue
        try:
            chunks = chunk_document(doc)
        except Exception as exc:
            report.failed.append(IngestFailure(source=doc.source, reason=f"chunking failed: {exc}"))
            run.tick(doc.source)
            continue
        run.pending.append(_Job(doc=doc, fingerprint=fp, chunks=chunks))
        queued += len(chunks)
        if queued >= batch_size:
            run.flush()
            queued = 0
    run.flush()
    report.seconds = time.perf_counter() - started
    return report


def ingest_paths(
    pool: Pool,
    tenant_id: UUID | str,
    paths: Sequence[Path | str],
    embedder: Embedder,
    *,
    origin: str = "ingest",
    relative_to: Path | str | None = None,
    created_by: str | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files and folders (recursively: .md .markdown .txt .html .htm)."""
    started = time.perf_counter()
    docs, failures = load_paths(paths, relative_to=relative_to)
    report = ingest_documents(pool, tenant_id, docs, embedder, origin=origin, created_by=created_by, progress=progress)
    report.failed = failures + report.failed
    report.seconds = time.perf_counter() - started
    return report


class _MemoEmbedder:
    """Remembers vectors of the bundled runbooks for the life of the process, seeded with the
    vectors shipped with Jamono: every new workspace gets the same texts, so none pays for them."""

    _memo: dict[str, np.ndarray] = {}
    _seeded: set[str] = set()
    _lock = threading.Lock()

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim

    def _seed(self) -> None:
        if self.model_id not in self._seeded:
            self._memo.update(load_shipped(self.model_id))
            self._seeded.add(self.model_id)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(self.model_id, t) for t in texts]
        with self._lock:
            self._seed()
            missing = list(dict.fromkeys(t for k, t in zip(keys, texts, strict=True) if k not in self._memo))
        if missing:
            fresh = np.asarray(self.inner.embed(missing), dtype=np.float32)
            with self._lock:
                for text, vec in zip(missing, fresh, strict=True):
                    self._memo[text_key(self.model_id, text)] = vec
        with self._lock:
            return np.stack([self._memo[k] for k in keys]) if keys else np.empty((0, self.dim), np.float32)


def load_bundled(
    pool: Pool,
    tenant_id: UUID | str,
    embedder: Embedder,
    *,
    progress: Progress | None = None,
    bundled_dir: Path = BUNDLED_DIR,
) -> IngestReport:
    """Load the runbooks shipped with Jamono (origin "bundled"); idempotent, and bundled
    documents no longer shipped are removed. Sources look like "bundled/en/k8s-crashloopbackoff.md"."""
    started = time.perf_counter()
    folders = sorted(p for p in bundled_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    docs, failures = load_paths(folders, relative_to=bundled_dir, source_prefix=BUNDLED_PREFIX)
    report = ingest_documents(pool, tenant_id, docs, _MemoEmbedder(embedder), origin="bundled", progress=progress)
    report.failed = failures + report.failed
    shipped = {d.source for d in docs} | {f.source for f in failures}
    with tenant_tx(pool, tenant_id) as conn:
        for source in store.sources_with_origin(conn, "bundled"):
            if source not in shipped and store.delete_document(conn, source):
                report.removed.append(source)
    report.seconds = time.perf_counter() - started
    return report


def remove_document(pool: Pool, tenant_id: UUID | str, source_or_id: str | UUID) -> bool:
    """Delete one document (by id or source) and its chunks; False when there is none."""
    with tenant_tx(pool, tenant_id) as conn:
        return store.delete_document(conn, source_or_id)


def list_documents(pool: Pool, tenant_id: UUID | str, *, origin: str | None = None) -> list[DocumentInfo]:
    """The tenant's documents with chunk counts and the embedding models of their chunks."""
    with tenant_tx(pool, tenant_id) as conn:
        return store.list_documents(conn, origin=origin)
