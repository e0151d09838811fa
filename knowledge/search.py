"""Hybrid search over a tenant's chunks: pgvector kNN + PostgreSQL full text, fused by RRF.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple
from uuid import UUID

import numpy as np
import psycopg
from psycopg import sql
from psycopg.rows import dict_row, tuple_row
from pydantic import BaseModel

from jamono.observability.metrics import observe_kb_search
from knowledge.embeddings import Embedder
from knowledge.keyword_plan import idf, plan_keywords
from knowledge.ranking import Candidate, diversify, fuse, is_relevant
from knowledge.store import vector_literal
from knowledge.text import query_words, with_expansions
from knowledge.translate import spelt_out, to_english
from knowledge.vector_param import QueryVector, vector_sql

Mode = Literal["hybrid", "vector", "text"]

# Models with an HNSW expression index (migrations/0002): name -> dimension.
INDEXED_MODELS: dict[str, int] = {"all-MiniLM-L6-v2": 384}
INDEXED_MODEL_KEYS: dict[str, str] = {"all-MiniLM-L6-v2": "minilm"}  # in tenant indexes' names
# A tenant with at most this many chunks of the query's model is scanned exactly (bench/kb.py).
EXACT_MAX_ROWS = 10_000
HNSW_EF_MAX = 1000  # pgvector's upper bound for hnsw.ef_search
# A tenant with more chunks than this gets an HNSW index of its own (`jamono kb index`,
# knowledge/tenant_index.py): its graph walk then meets no other tenant's rows.
TENANT_INDEX_MIN_ROWS = 20_000
# pgvector >= 0.8 without a tenant index: the walk goes on until n of the tenant's rows are
# found (hnsw.iterative_scan), visiting at most this many (then the exact fallback).
HNSW_MAX_SCAN_TUPLES = 20_000
ITERATIVE_SCAN_VERSION = (0, 8)
HNSW_EF_SAFETY = 2.0  # ask for twice the candidates the tenant's share predicts
MIN_CANDIDATES = 40  # per retriever
TEXT_TIE_WEIGHT = 1.0  # cover density (ts_rank_cd, ~0..1) next to summed idf (~1..10)
# Keyword stage (knowledge/keyword_plan.py, bench/kb.py): every chunk holding a query word is
# scored while they are this few; beyond, the word groups expected in about CANDIDATE_ROWS chunks,
# and never more than SCORED_ROWS_MAX chunks whatever the estimate (a large tenant's common words).
FULL_SCAN_MAX_ROWS = 1000
CANDIDATE_ROWS = 600
SCORED_ROWS_MAX = 2000
TEXT_WEIGHT_MIN = 0.0  # keyword vote in the fusion when its best match covers nothing
# English questions: MiniLM's vectors are the better judge, words vote at most 0.7 of them
# (tests/knowledge/fixtures/kb_queries_runbooks_own.jsonl: first document right 0.81 -> 0.83).
# French questions: the vectors read French poorly, so words keep a full vote.
TEXT_WEIGHT_POWER = 1.0
TEXT_WEIGHT_MAX = 0.7
TEXT_WEIGHT_POWER_FR = 1.0
TEXT_WEIGHT_MAX_FR = 1.0

MAX_QUERY_CHARS = 4000  # what a question's search reads (Slack allows 40,000)

# The explicit tenant predicate (row-level security applies regardless; tests remove this).
_TENANT = sql.SQL("tenant_id = jamono_current_tenant()")


class Found(NamedTuple):
    """One retriever's answer: a chunk, its document, and the retriever's own score
    (cosine distance for vectors, lower is better; BM25-style score for words, higher is better)."""

    chunk_id: int
    document_id: UUID
    score: float


class Hit(BaseModel):
    """One retrieved passage, with what is needed to cite it and to judge it."""

    chunk_id: int
    document_id: UUID
    title: str
    heading: str
    content: str
    source: str
    url: str | None
    tags: list[str]
    lang: str | None
    origin: str
    score: float  # fused score in [0, 1]: 1 = first in both retrievers
    similarity: float  # cosine similarity of query and chunk (0 when not comparable)
    relevant: bool  # above the relevance floor: safe to cite


def _dicts(conn: psycopg.Connection[Any]) -> psycopg.Cursor[dict[str, Any]]:
    return conn.cursor(row_factory=dict_row)


def _tuples(conn: psycopg.Connection[Any]) -> psycopg.Cursor[tuple[Any, ...]]:
    """Tuples whatever the connection's own row factory."""
    return conn.cursor(row_factory=tuple_row)


