"""HNSW indexes of their own for large tenants: in the shared graph most of a walk is other
tenants' rows. Built and dropped by the tables' owner (`jamono kb index`). Why: docs/design/knowledge.md."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from pydantic import BaseModel

from knowledge.search import INDEXED_MODEL_KEYS, INDEXED_MODELS, TENANT_INDEX_MIN_ROWS, tenant_index_name

log = logging.getLogger(__name__)
# One sync at a time (a worker's upkeep, `jamono kb index`, a CronJob): a second one would take
# the first one's build in progress (not yet valid) for a failed one, and drop it.
SYNC_LOCK_KEY = 0x4A414B49  # "JAKI"


class TenantIndexReport(BaseModel):
    created: list[str] = []
    dropped: list[str] = []
    kept: list[str] = []
    seconds: float = 0.0
    busy: bool = False  # another sync held the lock: nothing done


def _existing(conn: psycopg.Connection[Any], model: str) -> dict[str, bool]:
    """Tenant indexes of this model on knowledge_chunks: name -> usable."""
    prefix = f"knowledge_chunks_{INDEXED_MODEL_KEYS[model]}_t"
    rows = conn.execute(
        "SELECT c.relname, i.indisvalid AND i.indisready FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid = 'knowledge_chunks'::regclass AND left(c.relname, length(%s)) = %s",
        [prefix, prefix],
    ).fetchall()
    return {r[0]: bool(r[1]) for r in rows}


def _sizes(conn: psycopg.Connection[Any], model: str) -> dict[UUID, int]:
    """Chunks per tenant, through migrations/0022's counting function: row-level security hides
    every tenant's rows from an owner that is not a superuser."""
    rows = conn.execute("SELECT tenant_id, chunks FROM jamono_tenant_chunk_counts(%s)", [model]).fetchall()
    return {r[0]: int(r[1]) for r in rows}


def plan_indexes(
    sizes: dict[UUID, int], existing: dict[str, bool], model: str, min_rows: int
) -> tuple[dict[str, UUID], list[str]]:
    """(indexes to build: name -> tenant, indexes to drop). A tenant above min_rows needs one; one
    shrunk below half of it (or gone) loses it; a failed build (invalid) is dropped and rebuilt."""
    wanted: dict[str, UUID] = {}
    keep: set[str] = set()
    for tenant, size in sizes.items():
        name = tenant_index_name(tenant, model)
        if name is None:
            continue
        if size > min_rows:
            wanted[name] = tenant
        if size > min_rows // 2:
            keep.add(name)
    drop = [name for name, usable in existing.items() if name not in keep or not usable]
    build = {name: t for name, t in wanted.items() if name not in existing or not existing[name]}
    return build, sorted(drop)


def sync_tenant_indexes(
    owner_url: str, *, min_rows: int = TENANT_INDEX_MIN_ROWS, maintenance_work_mem: str | None = None
) -> TenantIndexReport:
    """Build the missing tenant indexes and drop the unneeded ones, CONCURRENTLY (writes go on).
    Needs the tables' owner (DATABASE_URL, as `jamono migrate`)."""
    started = time.perf_counter()
    report = TenantIndexReport()
    with psycopg.connect(owner_url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", [SYNC_LOCK_KEY]).fetchone()
        if not (row and row[0]):
            report.busy = True
            return report
        try:
            if maintenance_work_mem:
                conn.execute("SELECT set_config('maintenance_work_mem', %s, false)", [maintenance_work_mem])
            for model, dim in INDEXED_MODELS.items():
                _sync_model(conn, model, dim, min_rows, report)
            if report.created or report.dropped:
                conn.execute("ANALYZE knowledge_chunks")
        finally:
            with contextlib.suppress(psycopg.Error):  # a lost connection released it already
                conn.execute("SELECT pg_advisory_unlock(%s)", [SYNC_LOCK_KEY])
    report.seconds = time.perf_counter() - started
    return report


def _sync_model(conn: psycopg.Connection[Any], model: str, dim: int, min_rows: int, report: TenantIndexReport) -> None:
    existing = _existing(conn, model)
    build, drop = plan_indexes(_sizes(conn, model), existing, model, min_rows)
    for name in drop:
        conn.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(name)))
        report.dropped.append(name)
    for name, tenant in build.items():
        conn.execute(
            sql.SQL(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON knowledge_chunks"
                " USING hnsw ((embedding::vector({dim})) vector_cosine_ops)"
                " WHERE tenant_id = {tenant}::uuid AND embedding_model = {model}"
            ).format(
                name=sql.Identifier(name),
                dim=sql.Literal(dim),
                tenant=sql.Literal(str(tenant)),
                model=sql.Literal(model),
            )
        )
        report.created.append(name)
        log.info("tenant HNSW index built", extra={"index": name})
    report.kept += [name for name, usable in existing.items() if usable and name not in drop]
