"""Large tenants' own HNSW indexes (knowledge/tenant_index.py) and how search picks its kNN path:
the walk on a tenant's own graph is faster, and must never bring back another tenant's rows."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

import knowledge.search as search_module
from jamono.platform.db import tenant_tx
from knowledge.search import (
    KnnPlan,
    exact_knn,
    hnsw_knn,
    knn_plan,
    parse_version,
    plan_knn,
    tenant_index_name,
    vector_candidates,
    vector_version,
)
from knowledge.tenant_index import plan_indexes, sync_tenant_indexes
from tests.knowledge.crowds import DIM, MODEL, fill_tenants, index_scans, owners, vectors_of

ROWS = {"big": 600, "other_big": 600, "crowd": 1800}
MIN_ROWS = 500  # tenant index threshold in these tests


@pytest.fixture(scope="module")
def kb_database_url(admin_database_url: str):
    from tests.plugins.services import scratch_database

    with scratch_database(admin_database_url, "jamono_kbti") as url:
        yield url


@pytest.fixture(scope="module")
def pool(base_settings, kb_database_url: str):
    from tests.plugins.services import pool_on

    with pool_on(base_settings, kb_database_url, "kb-ti-tests") as p:
        yield p


@pytest.fixture(scope="module")
def tenants(pool, kb_database_url) -> dict[str, uuid.UUID]:
    """Three tenants of random vectors around shared topics, each above MIN_ROWS: each gets its own index."""
    ids = fill_tenants(pool, kb_database_url, ROWS)
    report = sync_tenant_indexes(kb_database_url, min_rows=MIN_ROWS)
    assert sorted(report.created) == sorted(tenant_index_name(ids[t], MODEL) for t in ROWS)
    return ids


@pytest.fixture(autouse=True)
def large_tenants(monkeypatch):
    monkeypatch.setattr(search_module, "EXACT_MAX_ROWS", 100)  # these tenants count as large
    monkeypatch.setattr(search_module, "SIZE_TTL_S", 0.0)  # indexes come and go within the tests


def test_a_big_tenant_walks_its_own_index_with_exact_recall(pool, kb_database_url, tenants):
    tenant = tenants["big"]
    own = owners(kb_database_url)
    queries = vectors_of(kb_database_url, tenants["crowd"], 10)  # near everyone's rows
    recalls = []
    for q in queries:
        with tenant_tx(pool, tenant) as conn:
            plan, who = knn_plan(conn, MODEL, DIM, 40)
            found = vector_candidates(conn, q, MODEL, DIM, 40)
            scans = index_scans(conn, tenant_index_name(tenant, MODEL))
            truth = exact_knn(conn, q, MODEL, 40)
        assert plan.path == "tenant_hnsw" and who == tenant
        assert scans > 0  # the walk was on its own graph
        assert found and all(own[f.chunk_id] == tenant for f in found)
        recalls.append(len({f.chunk_id for f in found[:10]} & {f.chunk_id for f in truth[:10]}) / 10)
    assert np.mean(recalls) >= 0.9


def test_another_tenants_index_or_rows_never_come_back(pool, kb_database_url, tenants):
    mine, theirs = tenants["big"], tenants["other_big"]
    own = owners(kb_database_url)
    for q in vectors_of(kb_database_url, theirs, 5):  # their rows are the exact nearest
        with tenant_tx(pool, mine) as conn:
            # Naming their tenant (and so their index) from my transaction: nothing of theirs.
            assert hnsw_knn(conn, q, MODEL, DIM, 10, 80, own_index=theirs) == []
            # Without RLS's help (the app's own predicate removed), still mine only or nothing.
            leaked = hnsw_knn(conn, q, MODEL, DIM, 10, 80, own_index=theirs, tenant_filter=False)
            found = vector_candidates(conn, q, MODEL, DIM, 10)
        assert all(own[f.chunk_id] == mine for f in leaked)
        assert len(found) == 10 and all(own[f.chunk_id] == mine for f in found)


def test_search_from_a_small_tenant_is_unaffected(pool, kb_database_url, tenants, monkeypatch):
    monkeypatch.setattr(search_module, "EXACT_MAX_ROWS", 10_000)
    q = vectors_of(kb_database_url, tenants["big"], 1)[0]
    own = owners(kb_database_url)
    with tenant_tx(pool, tenants["crowd"]) as conn:
        plan, _ = knn_plan(conn, MODEL, DIM, 10)
        found = vector_candidates(conn, q, MODEL, DIM, 10)
    assert plan.path == "exact"
    assert all(own[f.chunk_id] == tenants["crowd"] for f in found)


def test_sync_drops_the_index_of_a_tenant_that_shrank(pool, kb_database_url, tenants):
    tenant = tenants["other_big"]
    report = sync_tenant_indexes(kb_database_url, min_rows=2 * len(owners(kb_database_url)))
    try:
        assert tenant_index_name(tenant, MODEL) in report.dropped
        with tenant_tx(pool, tenant) as conn:
            plan, _ = knn_plan(conn, MODEL, DIM, 40)
            q = vectors_of(kb_database_url, tenant, 1)[0]
            found = vector_candidates(conn, q, MODEL, DIM, 40)
            iterative = vector_version(conn) >= search_module.ITERATIVE_SCAN_VERSION
        # The shared index: walked until enough of its rows (pgvector >= 0.8), else ef scaled by its share.
        assert plan.path == ("iterative_hnsw" if iterative else "hnsw")
        assert len(found) == 40
    finally:
        again = sync_tenant_indexes(kb_database_url, min_rows=MIN_ROWS)
        assert tenant_index_name(tenant, MODEL) in again.created


def test_plan_indexes_builds_drops_and_rebuilds_failed_ones():
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    name = {t: tenant_index_name(t, MODEL) for t in (a, b, c)}
    stale = tenant_index_name(uuid.uuid4(), MODEL)  # a deleted tenant's
    build, drop = plan_indexes(
        {a: 1500, b: 700, c: 300}, {name[b]: True, name[c]: True, stale: True}, MODEL, min_rows=1000
    )
    assert build == {name[a]: a}  # b shrank but stays above half: kept
    assert drop == sorted([name[c], stale])
    build, drop = plan_indexes({a: 1500}, {name[a]: False}, MODEL, min_rows=1000)  # a failed build
    assert build == {name[a]: a} and drop == [name[a]]


def test_plan_knn_paths():
    search_module_max = search_module.EXACT_MAX_ROWS
    n = 40
    assert plan_knn(n, search_module_max, 1e6, tenant_index=True, iterative=True) == KnnPlan("exact", 0)
    big = search_module_max + 1
    assert plan_knn(n, big, 1e6, tenant_index=True, iterative=True) == KnnPlan("tenant_hnsw", 80)
    assert plan_knn(n, big, 1e6, tenant_index=False, iterative=True) == KnnPlan("iterative_hnsw", 80)
    # pgvector 0.6: ef scaled by the tenant's share, exact when that passes pgvector's bound.
    assert plan_knn(n, 25_000, 100_000, tenant_index=False, iterative=False) == KnnPlan("hnsw", 320)
    assert plan_knn(n, 20_000, 1_000_000, tenant_index=False, iterative=False) == KnnPlan("exact", 0)


def test_parse_version():
    assert parse_version("0.6.2") == (0, 6, 2)
    assert parse_version("0.8.0") >= search_module.ITERATIVE_SCAN_VERSION
    assert parse_version("0.7.4") < search_module.ITERATIVE_SCAN_VERSION
    assert parse_version("1.0.0-rc1") >= search_module.ITERATIVE_SCAN_VERSION