def _lang_filter(lang: str | None) -> sql.Composable:
    if lang is None:
        return sql.SQL("")
    return sql.SQL(
        " AND document_id IN (SELECT id FROM knowledge_documents WHERE {t} AND (lang = {lang} OR lang IS NULL))"
    ).format(t=_TENANT, lang=sql.Literal(lang))


# ---------------------------------------------------------------------------- words

_LEXEMES: dict[str, list[str] | None] = {}
_LEXEMES_LOCK = threading.Lock()
_LEXEMES_MAX = 50_000


def _word_lexemes(conn: psycopg.Connection[Any], words: Sequence[str]) -> dict[str, list[str]]:
    """English and French lexemes of each word. A word that is a stop word in either language
    is dropped: an English "the" survives the French configuration and would match every
    English chunk's French lexemes. Cached per process: the mapping never changes."""
    with _LEXEMES_LOCK:
        missing = [w for w in words if w not in _LEXEMES]
    if missing:
        rows = (
            _dicts(conn)
            .execute(
                "SELECT w, (to_tsvector('english', w) = ''::tsvector OR to_tsvector('french', w) = ''::tsvector) AS stop,"
                " tsvector_to_array(to_tsvector('english', w) || to_tsvector('french', w)) AS lexemes"
                " FROM unnest(%s::text[]) AS w",
                [missing],
            )
            .fetchall()
        )
        with _LEXEMES_LOCK:
            if len(_LEXEMES) > _LEXEMES_MAX:
                _LEXEMES.clear()
            for r in rows:
                _LEXEMES[r["w"]] = None if r["stop"] else list(r["lexemes"])
    with _LEXEMES_LOCK:
        return {w: lx for w in words if (lx := _LEXEMES.get(w))}


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def word_lexemes(conn: psycopg.Connection[Any], query: str) -> list[list[str]]:
    """The English and French lexemes of each content word of the (accent-folded) query."""
    return list(_word_lexemes(conn, query_words(query)).values())


def word_query(lexemes: Sequence[str]) -> str:
    """One word's tsquery: any of its lexemes."""
    return "(" + " | ".join(_quote(lx) for lx in lexemes) + ")"


def word_queries(conn: psycopg.Connection[Any], query: str) -> list[str]:
    """One tsquery per content word of the (accent-folded) query: its English OR French lexemes."""
    return [word_query(lxs) for lxs in word_lexemes(conn, query)]


# ---------------------------------------------------------------------------- vectors

_SIZES: dict[tuple[str, str], tuple[float, int]] = {}
_SIZES_LOCK = threading.Lock()
SIZE_TTL_S = 60.0


def _current_tenant(conn: psycopg.Connection[Any]) -> UUID | None:
    """The transaction's tenant, as row-level security reads it (None outside a tenant)."""
    row = _tuples(conn).execute("SELECT current_setting('app.tenant_id', true)").fetchone()
    try:
        return UUID(row[0]) if row and row[0] else None
    except ValueError:
        return None


def _tenant_rows(conn: psycopg.Connection[Any], model: str, tenant: UUID | None = None) -> int:
    """How many chunks of this model the tenant has: counted exactly up to EXACT_MAX_ROWS + 1
    (cheap), in full beyond; remembered for a minute, since only the order of magnitude
    matters and either path returns correct results."""
    cur = _tuples(conn)
    key, now = (str(tenant or _current_tenant(conn) or ""), model), time.monotonic()
    with _SIZES_LOCK:
        cached = _SIZES.get(key)
    if cached and now - cached[0] < SIZE_TTL_S:
        return cached[1]
    row = cur.execute(
        sql.SQL(
            "SELECT count(*) FROM (SELECT 1 FROM knowledge_chunks WHERE {t} AND embedding_model = %s LIMIT %s) s"
        ).format(t=_TENANT),
        [model, EXACT_MAX_ROWS + 1],
    ).fetchone()
    size = int(row[0]) if row else 0
    if size > EXACT_MAX_ROWS:
        row = cur.execute(
            sql.SQL("SELECT count(*) FROM knowledge_chunks WHERE {t} AND embedding_model = %s").format(t=_TENANT),
            [model],
        ).fetchone()
        size = int(row[0]) if row else size
    with _SIZES_LOCK:
        if len(_SIZES) > 10_000:
            _SIZES.clear()
        _SIZES[key] = (now, size)
    return size


