"""Tenants of random vectors of the indexed model, inserted directly (fast): for the kNN paths' tests."""

from __future__ import annotations

import uuid

import numpy as np
import psycopg
from psycopg.rows import tuple_row

from jamono.platform.tenancy import TeamIdentity, register_workspace
from knowledge.store import vector_literal

MODEL, DIM = "all-MiniLM-L6-v2", 384


def fill_tenants(pool, url: str, rows: dict[str, int], seed: int = 3) -> dict[str, uuid.UUID]:
    """A tenant per label with that many chunks, all around the same 8 topics (so a query's true
    neighbours are mostly other tenants' rows)."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((8, DIM)).astype(np.float32)
    ids = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for label, n in rows.items():
            tenant = register_workspace(pool, TeamIdentity(team_id="TVEC" + uuid.uuid4().hex[:8].upper())).tenant_id
            ids[label] = tenant
            doc = conn.execute(
                "INSERT INTO knowledge_documents (tenant_id, source, title, content, content_hash)"
                " VALUES (%s, %s, 'T', '', '') RETURNING id",
                [tenant, label],
            ).fetchone()[0]
            vectors = topics[rng.integers(8, size=n)] + rng.standard_normal((n, DIM)).astype(np.float32) * 0.6
            with conn.transaction():
                conn.cursor().executemany(
                    "INSERT INTO knowledge_chunks (tenant_id, document_id, ord, content, search_text, embedding_model,"
                    " embedding) VALUES (%s, %s, %s, %s, %s, %s, %s::vector)",
                    [
                        [tenant, doc, i, f"{label} {i}", f"{label} {i}", MODEL, vector_literal(v)]
                        for i, v in enumerate(vectors)
                    ],
                )
        conn.execute("ANALYZE knowledge_chunks")
    return ids


def owners(url: str) -> dict[int, uuid.UUID]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT id, tenant_id FROM knowledge_chunks").fetchall())


def vectors_of(url: str, tenant: uuid.UUID, n: int) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT embedding::text FROM knowledge_chunks WHERE tenant_id = %s ORDER BY id LIMIT %s", [tenant, n]
        ).fetchall()
    return [r[0] for r in rows]


def index_scans(conn, index: str | None) -> int:
    """Scans of this index in the current transaction so far."""
    cur = conn.cursor(row_factory=tuple_row)
    return int(cur.execute("SELECT pg_stat_get_xact_numscans(to_regclass(%s))", [index]).fetchone()[0] or 0)
