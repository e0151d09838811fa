"""pgvector >= 0.8 (production's PostgreSQL 17 image): a tenant without its own index walks the
shared HNSW graph until enough of its rows are found (hnsw.iterative_scan). The embedded server
has pgvector 0.6, so this runs only against a server named by PGVECTOR_08_URL (a superuser URL;
a scratch database is made in it), e.g. `deploy/docker`'s local/postgres-pgvector:17."""

from __future__ import annotations

import os

import numpy as np
import pytest

import knowledge.search as search_module
from jamono.platform.db import tenant_tx
from knowledge.search import exact_knn, hnsw_knn, knn_plan, tenant_index_name, vector_candidates, vector_version
from knowledge.tenant_index import sync_tenant_indexes
from tests.knowledge.crowds import DIM, MODEL, fill_tenants, index_scans, owners, vectors_of

ROWS = {"mine": 300, "crowd": 5700}  # mine: 5% of the shared graph

pytestmark = pytest.mark.skipif(not os.environ.get("PGVECTOR_08_URL"), reason="PGVECTOR_08_URL not set")


@pytest.fixture(scope="module")
def url():
    from tests.plugins.services import scratch_database

    with scratch_database(os.environ["PGVECTOR_08_URL"], "jamono_kb08") as url:
        yield url


@pytest.fixture(scope="module")
def pool(base_settings, url: str):
    from tests.plugins.services import pool_on

    with pool_on(base_settings, url, "kb-08-tests") as p:
        yield p


@pytest.fixture(scope="module")
def tenants(pool, url):
    return fill_tenants(pool, url, ROWS)


@pytest.fixture(autouse=True)
def large_tenants(monkeypatch):
    monkeypatch.setattr(search_module, "EXACT_MAX_ROWS", 100)
    monkeypatch.setattr(search_module, "SIZE_TTL_S", 0.0)


def test_a_tenant_without_its_own_index_walks_on_until_it_has_its_rows(pool, url, tenants):
    mine = tenants["mine"]
    own = owners(url)
    recalls = []
    for q in vectors_of(url, tenants["crowd"], 10):
        with tenant_tx(pool, mine) as conn:
            assert vector_version(conn) >= search_module.ITERATIVE_SCAN_VERSION
            plan, _ = knn_plan(conn, MODEL, DIM, 40)
            one_walk = hnsw_knn(conn, q, MODEL, DIM, 40, plan.ef_search)  # 0.6's way, same ef
            iterative = hnsw_knn(conn, q, MODEL, DIM, 40, plan.ef_search, iterative=True)
            found = vector_candidates(conn, q, MODEL, DIM, 40)
            truth = exact_knn(conn, q, MODEL, 40)
            after = conn.execute("SELECT current_setting('hnsw.iterative_scan')").fetchone()["current_setting"]
        assert plan.path == "iterative_hnsw"
        assert len(one_walk) < 40 and len(iterative) == 40  # what the iterative scan buys
        assert found == iterative  # vector_candidates took that path, no exact fallback
        assert [f.score for f in found] == sorted(f.score for f in found)
        assert all(own[f.chunk_id] == mine for f in found)
        assert after == "off"  # restored for the rest of the transaction
        recalls.append(len({f.chunk_id for f in found[:10]} & {f.chunk_id for f in truth[:10]}) / 10)
    assert np.mean(recalls) >= 0.9


def test_other_tenants_rows_never_come_back(pool, url, tenants):
    mine = tenants["mine"]
    own = owners(url)
    for q in vectors_of(url, tenants["crowd"], 5):
        with tenant_tx(pool, mine) as conn:
            rows = hnsw_knn(conn, q, MODEL, DIM, 40, 80, iterative=True, own_index=tenants["crowd"])
            found = vector_candidates(conn, q, MODEL, DIM, 40)
        assert rows == []
        assert all(own[f.chunk_id] == mine for f in found)


def test_its_own_index_is_preferred_once_built(pool, url, tenants):
    mine = tenants["mine"]
    sync_tenant_indexes(url, min_rows=ROWS["mine"] - 1)
    own = owners(url)
    q = vectors_of(url, tenants["crowd"], 1)[0]
    with tenant_tx(pool, mine) as conn:
        plan, _ = knn_plan(conn, MODEL, DIM, 40)
        found = vector_candidates(conn, q, MODEL, DIM, 40)
        scans = index_scans(conn, tenant_index_name(mine, MODEL))
    assert plan.path == "tenant_hnsw"
    assert scans > 0
    assert len(found) == 40 and all(own[f.chunk_id] == mine for f in found)