def _all_rows_estimate(conn: psycopg.Connection[Any]) -> float:
    row = _tuples(conn).execute("SELECT reltuples FROM pg_class WHERE oid = 'knowledge_chunks'::regclass").fetchone()
    return float(row[0] or 0) if row else 0.0


def exact_knn(
    conn: psycopg.Connection[Any], qvec: QueryVector, model: str, n: int, lang: str | None = None
) -> list[Found]:
    """Exact cosine kNN over the tenant's rows (this expression does not match the HNSW index)."""
    q, params = vector_sql(conn, qvec, "q")
    query = sql.SQL(
        "SELECT id, document_id, embedding <=> {q}::vector AS distance FROM knowledge_chunks"
        " WHERE {t} AND embedding_model = {model}{lang} ORDER BY distance LIMIT {n}"
    ).format(q=q, t=_TENANT, model=sql.Literal(model), lang=_lang_filter(lang), n=sql.Literal(n))
    return [Found(r[0], r[1], float(r[2])) for r in _tuples(conn).execute(query, params or None)]


def tenant_index_name(tenant: UUID, model: str) -> str | None:
    """The name of the tenant's own HNSW index of this model (None: the model has no index)."""
    key = INDEXED_MODEL_KEYS.get(model)
    return f"knowledge_chunks_{key}_t{tenant.hex}" if key else None


_OWN_INDEX: dict[tuple[UUID, str], tuple[float, bool]] = {}
_VECTOR_VERSIONS: dict[tuple[str, str, str], tuple[int, ...]] = {}


def has_tenant_index(conn: psycopg.Connection[Any], tenant: UUID, model: str) -> bool:
    """Whether the tenant's own index exists and is usable (a concurrent build that failed leaves
    an invalid one); remembered for SIZE_TTL_S. A stale answer costs time, never correctness:
    the query names the tenant either way, and an unmatched index is simply not used."""
    name = tenant_index_name(tenant, model)
    if name is None:
        return False
    key, now = (tenant, model), time.monotonic()
    with _SIZES_LOCK:
        cached = _OWN_INDEX.get(key)
    if cached and now - cached[0] < SIZE_TTL_S:
        return cached[1]
    row = (
        _tuples(conn)
        .execute(
            "SELECT i.indisvalid AND i.indisready FROM pg_index i WHERE i.indexrelid = to_regclass(%s)"
            " AND i.indrelid = 'knowledge_chunks'::regclass",
            [name],
        )
        .fetchone()
    )
    usable = bool(row and row[0])
    with _SIZES_LOCK:
        if len(_OWN_INDEX) > 10_000:
            _OWN_INDEX.clear()
        _OWN_INDEX[key] = (now, usable)
    return usable


def vector_version(conn: psycopg.Connection[Any]) -> tuple[int, ...]:
    """pgvector's version on this connection's server, asked once per server and database."""
    info = conn.info
    key = (str(info.host), str(info.port), str(info.dbname))
    with _SIZES_LOCK:
        known = _VECTOR_VERSIONS.get(key)
    if known is not None:
        return known
    row = _tuples(conn).execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    version = parse_version(str(row[0])) if row else ()
    with _SIZES_LOCK:
        _VECTOR_VERSIONS[key] = version
    return version


def parse_version(text: str) -> tuple[int, ...]:
    """'0.8.0' -> (0, 8, 0); what does not parse counts as 0."""
    return tuple(int(part) if part.isdigit() else 0 for part in text.split("."))


KnnPath = Literal["exact", "tenant_hnsw", "iterative_hnsw", "hnsw"]


