"""The keyword search functions (migrations/0016, and 0021's with a bound on scored rows) read every tenant's rows with its own role so
that the full-text index can be used; it must still answer for the transaction's tenant only,
whatever its arguments say, and nobody may borrow its role."""

from __future__ import annotations

import psycopg
import pytest

from jamono.platform.db import tenant_tx
from knowledge.documents import SourceDocument
from knowledge.ingest import ingest_documents
from knowledge.search import keyword_search, text_candidates, text_candidates_pruned, word_lexemes, word_query

# 0016's function, kept while a release that calls it may run; 0021's, with a bound on scored rows.
CALLS = {
    "0016": "SELECT id, document_id FROM jamono_keyword_search("
    "%s::tsquery, %s::tsquery[], %s::float8[], %s::tsquery, %s, %s, %s)",
    "0021": "SELECT id, document_id FROM jamono_keyword_search("
    "%s::tsquery, %s::tsquery[], %s::float8[], %s::tsquery, %s, %s, %s, %s)",
}


def call(version: str, args: tuple) -> tuple[str, list]:
    return CALLS[version], list(args[:7]) if version == "0016" else list(args)


# Crafted arguments: queries matching the other tenant's words, everything, nothing, NULLs,
# mismatched arrays, text meant to break out of a statement, huge and negative limits.
CRAFTED = [
    ("'okapi'", ["'okapi'"], [1.0], "'okapi'", 1.0, None, 10, 2000),
    ("'okapi' | 'shared'", ["'okapi'", "'shared'"], [5.0, 1.0], "'okapi' | 'shared'", 1.0, None, 1_000_000, 10**9),
    ("'shared'", ["'shared'"], [1.0, 2.0, 3.0], "'shared'", None, "en') OR true --", 50, None),
    ("'shared'", [], [], "'shared'", 1.0, "x' UNION SELECT id FROM knowledge_chunks --", -5, -5),
    ("!'zebrafish'", ["'shared'"], [1.0], "'shared'", 1.0, None, 100, 1),
    ("'shared' | !'nothing'", None, None, None, None, None, 100, 100),
    (
        "'shared'",
        ["'shared'", "'x'') THEN 1 END) FROM knowledge_chunks --'"],
        [1.0, None],
        "'shared'",
        1.0,
        None,
        10,
        10,
    ),
]


@pytest.fixture
def two_tenants(pool, make_tenant, hash_embedder):
    mine, theirs = make_tenant(), make_tenant()
    ingest_documents(
        pool,
        mine,
        [
            SourceDocument(source=f"m{i}.md", title=f"M {i}", content=f"## A\n\nzebrafish shared number {i}\n")
            for i in range(3)
        ],
        hash_embedder,
    )
    ingest_documents(
        pool,
        theirs,
        [
            SourceDocument(source=f"t{i}.md", title=f"T {i}", content=f"## A\n\nokapi shared secret {i}\n", lang="en")
            for i in range(3)
        ],
        hash_embedder,
    )
    return mine, theirs


def _owners(admin_database_url: str) -> dict[int, object]:
    with psycopg.connect(admin_database_url) as conn:
        return dict(conn.execute("SELECT id, tenant_id FROM knowledge_chunks").fetchall())


@pytest.mark.parametrize("version", sorted(CALLS))
@pytest.mark.parametrize("args", CRAFTED)
def test_it_returns_the_current_tenants_rows_only(pool, admin_database_url, two_tenants, args, version):
    mine, theirs = two_tenants
    owners = _owners(admin_database_url)
    with tenant_tx(pool, mine) as conn:
        rows = conn.execute(*call(version, args)).fetchall()
    assert all(owners[r["id"]] == mine for r in rows), "another tenant's chunk came back"
    with tenant_tx(pool, theirs) as conn:
        theirs_rows = conn.execute(*call(version, args)).fetchall()
    assert all(owners[r["id"]] == theirs for r in theirs_rows)
    if args[0] == "'okapi'":
        assert not rows and len(theirs_rows) == 3, "the word is the other tenant's: found there only"


@pytest.mark.parametrize("version", sorted(CALLS))
def test_without_a_tenant_it_returns_nothing(pool, two_tenants, version):
    with pool.connection() as conn:
        for tenant in (None, ""):
            if tenant is not None:
                conn.execute("SELECT set_config('app.tenant_id', %s, true)", [tenant])
            assert conn.execute(*call(version, CRAFTED[1])).fetchall() == []
        conn.rollback()


def test_its_role_cannot_be_borrowed_and_bypasses_nothing(admin_database_url):
    with psycopg.connect(admin_database_url) as conn:
        role = conn.execute(
            "SELECT rolcanlogin, rolbypassrls, rolsuper FROM pg_roles WHERE rolname = 'jamono_search'"
        ).fetchone()
        assert role == (False, False, False)
        assert not conn.execute("SELECT pg_has_role('jamono_app', 'jamono_search', 'MEMBER')").fetchone()[0]
        owners = conn.execute(
            "SELECT pg_get_userbyid(p.proowner), p.prosecdef FROM pg_proc p WHERE proname = 'jamono_keyword_search'"
        ).fetchall()
        assert owners == [("jamono_search", True)] * len(CALLS)
        assert not conn.execute(
            "SELECT bool_or(has_function_privilege('public', p.oid, 'EXECUTE')) FROM pg_proc p"
            " WHERE proname = 'jamono_keyword_search'"
        ).fetchone()[0]
        table_owner = conn.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'knowledge_chunks'")
        assert table_owner.fetchone()[0] != "jamono_search"
        # It may read what ranking needs, never the text people see.
        assert not conn.execute(
            "SELECT has_column_privilege('jamono_search', 'knowledge_chunks', 'content', 'SELECT')"
        ).fetchone()[0]
        assert not conn.execute("SELECT has_table_privilege('jamono_search', 'knowledge_chunks', 'INSERT')").fetchone()[
            0
        ]


def test_it_ranks_as_the_full_keyword_ranking(pool, two_tenants):
    mine, _ = two_tenants
    with tenant_tx(pool, mine) as conn:
        words = word_lexemes(conn, "zebrafish number 2")
        found, coverage = text_candidates_pruned(conn, words, 10, tenant_chunks=3)
        full, full_coverage = text_candidates(conn, [word_query(w) for w in words], 10, tenant_chunks=3)
        direct = keyword_search(conn, word_query(words[0]), [word_query(w) for w in words], [1.0] * len(words), 10)
    assert [f.chunk_id for f in found] == [f.chunk_id for f in full]
    assert coverage == pytest.approx(full_coverage)
    assert len(direct) == 3


def test_it_scores_no_more_rows_than_it_is_allowed(pool, make_tenant, hash_embedder):
    """However many chunks hold the words, one call reads and scores at most `scored` of them."""
    tenant = make_tenant()
    docs = [SourceDocument(source=f"c{i}.md", title=f"C {i}", content=f"## A\n\ncommon word {i}\n") for i in range(30)]
    assert not ingest_documents(pool, tenant, docs, hash_embedder).failed
    with tenant_tx(pool, tenant) as conn:
        words = word_lexemes(conn, "common")
        wqs = [word_query(w) for w in words]
        assert len(keyword_search(conn, wqs[0], wqs, [1.0], 100, scored=10**6)) == 30
        assert len(keyword_search(conn, wqs[0], wqs, [1.0], 100, scored=7)) == 7
        assert len(keyword_search(conn, wqs[0], wqs, [1.0], 5, scored=7)) == 5
