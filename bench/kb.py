"""Knowledge base benchmark: ingestion throughput, and hybrid search latency at scale.

1. Ingestion: bundled runbooks through chunking, the local all-MiniLM-L6-v2 embedder and
   PostgreSQL (chunks/s end to end), and the same with instant fake vectors (storage alone).
2. Search: a synthetic table of --chunks chunks (default 100k) spread over --tenants tenants
   (one holding 25%, the measured small one 1%, the rest ~0.76% each), clustered random
   384-d vectors on the real HNSW index and Zipf-distributed words on the real GIN index.
   `knowledge.search.search` (hybrid, k=5) is timed for the small and the large tenant, next
   to baselines measured in the same run: plain HNSW with the tenant filter (what a naive
   query does), an exact scan without the tenant index, and unfiltered HNSW (one tenant).
   Figures are compared as ratios because these machines are noisy.

    .venv/bin/python bench/kb.py [--chunks 100000] [--tenants 100] [--queries 200] [--ingest-docs 4] [--json]

Uses DATABASE_URL's server when set (a throw-away database is created in it), else an
embedded PostgreSQL under .jamono/bench.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psycopg  # noqa: E402

from jamono.platform.db import open_pool, tenant_tx  # noqa: E402
from jamono.platform.settings import load_settings  # noqa: E402
from knowledge import search as search_module  # noqa: E402
from knowledge.store import vector_literal  # noqa: E402
from knowledge.tenant_index import sync_tenant_indexes  # noqa: E402
from migrations.runner import apply_migrations  # noqa: E402

MODEL, DIM = "all-MiniLM-L6-v2", 384
TOPICS = 64
VOCABULARY = 5000
WORDS_PER_CHUNK = 40
CHUNKS_PER_DOC = 10
NOISE = 1000
SENTENCES = 2000


class FixedEmbedder:
    """Returns the vector prepared for each query text (search latency without the model)."""

    model_id, dim = MODEL, DIM

    def __init__(self) -> None:
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


class RandomEmbedder:
    """Instant unit vectors, to time chunking and storage without the model."""

    model_id, dim = "bench-random", DIM

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        v = np.random.default_rng(len(texts)).standard_normal((len(texts), DIM)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def timed(fn: Callable[[], object], n: int) -> tuple[list[float], list[object]]:
    times, results = [], []
    for _ in range(n):
        started = time.perf_counter()
        results.append(fn())
        times.append((time.perf_counter() - started) * 1000)
    return times, results


# ---------------------------------------------------------------------------- database


class BenchDatabase:
    def __init__(self, data_dir: Path | None = None) -> None:
        self.server = None
        given = os.environ.get("DATABASE_URL")
        if given:
            self.base_url = given
        else:
            from jamono.platform.embedded import EmbeddedPostgres

            self.server = EmbeddedPostgres(data_dir or ROOT / ".jamono" / "bench", database="postgres")
            self.base_url = self.server.start()
        self.name = f"jamono_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = urlunsplit(urlsplit(self.base_url)._replace(path="/" + self.name))

    def close(self) -> None:
        with psycopg.connect(self.base_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        if self.server is not None:
            self.server.stop()


# ---------------------------------------------------------------------------- ingestion


def bench_ingest(pool, admin_url: str, docs: int) -> dict[str, float]:
    from jamono.platform.tenancy import TeamIdentity, register_workspace
    from knowledge.bundle import BUNDLED_DIR
    from knowledge.documents import load_paths
    from knowledge.embeddings import local_embedder
    from knowledge.ingest import ingest_documents

    sources, _ = load_paths([BUNDLED_DIR / "en", BUNDLED_DIR / "fr"], relative_to=BUNDLED_DIR)
    sample = sources[:: max(1, len(sources) // docs)][:docs]
    model = local_embedder().load()
    model.embed(["warm up"])
    out: dict[str, float] = {}
    for label, embedder in (("storage", RandomEmbedder()), ("minilm", model)):
        tenant = register_workspace(pool, TeamIdentity(team_id="TBENCH" + uuid.uuid4().hex[:8].upper())).tenant_id
        report = ingest_documents(pool, tenant, sample, embedder)
        out[f"ingest_{label}_chunks"] = report.chunks
        out[f"ingest_{label}_chunks_per_s"] = report.chunks / report.seconds
        again = ingest_documents(pool, tenant, sample, embedder)
        out[f"ingest_{label}_unchanged_s"] = again.seconds
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("DELETE FROM tenants WHERE id = %s", [tenant])
    return out


# ---------------------------------------------------------------------------- synthetic corpus


def tenant_sizes(chunks: int, tenants: int) -> list[int]:
    """[large 25%, small 1%, then the rest split evenly]."""
    large, small = chunks // 4, chunks // 100
    rest = chunks - large - small
    others = [rest // (tenants - 2)] * (tenants - 2)
    others[-1] += rest - sum(others)
    return [large, small, *others]


@dataclass
class Corpus:
    tenants: list[uuid.UUID]  # [large, small, others…]
    sizes: list[int]
    centroids: np.ndarray
    load_s: float
    index_s: float


def build_corpus(admin_url: str, chunks: int, tenants: int, seed: int = 7, maintenance_work_mem: str = "1GB") -> Corpus:
    """Fill knowledge_chunks server-side; indexes are dropped for the load and rebuilt. The HNSW
    graph must fit in maintenance_work_mem (1M x 384-d: ~2.5 GB) or its build slows many-fold."""
    sizes = tenant_sizes(chunks, tenants)
    ids = [uuid.uuid4() for _ in sizes]
    rng = np.random.default_rng(seed)
    centroids = rng.standard_normal((TOPICS, DIM)).astype(np.float32)
    started = time.perf_counter()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("SELECT set_config('maintenance_work_mem', %s, false)", [maintenance_work_mem])
        conn.execute("SELECT setseed(0.42)")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'knowledge_chunks'"
            " AND indexname IN ('knowledge_chunks_minilm_hnsw', 'knowledge_chunks_tsv_idx')"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        with conn.transaction():
            conn.cursor().executemany(
                "INSERT INTO tenants (id, name) VALUES (%s, %s)", [[t, f"bench {i}"] for i, t in enumerate(ids)]
            )
            conn.execute("CREATE TEMP TABLE plan (i int, tenant_id uuid, n int, start bigint)")
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            conn.cursor().executemany(
                "INSERT INTO plan VALUES (%s, %s, %s, %s)",
                [[i, t, n, int(s)] for i, (t, n, s) in enumerate(zip(ids, sizes, starts, strict=True))],
            )
            # Vectors: topic centroid + two noise vectors from small pools (cheap vector sums
            # instead of 38M random() calls); texts: two of 2,000 random 20-word sentences.
            conn.execute("CREATE TEMP TABLE topic (k int PRIMARY KEY, v vector)")
            conn.cursor().executemany(
                "INSERT INTO topic VALUES (%s, %s)", [[k, vector_literal(c)] for k, c in enumerate(centroids)]
            )
            conn.execute("CREATE TEMP TABLE noise (k int PRIMARY KEY, v vector)")
            noise = (rng.random((NOISE, DIM)) - 0.5).astype(np.float32) * 0.9
            conn.cursor().executemany(
                "INSERT INTO noise VALUES (%s, %s)", [[k, vector_literal(v)] for k, v in enumerate(noise)]
            )
            conn.execute("CREATE TEMP TABLE sentence (k int PRIMARY KEY, txt text)")
            words = (VOCABULARY * rng.random((SENTENCES, WORDS_PER_CHUNK // 2)) ** 3).astype(int)
            conn.cursor().executemany(
                "INSERT INTO sentence VALUES (%s, %s)",
                [[k, " ".join(f"w{w}" for w in row)] for k, row in enumerate(words)],
            )
            conn.execute(
                "CREATE TEMP TABLE docs AS SELECT p.tenant_id, d AS doc_no, gen_random_uuid() AS id"
                f" FROM plan p, generate_series(0, (p.n - 1) / {CHUNKS_PER_DOC}) AS d"
            )
            conn.execute(
                "INSERT INTO knowledge_documents (id, tenant_id, source, title, content, content_hash)"
                " SELECT id, tenant_id, 'doc-' || doc_no, 'Document ' || doc_no, '', '' FROM docs"
            )
            conn.execute(
                "INSERT INTO knowledge_chunks (tenant_id, document_id, ord, content, search_text, embedding_model, embedding)"
                " SELECT p.tenant_id, d.id, (g - p.start) %% %(per_doc)s, s1.txt || ' ' || s2.txt,"
                "   s1.txt || ' ' || s2.txt, %(model)s, t.v + n1.v + n2.v"
                " FROM plan p"
                " CROSS JOIN LATERAL generate_series(p.start, p.start + p.n - 1) AS g"
                " JOIN docs d ON d.tenant_id = p.tenant_id AND d.doc_no = (g - p.start) / %(per_doc)s"
                " JOIN topic t ON t.k = (g * 7919) %% %(topics)s"
                " JOIN noise n1 ON n1.k = (g * 104729) %% %(noise)s"
                " JOIN noise n2 ON n2.k = (g * 31 + g / %(noise)s) %% %(noise)s"
                " JOIN sentence s1 ON s1.k = (g * 15485863) %% %(sentences)s"
                " JOIN sentence s2 ON s2.k = (g * 7 + g / %(sentences)s) %% %(sentences)s",
                {"per_doc": CHUNKS_PER_DOC, "model": MODEL, "topics": TOPICS, "noise": NOISE, "sentences": SENTENCES},
            )
        loaded = time.perf_counter()
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("VACUUM ANALYZE knowledge_chunks")
        conn.execute("VACUUM ANALYZE knowledge_documents")
    return Corpus(
        tenants=ids, sizes=sizes, centroids=centroids, load_s=loaded - started, index_s=time.perf_counter() - loaded
    )


# ---------------------------------------------------------------------------- search


def make_queries(n: int, centroids: np.ndarray, embedder: FixedEmbedder, seed: int = 11) -> list[str]:
    rng = np.random.default_rng(seed)
    texts = []
    for i in range(n):
        words = [f"w{int(VOCABULARY * rng.random() ** 3)}" for _ in range(3)]
        text = " ".join(words) + f" q{i}"
        topic = centroids[rng.integers(TOPICS)]
        embedder.vectors[text] = (topic + (rng.random(DIM) - 0.5) * 0.9 + (rng.random(DIM) - 0.5) * 0.9).astype(
            np.float32
        )
        texts.append(text)
    return texts


def plain_hnsw(conn, qvec: str, k: int, *, tenant_filter: bool) -> list[tuple[int, float]]:
    """What a naive query gets: HNSW with default ef_search (40), filter after the walk."""
    conn.execute("SET LOCAL hnsw.ef_search = 40")
    conn.execute("SET LOCAL enable_sort = off")  # the plan the planner picks when it expects many rows
    where = "AND tenant_id = jamono_current_tenant()" if tenant_filter else ""
    rows = conn.execute(
        f"SELECT id, (embedding::vector({DIM})) <=> %s::vector({DIM}) AS d FROM knowledge_chunks"
        f" WHERE embedding_model = '{MODEL}' {where} ORDER BY (embedding::vector({DIM})) <=> %s::vector({DIM})"
        f" LIMIT {k}",
        [qvec, qvec],
    ).fetchall()
    return [(r["id"], r["d"]) for r in rows]


def exact_no_tenant_index(conn, qvec: str, k: int) -> list[tuple[int, float]]:
    """Exact kNN as if there were no (tenant_id, model) index: a scan of the whole table."""
    conn.execute("SET LOCAL enable_indexscan = off")
    conn.execute("SET LOCAL enable_bitmapscan = off")
    rows = conn.execute(
        "SELECT id, embedding <=> %s::vector AS d FROM knowledge_chunks"
        f" WHERE tenant_id = jamono_current_tenant() AND embedding_model = '{MODEL}' ORDER BY d LIMIT {k}",
        [qvec],
    ).fetchall()
    return [(r["id"], r["d"]) for r in rows]


def recall(found: Sequence[int], truth: Sequence[int]) -> float:
    return len(set(found) & set(truth)) / len(truth) if truth else 1.0


def exact_hybrid(conn, query: str, embedder: FixedEmbedder) -> list[Any]:
    """search(k=10) with exact retrievers: the reference its recall is measured against."""
    from knowledge.search import text_candidates, word_query

    def full_ranking(conn, words, n, lang=None, *, tenant_chunks=None):
        return text_candidates(conn, [word_query(w) for w in words], n, lang, tenant_chunks=tenant_chunks)

    saved = search_module.EXACT_MAX_ROWS, search_module.text_candidates_pruned
    search_module.EXACT_MAX_ROWS, search_module.text_candidates_pruned = 10**12, full_ranking
    try:
        return search_module.search(conn, query, embedder, k=10)
    finally:
        search_module.EXACT_MAX_ROWS, search_module.text_candidates_pruned = saved


def bench_tenant(
    pool, tenant, queries: list[str], embedder: FixedEmbedder, label: str, *, baselines: bool = True
) -> dict[str, float]:
    from knowledge.search import exact_knn, search, vector_candidates

    out: dict[str, float] = {}
    vecs = {q: vector_literal(embedder.vectors[q]) for q in queries}
    truth: dict[str, list[int]] = {}
    with tenant_tx(pool, tenant) as conn:
        for q in queries:
            truth[q] = [f.chunk_id for f in exact_knn(conn, vecs[q], MODEL, 10)]

    def run(fn: Callable[[Any, str], Any], subset: list[str] | None = None) -> tuple[list[float], list[Any]]:
        times: list[float] = []
        results: list[Any] = []
        for q in subset or queries:
            with tenant_tx(pool, tenant) as conn:
                started = time.perf_counter()
                results.append(fn(conn, q))
                times.append((time.perf_counter() - started) * 1000)
        return times, results

    few = queries[:50]  # for warming up, and for baselines too slow to run every query
    # Recall of the hybrid search: its top 10 against the same fusion over exact retrievers
    # (exact kNN, every keyword-matching chunk ranked with counted document frequencies).
    _, exact_top = run(lambda conn, q: exact_hybrid(conn, q, embedder))
    _, fast_top = run(lambda conn, q: search(conn, q, embedder, k=10))
    out[f"{label}_hybrid_recall10"] = statistics.mean(
        recall([h.chunk_id for h in f], [h.chunk_id for h in e]) for f, e in zip(fast_top, exact_top, strict=True) if e
    )
    run(lambda conn, q: search(conn, q, embedder, k=5), few)  # warm caches (lexemes, tenant size, buffers)
    times, _ = run(lambda conn, q: search(conn, q, embedder, k=5))
    out[f"{label}_hybrid_p50"], out[f"{label}_hybrid_p99"] = statistics.median(times), pct(times, 99)
    # The kNN stage alone (tenant-aware: exact scan or HNSW with fallback), 40 candidates.
    times, results = run(lambda conn, q: vector_candidates(conn, vecs[q], MODEL, DIM, 40))
    out[f"{label}_vector_p50"], out[f"{label}_vector_p99"] = statistics.median(times), pct(times, 99)
    out[f"{label}_vector_recall10"] = statistics.mean(
        recall([f.chunk_id for f in found[:10]], truth[q]) for q, found in zip(queries, results, strict=True)
    )
    if not baselines:
        return out
    times, _ = run(lambda conn, q: search(conn, q, embedder, k=5, mode="text"))
    out[f"{label}_text_p50"], out[f"{label}_text_p99"] = statistics.median(times), pct(times, 99)
    # The keyword stage as search() runs it (40 candidates, the tenant's size): planned from term
    # statistics against the full ranking (every chunk holding a query word, scored).
    from knowledge.search import (
        MIN_CANDIDATES,
        _tenant_rows,
        text_candidates,
        text_candidates_pruned,
        word_lexemes,
        word_query,
    )

    with tenant_tx(pool, tenant) as conn:
        size = _tenant_rows(conn, MODEL)
    n = MIN_CANDIDATES
    times, pruned = run(lambda conn, q: text_candidates_pruned(conn, word_lexemes(conn, q), n, tenant_chunks=size)[0])
    out[f"{label}_keywords_p50"], out[f"{label}_keywords_p99"] = statistics.median(times), pct(times, 99)
    times, full = run(
        lambda conn, q: text_candidates(conn, [word_query(w) for w in word_lexemes(conn, q)], n, tenant_chunks=size)[0]
    )
    out[f"{label}_keywords_full_p50"], out[f"{label}_keywords_full_p99"] = statistics.median(times), pct(times, 99)
    out[f"{label}_keywords_recall10"] = statistics.mean(
        recall([f.chunk_id for f in p[:10]], [f.chunk_id for f in f_[:10]])
        for p, f_ in zip(pruned, full, strict=True)
        if f_
    )
    times, results = run(lambda conn, q: plain_hnsw(conn, vecs[q], 10, tenant_filter=True))
    out[f"{label}_plain_hnsw_p50"], out[f"{label}_plain_hnsw_p99"] = statistics.median(times), pct(times, 99)
    out[f"{label}_plain_hnsw_rows"] = statistics.mean(len(r) for r in results)
    out[f"{label}_plain_hnsw_recall10"] = statistics.mean(
        recall([cid for cid, _ in r], truth[q]) for q, r in zip(queries, results, strict=True)
    )
    times, _ = run(lambda conn, q: exact_no_tenant_index(conn, vecs[q], 10), few)
    out[f"{label}_exact_scan_p50"], out[f"{label}_exact_scan_p99"] = statistics.median(times), pct(times, 99)
    return out


def bench_unfiltered(pool, tenant, queries: list[str], embedder: FixedEmbedder) -> dict[str, float]:
    times = []
    for q in queries:
        with tenant_tx(pool, tenant) as conn:
            started = time.perf_counter()
            plain_hnsw(conn, vector_literal(embedder.vectors[q]), 10, tenant_filter=False)
            times.append((time.perf_counter() - started) * 1000)
    return {"unfiltered_hnsw_p50": statistics.median(times), "unfiltered_hnsw_p99": pct(times, 99)}


# ---------------------------------------------------------------------------- main


# Search settings a run may change: flag -> (knowledge.search's constant, type, what it is).
SEARCH_KNOBS: dict[str, tuple[str, type, str]] = {
    "--full-scan-rows": ("FULL_SCAN_MAX_ROWS", int, "keyword stage: every matching chunk is scored up to this many"),
    "--scored-rows": ("SCORED_ROWS_MAX", int, "keyword stage: chunks read and scored at most"),
    "--candidate-rows": ("CANDIDATE_ROWS", int, "keyword stage: chunks expected from the planned word groups"),
    "--ef-safety": ("HNSW_EF_SAFETY", float, "kNN stage: HNSW ef_search over what the tenant's share predicts"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--ingest-docs", type=int, default=4, help="bundled runbooks embedded for throughput (0: skip)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line at the end")
    for flag, (name, kind, what) in SEARCH_KNOBS.items():
        default = getattr(search_module, name)
        parser.add_argument(flag, type=kind, default=default, help=f"{what} (knowledge.search.{name})")
    parser.add_argument(
        "--maintenance-work-mem", default="1GB", help="for the index builds (1M chunks: 4GB, the graph must fit)"
    )
    parser.add_argument("--data-dir", type=Path, help="embedded PostgreSQL's directory (default .jamono/bench)")
    parser.add_argument(
        "--tenant-index-min-rows",
        type=int,
        default=search_module.TENANT_INDEX_MIN_ROWS,
        help="then time again with HNSW indexes of their own for tenants above this size (0: skip)",
    )
    parser.add_argument(
        "--iterative", choices=["auto", "off"], default="auto", help="pgvector >= 0.8 iterative scans when available"
    )
    args = parser.parse_args(argv)
    search_module.ITERATIVE_SCANS = None if args.iterative == "auto" else False
    for flag, (name, _, _) in SEARCH_KNOBS.items():
        setattr(search_module, name, getattr(args, flag.lstrip("-").replace("-", "_")))
    if args.tenants < 3 or args.chunks < 100 * 3:
        parser.error("need at least 3 tenants and 300 chunks")

    db = BenchDatabase(args.data_dir)
    figures: dict[str, float] = {}
    try:
        apply_migrations(db.url)
        pool = open_pool(load_settings(database_url=db.url, _env_file=None), max_size=2, name="bench-kb")
        try:
            if args.ingest_docs:
                print(f"ingesting {args.ingest_docs} bundled runbooks…", flush=True)
                figures.update(bench_ingest(pool, db.url, args.ingest_docs))
            print(f"building {args.chunks} synthetic chunks over {args.tenants} tenants…", flush=True)
            corpus = build_corpus(db.url, args.chunks, args.tenants, maintenance_work_mem=args.maintenance_work_mem)
            figures["load_s"], figures["index_s"] = corpus.load_s, corpus.index_s
            embedder = FixedEmbedder()
            queries = make_queries(args.queries, corpus.centroids, embedder)
            print("timing searches…", flush=True)
            figures.update(bench_tenant(pool, corpus.tenants[1], queries, embedder, "small"))
            figures.update(bench_tenant(pool, corpus.tenants[0], queries, embedder, "large"))
            if args.tenant_index_min_rows:
                # The same searches right after, once tenants above the threshold have their own index.
                report = sync_tenant_indexes(
                    db.url, min_rows=args.tenant_index_min_rows, maintenance_work_mem=args.maintenance_work_mem
                )
                figures["tenant_index_s"], figures["tenant_indexes"] = report.seconds, len(report.created)
                print(
                    f"{len(report.created)} tenant indexes built in {report.seconds:.0f} s; timing again…", flush=True
                )
                for i, label in ((1, "small_own"), (0, "large_own")):
                    figures.update(bench_tenant(pool, corpus.tenants[i], queries, embedder, label, baselines=False))
                with psycopg.connect(db.url) as conn:  # that the searches did walk the tenant index
                    row = conn.execute(
                        "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes"
                        " WHERE indexrelname LIKE 'knowledge\\_chunks\\_minilm\\_t%'"
                    ).fetchone()
                    figures["tenant_index_scans"] = int(row[0]) if row else 0
            figures.update(bench_unfiltered(pool, corpus.tenants[1], queries, embedder))
        finally:
            pool.close()
    finally:
        db.close()

    sizes = corpus.sizes
    small, large = sizes[1], sizes[0]
    total = sum(sizes)
    print()
    if args.ingest_docs:
        print(
            f"ingestion, local all-MiniLM-L6-v2: {figures['ingest_minilm_chunks']:.0f} chunks at "
            f"{figures['ingest_minilm_chunks_per_s']:.1f} chunks/s; storage alone (instant vectors): "
            f"{figures['ingest_storage_chunks_per_s']:.0f} chunks/s; re-ingesting unchanged: "
            f"{figures['ingest_minilm_unchanged_s'] * 1000:.0f} ms"
        )
    print(
        f"synthetic corpus: {total} chunks, {len(sizes)} tenants; load {figures['load_s']:.0f} s, "
        f"index build {figures['index_s']:.0f} s"
    )
    print(f"exact-scan threshold: {search_module.EXACT_MAX_ROWS} chunks")
    print(f"{'':34}{'p50 ms':>9}{'p99 ms':>9}{'recall@10':>11}")
    for label, size in (("small", small), ("large", large)):
        share = 100 * size / total
        print(f"{label} tenant ({size} chunks, {share:.0f}%)")
        print(
            f"  {'search() hybrid k=5':<32}{figures[f'{label}_hybrid_p50']:>9.2f}{figures[f'{label}_hybrid_p99']:>9.2f}"
        )
        print(f"  {'search() hybrid k=10 vs exact':<32}{'':>9}{'':>9}{figures[f'{label}_hybrid_recall10']:>11.3f}")
        print(
            f"  {'kNN stage (40 candidates)':<32}{figures[f'{label}_vector_p50']:>9.2f}{figures[f'{label}_vector_p99']:>9.2f}"
            f"{figures[f'{label}_vector_recall10']:>11.3f}"
        )
        print(
            f"  {'search() text only k=5':<32}{figures[f'{label}_text_p50']:>9.2f}{figures[f'{label}_text_p99']:>9.2f}"
        )
        print(
            f"  {'keyword stage, term stats':<32}{figures[f'{label}_keywords_p50']:>9.2f}"
            f"{figures[f'{label}_keywords_p99']:>9.2f}{figures[f'{label}_keywords_recall10']:>11.3f}   (vs full ranking)"
        )
        print(
            f"  {'baseline: full keyword ranking':<32}{figures[f'{label}_keywords_full_p50']:>9.2f}"
            f"{figures[f'{label}_keywords_full_p99']:>9.2f}"
        )
        print(
            f"  {'baseline: plain HNSW ef=40':<32}{figures[f'{label}_plain_hnsw_p50']:>9.2f}"
            f"{figures[f'{label}_plain_hnsw_p99']:>9.2f}{figures[f'{label}_plain_hnsw_recall10']:>11.3f}"
            f"   ({figures[f'{label}_plain_hnsw_rows']:.1f} rows of 10 returned)"
        )
        print(
            f"  {'baseline: exact, no tenant idx*':<32}{figures[f'{label}_exact_scan_p50']:>9.2f}"
            f"{figures[f'{label}_exact_scan_p99']:>9.2f}{1.0:>11.3f}"
        )
        print(
            f"  ratios (p99): hybrid / plain HNSW {figures[f'{label}_hybrid_p99'] / figures[f'{label}_plain_hnsw_p99']:.2f}, "
            f"kNN stage / exact scan {figures[f'{label}_vector_p99'] / figures[f'{label}_exact_scan_p99']:.2f}"
        )
    print("  * first 50 queries only (a full-table scan per query)")
    print(
        f"large / small tenant, search() hybrid p99: {figures['large_hybrid_p99'] / figures['small_hybrid_p99']:.2f}"
        f" (target <= 2); keyword stage p99: {figures['large_keywords_p99'] / figures['small_keywords_p99']:.2f},"
        f" full keyword ranking p99: {figures['large_keywords_full_p99'] / figures['small_keywords_full_p99']:.2f}"
    )
    print(
        f"reference: unfiltered HNSW ef=40 (one tenant owning everything): p50 {figures['unfiltered_hnsw_p50']:.2f} ms,"
        f" p99 {figures['unfiltered_hnsw_p99']:.2f} ms"
    )
    if "large_own_hybrid_p99" in figures:
        print(
            f"with tenant indexes ({figures['tenant_indexes']:.0f} built in {figures['tenant_index_s']:.0f} s,"
            f" {figures['tenant_index_scans']:.0f} scans of them):"
            f" large hybrid p50 {figures['large_own_hybrid_p50']:.2f} p99 {figures['large_own_hybrid_p99']:.2f} ms,"
            f" recall@10 {figures['large_own_hybrid_recall10']:.3f}; kNN stage p99 {figures['large_own_vector_p99']:.2f} ms,"
            f" recall@10 {figures['large_own_vector_recall10']:.3f}; small hybrid p99 {figures['small_own_hybrid_p99']:.2f} ms"
        )
        print(
            f"large / small tenant, search() hybrid p99 with tenant indexes:"
            f" {figures['large_own_hybrid_p99'] / figures['small_own_hybrid_p99']:.2f} (target <= 2)"
        )
    target = figures["small_hybrid_p99"] <= 20.0
    print(
        f"target search p99 <= 20 ms at {total} chunks (small tenant): {'met' if target else 'NOT met'}"
        f" ({figures['small_hybrid_p99']:.2f} ms)"
    )
    if args.json:
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