class KnnPlan(NamedTuple):
    """How a tenant's nearest chunks are found, and the HNSW walk's ef_search (0 when exact)."""

    path: KnnPath
    ef_search: int


def plan_knn(n: int, size: int, all_rows: float, *, tenant_index: bool, iterative: bool) -> KnnPlan:
    """Exact for a small tenant; its own index when it has one (the walk meets its rows only);
    else the shared index, walked until enough of its rows are found (pgvector >= 0.8), or with an
    ef_search scaled by its share of the rows (0.6), exact when that would exceed pgvector's bound."""
    if size <= EXACT_MAX_ROWS:
        return KnnPlan("exact", 0)
    own_ef = min(max(math.ceil(n * HNSW_EF_SAFETY), MIN_CANDIDATES), HNSW_EF_MAX)
    if tenant_index:
        return KnnPlan("tenant_hnsw", own_ef)
    if iterative:
        return KnnPlan("iterative_hnsw", own_ef)
    share = size / max(all_rows, float(size))
    ef = math.ceil(n / share * HNSW_EF_SAFETY)
    if ef > HNSW_EF_MAX:  # the graph walk could not reach enough of this tenant's rows
        return KnnPlan("exact", 0)
    return KnnPlan("hnsw", max(ef, MIN_CANDIDATES))


def knn_plan(
    conn: psycopg.Connection[Any], model: str, dim: int, n: int, *, tenant_chunks: int | None = None
) -> tuple[KnnPlan, UUID | None]:
    """The plan `vector_candidates` follows for this transaction's tenant (and the tenant)."""
    if model not in INDEXED_MODELS or INDEXED_MODELS[model] != dim:
        return KnnPlan("exact", 0), None
    if tenant_chunks is not None and tenant_chunks <= EXACT_MAX_ROWS:
        return KnnPlan("exact", 0), None  # a small tenant's search costs no more round trips
    tenant = _current_tenant(conn)
    size = _tenant_rows(conn, model, tenant) if tenant_chunks is None else tenant_chunks
    if size <= EXACT_MAX_ROWS:
        return KnnPlan("exact", 0), None
    own = tenant is not None and has_tenant_index(conn, tenant, model)
    iterative = not own and ITERATIVE_SCANS is not False and vector_version(conn) >= ITERATIVE_SCAN_VERSION
    all_rows = 0.0 if own or iterative else _all_rows_estimate(conn)  # the share matters on 0.6's path only
    return plan_knn(n, size, all_rows, tenant_index=own, iterative=iterative), tenant


# None: use pgvector's iterative scans when the server has them (tests and bench/kb.py set False).
ITERATIVE_SCANS: bool | None = None


