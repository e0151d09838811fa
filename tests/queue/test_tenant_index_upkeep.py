"""Large tenants get their own HNSW index without anyone running `jamono kb index`: the workers'
upkeep builds it (one worker per interval) when they hold the owner's URL, and never two syncs
at once (the second would take the first one's build in progress for a failed one)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import psycopg
import pytest

from jamono.queue.housekeeping import Housekeeping
from knowledge.search import tenant_index_name
from knowledge.tenant_index import SYNC_LOCK_KEY, sync_tenant_indexes
from tests.knowledge.crowds import MODEL, fill_tenants

MIN_ROWS = 200


@pytest.fixture(scope="module")
def kb_url(admin_database_url: str):
    from tests.plugins.services import scratch_database

    with scratch_database(admin_database_url, "jamono_kbup") as url:
        yield url


@pytest.fixture(scope="module")
def kb_pool(base_settings, kb_url: str):
    from tests.plugins.services import pool_on

    with pool_on(base_settings, kb_url, "kb-upkeep-tests", max_size=2) as p:
        yield p


@pytest.fixture(scope="module")
def tenants(kb_pool, kb_url):
    return fill_tenants(kb_pool, kb_url, {"big": 300, "small": 50})


def _indexes(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = 'knowledge_chunks'::regclass AND c.relname LIKE 'knowledge\\_chunks\\_minilm\\_t%'"
        ).fetchall()
    return {r[0] for r in rows}


def _keeper(pool, **kwargs) -> Housekeeping:
    return Housekeeping(
        every=timedelta(hours=1),
        retention=timedelta(days=14),
        pool=pool,
        task="test-" + uuid.uuid4().hex[:8],
        index_min_rows=MIN_ROWS,
        **kwargs,
    )


def test_the_upkeep_builds_a_large_tenants_index_once_per_interval(kb_pool, kb_url, tenants):
    assert _keeper(kb_pool).tick() is not None  # no owner URL: the upkeep ran, built nothing
    assert _indexes(kb_url) == set()
    keeper = _keeper(kb_pool, index_owner_url=kb_url)
    keeper.tick()
    assert _indexes(kb_url) == {tenant_index_name(tenants["big"], MODEL)}
    with psycopg.connect(kb_url, autocommit=True) as conn:  # gone by hand: not due again within the hour
        conn.execute(f"DROP INDEX {tenant_index_name(tenants['big'], MODEL)}")
    keeper.tick()
    assert _indexes(kb_url) == set()
    keeper.every = timedelta(0)  # the next interval
    keeper.tick()
    assert _indexes(kb_url) == {tenant_index_name(tenants["big"], MODEL)}


def test_a_second_sync_waits_for_none_and_touches_nothing(kb_url, tenants):
    with psycopg.connect(kb_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [SYNC_LOCK_KEY])
        report = sync_tenant_indexes(kb_url, min_rows=10)  # would build "small"'s index
        holder.execute("SELECT pg_advisory_unlock(%s)", [SYNC_LOCK_KEY])
    assert report.busy and not report.created and not report.dropped
    assert tenant_index_name(tenants["small"], MODEL) not in _indexes(kb_url)