def _set_local(cur: psycopg.Cursor[tuple[Any, ...]], settings: Mapping[str, str]) -> dict[str, str | None]:
    """Set these settings for the transaction, in one round trip; returns what they were."""
    rows = cur.execute(
        "SELECT n, current_setting(n, true), set_config(n, v, true) FROM unnest(%s::text[], %s::text[]) AS s(n, v)",
        [list(settings), list(settings.values())],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def hnsw_knn(
    conn: psycopg.Connection[Any],
    qvec: str,
    model: str,
    dim: int,
    n: int,
    ef_search: int,
    lang: str | None = None,
    *,
    tenant_filter: bool = True,
    own_index: UUID | None = None,
    iterative: bool = False,
) -> list[Found]:
    """Approximate kNN on the model's HNSW index; tenant rows are filtered after the graph walk
    (at most ef_search rows come out of it, unless `iterative`: pgvector >= 0.8 walks on until n
    rows pass, in relaxed order, re-sorted here). The model is a literal so the planner can match
    the partial index's predicate; `own_index` names the tenant as a literal too, so the planner
    can match the tenant's own index (knowledge/tenant_index.py), whose graph holds its rows only."""
    cast = sql.SQL("vector({})").format(sql.Literal(dim))
    own = sql.SQL(" AND tenant_id = {}::uuid").format(sql.Literal(str(own_index))) if own_index else sql.SQL("")
    query = sql.SQL(
        "SELECT id, document_id, (embedding::{cast}) <=> {q}::{cast} AS distance FROM knowledge_chunks"
        " WHERE embedding_model = {model}{own}{tenant}{lang}"
        " ORDER BY (embedding::{cast}) <=> {q}::{cast} LIMIT {n}"
    ).format(
        cast=cast,
        q=sql.Literal(qvec),
        model=sql.Literal(model),
        own=own,
        tenant=sql.SQL(" AND {}").format(_TENANT) if tenant_filter else sql.SQL(""),
        lang=_lang_filter(lang),
        n=sql.Literal(n),
    )
    # No sort allowed: the planner must walk the index (the caller decided HNSW is worth it).
    settings = {"hnsw.ef_search": str(ef_search), "enable_sort": "off"}
    if iterative:
        settings |= {"hnsw.iterative_scan": "relaxed_order", "hnsw.max_scan_tuples": str(HNSW_MAX_SCAN_TUPLES)}
    cur = _tuples(conn)
    previous = _set_local(cur, settings)
    try:
        rows = [Found(r[0], r[1], float(r[2])) for r in cur.execute(query)]
    finally:
        defaults = {"hnsw.ef_search": "40", "enable_sort": "on", "hnsw.iterative_scan": "off"}
        _set_local(cur, {k: v or defaults.get(k, "") for k, v in previous.items() if v or k in defaults})
    return sorted(rows, key=lambda f: (f.score, f.chunk_id)) if iterative else rows


def vector_candidates(
    conn: psycopg.Connection[Any],
    qvec: QueryVector,
    model: str,
    dim: int,
    n: int,
    lang: str | None = None,
    *,
    tenant_chunks: int | None = None,
) -> list[Found]:
    """The tenant's n nearest chunks, by `knn_plan`; exact again when the HNSW walk kept fewer
    rows than asked for."""
    plan, tenant = knn_plan(conn, model, dim, n, tenant_chunks=tenant_chunks)
    if plan.path == "exact":
        return exact_knn(conn, qvec, model, n, lang)
    rows = hnsw_knn(
        conn,
        qvec if isinstance(qvec, str) else vector_literal(qvec),  # a constant the planner can see
        model,
        dim,
        n,
        plan.ef_search,
        lang,
        own_index=tenant if plan.path == "tenant_hnsw" else None,
        iterative=plan.path == "iterative_hnsw",
    )
    if len(rows) < n:
        return exact_knn(conn, qvec, model, n, lang)
    return rows


# ---------------------------------------------------------------------------- full text


def _sum_if_match(wqs: Sequence[str], weights: Sequence[sql.Composable]) -> sql.Composable:
    """`(CASE WHEN tsv @@ q1 THEN w1 ELSE 0 END) + ...`: inline, cheaper than a subquery per row."""
    terms = [
        sql.SQL("(CASE WHEN tsv @@ {} THEN {} ELSE 0 END)").format(sql.Literal(q), w)
        for q, w in zip(wqs, weights, strict=True)
    ]
    return sql.SQL(" + ").join(terms) if terms else sql.SQL("0")


def text_candidates(
    conn: psycopg.Connection[Any],
    wqs: Sequence[str],
    n: int,
    lang: str | None = None,
    *,
    tenant_chunks: int | None = None,
) -> tuple[list[Found], float]:
    """Chunks holding any content word of the query, ranked BM25-style: summed idf of the
    distinct query words present (rare words count most: "etcd has no leader" is about
    "leader"), then cover density (ts_rank_cd over both languages) to break ties.

    One pass over the matching rows: document frequencies are counted on them, N is the
    tenant's chunk count. Also returns the share of the query's idf mass that the best chunk
    covers (0..1): how far the keyword list can be trusted for this query.
    """
    if not wqs:
        return [], 0.0
    df = [sql.Identifier(f"df{i}") for i in range(len(wqs))]
    counts = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE tsv @@ {}) AS {}").format(sql.Literal(q), d)
        for q, d in zip(wqs, df, strict=True)
    )
    total = sql.SQL("greatest({n}::float8, (SELECT count(*) FROM m))").format(n=sql.Literal(tenant_chunks or 0))
    idf = [sql.SQL("ln(1 + ({N} - f.{d} + 0.5) / (f.{d} + 0.5))").format(N=sql.SQL("f.total"), d=d) for d in df]
    query = sql.SQL(
        "WITH m AS MATERIALIZED (SELECT id, document_id, tsv FROM knowledge_chunks WHERE {t} AND tsv @@ {tsq}{lang}),"
        " f AS (SELECT {counts}, {total} AS total FROM m)"
        " SELECT id, document_id, matched + {tie} * ts_rank_cd(tsv, {tsq}, 1) AS score, matched, idf_sum FROM ("
        "   SELECT m.id, m.document_id, m.tsv, {matched} AS matched, {idf_sum} AS idf_sum FROM m, f) s"
        " ORDER BY score DESC, id LIMIT {n}"
    ).format(
        t=_TENANT,
        tsq=sql.Literal(" | ".join(wqs)),
        lang=_lang_filter(lang),
        counts=counts,
        total=total,
        tie=sql.Literal(TEXT_TIE_WEIGHT),
        matched=_sum_if_match(wqs, idf),
        idf_sum=sql.SQL(" + ").join(idf),
        n=sql.Literal(n),
    )
    rows = _tuples(conn).execute(query).fetchall()
    if not rows:
        return [], 0.0
    best = max(float(r[3]) for r in rows)
    idf_sum = float(rows[0][4])  # every query word's idf, words no chunk holds included
    return [Found(r[0], r[1], float(r[2])) for r in rows], (best / idf_sum if idf_sum > 0 else 0.0)


def document_frequencies(conn: psycopg.Connection[Any], words: Sequence[Sequence[str]]) -> list[int]:
    """How many of the tenant's chunks hold each word (its most frequent lexeme), from the
    per-tenant term statistics the ingest triggers keep (migrations/0010)."""
    lexemes = sorted({lx for lxs in words for lx in lxs})
    if not lexemes:
        return [0] * len(words)
    rows = _tuples(conn).execute(
        sql.SQL("SELECT lexeme, df FROM knowledge_terms WHERE {t} AND lexeme = ANY(%s)").format(t=_TENANT), [lexemes]
    )
    df = {r[0]: int(r[1]) for r in rows}
    return [max((df.get(lx, 0) for lx in lxs), default=0) for lxs in words]


def text_candidates_pruned(
    conn: psycopg.Connection[Any],
    words: Sequence[Sequence[str]],
    n: int,
    lang: str | None = None,
    *,
    tenant_chunks: int | None = None,
) -> tuple[list[Found], float]:
    """`text_candidates`' ranking at a cost that does not grow with the tenant's size.

    Word rarity comes from the term statistics. When the query's words are in few enough chunks,
    every chunk holding one of them is scored. Otherwise `plan_keywords` picks the word groups
    with the most weight that fit CANDIDATE_ROWS expected chunks: a chunk holding only the
    query's commonest words is the keyword list's noise (bench/kb.py reports the overlap with the
    full ranking); and at most SCORED_ROWS_MAX chunks are read whatever the estimate.

    The rows are found and scored by `jamono_keyword_search` (migrations/0016, 0021), which
    applies the transaction's tenant itself: under row-level security `@@` (not leakproof) could
    not use the full-text index, and a large tenant's rows were all read.
    """
    words = [list(w) for w in words if w]
    if not words:
        return [], 0.0
    dfs = document_frequencies(conn, words)
    wqs = [word_query(w) for w in words]
    total = float(max(tenant_chunks or 0, max(dfs), 1))
    idfs = [idf(df, total) for df in dfs]
    plan = plan_keywords(dfs, total, budget=CANDIDATE_ROWS, full_scan_max=FULL_SCAN_MAX_ROWS, n=n)
    if not plan.groups:
        return [], 0.0
    candidates = " | ".join("(" + " & ".join(wqs[i] for i in group) + ")" for group in plan.groups)
    rows = keyword_search(conn, candidates, wqs, idfs, n, lang)
    if not rows:
        return [], 0.0
    best = max(r[3] for r in rows)
    return [Found(r[0], r[1], r[2]) for r in rows], best / sum(idfs)


def keyword_search(
    conn: psycopg.Connection,
    candidates: str,
    wqs: Sequence[str],
    weights: Sequence[float],
    n: int,
    lang: str | None = None,
    *,
    scored: int | None = None,
) -> list[tuple[int, UUID, float, float]]:
    """(chunk id, document id, score, summed idf of the words held) of the tenant's n best chunks
    among at most `scored` (default SCORED_ROWS_MAX) of those matching `candidates`, through the
    tenant-bound search function (migrations/0021)."""
    rows = _tuples(conn).execute(
        "SELECT id, document_id, score, matched FROM jamono_keyword_search("
        "%s::tsquery, %s::tsquery[], %s::float8[], %s::tsquery, %s, %s, %s, %s)",
        [
            candidates,
            list(wqs),
            list(weights),
            " | ".join(wqs),
            TEXT_TIE_WEIGHT,
            lang,
            n,
            SCORED_ROWS_MAX if scored is None else scored,
        ],
    )
    return [(int(r[0]), r[1], float(r[2]), float(r[3])) for r in rows]


def text_weight(coverage: float, *, french: bool = False) -> float:
    """The keyword list's vote in the fusion, by how well its best match covers the query.

    A keyword list whose best chunk holds only the query's common words is noise, and with
    an equal RRF vote its noise outvotes the vector list's first answer.
    """
    power, top = (TEXT_WEIGHT_POWER_FR, TEXT_WEIGHT_MAX_FR) if french else (TEXT_WEIGHT_POWER, TEXT_WEIGHT_MAX)
    share = TEXT_WEIGHT_MIN + (1.0 - TEXT_WEIGHT_MIN) * max(0.0, min(coverage, 1.0)) ** power
    return top * share


# ---------------------------------------------------------------------------- search


def _details(
    conn: psycopg.Connection[Any], ids: list[int], qvecs: Sequence[QueryVector], model: str, wqs: list[str]
) -> dict[int, dict[str, Any]]:
    """The chosen chunks with their documents, and their best similarity to any of the query's vectors."""
    params: dict[str, Any] = {"ids": ids}
    sims = []
    for i, qvec in enumerate(qvecs):
        q, param = vector_sql(conn, qvec, f"q{i}")
        sims.append(sql.SQL("1 - (c.embedding <=> {}::vector)").format(q))
        params |= param
    similarity = (
        sql.SQL("CASE WHEN c.embedding_model = {model} THEN greatest({sims}) END").format(
            model=sql.Literal(model), sims=sql.SQL(", ").join(sims)
        )
        if sims
        else sql.SQL("NULL::float8")
    )
    rows = (
        _dicts(conn)
        .execute(
            sql.SQL(
                "SELECT c.id, c.document_id, c.heading, c.content, d.title, d.source, d.url, d.tags, d.lang, d.origin,"
                " {similarity} AS similarity, {matched} AS matched"
                " FROM (SELECT * FROM knowledge_chunks WHERE {t} AND id = ANY(%(ids)s)) c"
                " JOIN knowledge_documents d ON d.id = c.document_id"
            ).format(t=_TENANT, similarity=similarity, matched=_sum_if_match(wqs, [sql.Literal(1)] * len(wqs))),
            params,
        )
        .fetchall()
    )
    return {r["id"]: r for r in rows}


def _scoped_elsewhere(conn: psycopg.Connection, documents: set[UUID], channel: str | None) -> set[UUID]:
    """Of these documents, those saved from a private conversation other than `channel`."""
    if not documents:
        return set()
    rows = (
        _tuples(conn)
        .execute(
            sql.SQL(
                "SELECT id FROM knowledge_documents WHERE {t} AND id = ANY(%s)"
                " AND channel_scope IS NOT NULL AND channel_scope IS DISTINCT FROM %s"
            ).format(t=_TENANT),
            [list(documents), channel],
        )
        .fetchall()
    )
    return {row[0] for row in rows}


def _nearest(runs: Sequence[list[Found]], n: int) -> list[Found]:
    """Several vector lists merged: each chunk at its smallest distance, nearest first."""
    best: dict[int, Found] = {}
    for rows in runs:
        for found in rows:
            if found.chunk_id not in best or found.score < best[found.chunk_id].score:
                best[found.chunk_id] = found
    return sorted(best.values(), key=lambda f: (f.score, f.chunk_id))[:n]


@observe_kb_search
def search(
    conn: psycopg.Connection[Any],
    query: str,
    embedder: Embedder,
    *,
    k: int = 5,
    lang: str | None = None,
    demote: Mapping[UUID, float] | None = None,
    mode: Mode = "hybrid",
    candidates: int | None = None,
    channel: str | None = None,
) -> list[Hit]:
    """The k best passages for a query, best first; `relevant` says which are worth citing.

    lang keeps documents in that language (or of unknown language); demote maps a document
    id to a score multiplier in [0, 1] (1 = unchanged); mode "vector" or "text" runs one
    retriever alone (evaluation baselines); candidates is the depth of each retriever's list;
    channel is where the question was asked: documents saved from another private conversation
    never come back (None: only workspace-wide documents).
    """
    if mode not in ("hybrid", "vector", "text"):
        raise ValueError(f"unknown search mode {mode!r}")
    if not query.strip() or k <= 0:
        return []
    n = candidates or max(4 * k, MIN_CANDIDATES)
    model = embedder.model_id
    query = query[:MAX_QUERY_CHARS]
    english = to_english(query)  # a French question also looks for English runbooks in English
    spelt = spelt_out(query)  # "PV", "HPA", "sts" as runbooks spell them
    if spelt:
        query, english = f"{query}\n{spelt}", f"{english}\n{spelt}" if english else None
    words = word_lexemes(conn, f"{query}\n{english}" if english else query)
    wqs = [word_query(w) for w in words]
    size = _tenant_rows(conn, model)
    qvecs: list[np.ndarray] = []
    vec_rows: list[Found] = []
    if mode != "text":
        texts = [with_expansions(q) for q in (query, english) if q]
        qvecs = [np.asarray(v, dtype=np.float32) for v in embedder.embed(texts)]
        vec_rows = _nearest(
            [vector_candidates(conn, q, model, embedder.dim, n, lang, tenant_chunks=size) for q in qvecs], n
        )
    text_rows: list[Found] = []
    coverage = 0.0
    if mode != "vector":
        text_rows, coverage = text_candidates_pruned(conn, words, n, lang, tenant_chunks=size)

    cands: dict[int, Candidate] = {}
    for rank, found in enumerate(vec_rows, 1):
        cands[found.chunk_id] = Candidate(
            chunk_id=found.chunk_id, document_id=found.document_id, vector_rank=rank, similarity=1.0 - found.score
        )
    for rank, found in enumerate(text_rows, 1):
        cands.setdefault(
            found.chunk_id, Candidate(chunk_id=found.chunk_id, document_id=found.document_id)
        ).text_rank = rank
    hidden = _scoped_elsewhere(conn, {c.document_id for c in cands.values()}, channel)
    cands = {key: c for key, c in cands.items() if c.document_id not in hidden}
    if not cands:
        return []
    vector_weight, keyword_weight = {
        "hybrid": (1.0, text_weight(coverage, french=english is not None)),
        "vector": (1.0, 0.0),
        "text": (0.0, 1.0),
    }[mode]
    fuse(list(cands.values()), vector_weight=vector_weight, text_weight=keyword_weight)
    chosen = diversify(list(cands.values()), k, demote=demote, scale=(vector_weight + keyword_weight) / 61.0)
    details = _details(conn, [c.chunk_id for c in chosen], qvecs, model, wqs)
    hits = []
    for c in chosen:
        row = details.get(c.chunk_id)
        if row is None:  # deleted since the candidates were read
            continue
        similarity = None if row["similarity"] is None else float(row["similarity"])
        coverage_words = int(row["matched"]) / len(wqs) if wqs else 0.0
        hits.append(
            Hit(
                chunk_id=c.chunk_id,
                document_id=c.document_id,
                title=row["title"],
                heading=row["heading"],
                content=row["content"],
                source=row["source"],
                url=row["url"],
                tags=list(row["tags"] or []),
                lang=row["lang"],
                origin=row["origin"],
                score=round(c.score, 6),
                similarity=round(similarity or 0.0, 6),
                relevant=is_relevant(
                    similarity,
                    coverage_words,
                    has_vectors=similarity is not None,
                    same_language_fr=row["lang"] == "fr" and english is not None,
                ),
            )
        )
    return hits
