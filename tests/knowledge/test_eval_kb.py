"""`jamono eval kb` end to end against the test database (fake embeddings), and its metrics."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest

from jamono.evals.kb import Query, score_rankings
from jamono.platform.settings import get_settings
from tests.knowledge.doubles import HashEmbedder


@pytest.fixture
def env(monkeypatch, admin_database_url, redis_url):
    import knowledge.embeddings as embeddings

    monkeypatch.setenv("DATABASE_URL", admin_database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    fake = HashEmbedder(model_id=f"test-hash-{uuid.uuid4().hex[:6]}")
    monkeypatch.setattr(embeddings, "get_embedder", lambda **_: fake)
    monkeypatch.setattr(embeddings, "local_embedder", lambda: fake)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def write_corpus(root: Path) -> None:
    (root / "k8s").mkdir()
    (root / "k8s" / "crashloop.md").write_text(
        "# CrashLoop\n\n## Diagnosis\n\nPod restarts over and over, check logs.\n"
    )
    (root / "k8s" / "pending.md").write_text(
        "# Pending pods\n\n## Diagnosis\n\nInsufficient cpu, the scheduler cannot place it.\n"
    )
    (root / "redis.md").write_text("# Redis memory\n\nUsed memory above maxmemory, keys evicted.\n")


def eval_tenants(admin_database_url: str) -> int:
    with psycopg.connect(admin_database_url) as conn:
        return conn.execute("SELECT count(*) FROM tenants WHERE name = 'eval kb'").fetchone()[0]


def test_eval_kb_prints_metrics_as_last_json_line_and_cleans_up(env, admin_database_url, tmp_path: Path, capsys):
    from jamono.evals.kb import main

    (tmp_path / "corpus").mkdir()
    write_corpus(tmp_path / "corpus")
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {"id": "a", "query": "pod restarts over and over", "relevant": ["k8s/crashloop.md"]},
                {"id": "b", "query": "insufficient cpu scheduler", "relevant": ["k8s/pending.md"]},
                {"id": "c", "query": "redis maxmemory", "relevant": ["redis.md", "k8s/pending.md"]},
            ]
        )
        + "\n"
    )
    before = eval_tenants(admin_database_url)
    assert main(["--corpus", str(tmp_path / "corpus"), "--queries", str(queries), "--json"]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["n"] == 3 and {"recall@1", "recall@5", "mrr@10"} <= set(last)
    assert set(last["baselines"]) == {"vector", "text"}
    assert last["recall@1"] == pytest.approx((1 + 1 + 0.5) / 3, abs=1e-4)  # c has two relevant documents
    assert last["recall@5"] == 1.0 and last["mrr@10"] == 1.0
    assert eval_tenants(admin_database_url) == before  # the throw-away tenant is gone


def test_metrics():
    qs = [Query(id="1", query="x", relevant=["a"]), Query(id="2", query="y", relevant=["b", "c"])]
    s = score_rankings(qs, [["z", "a"], ["b", "q", "r", "s", "t", "c"]], [True, False], [1.0, 3.0])
    assert s.recall_at_1 == pytest.approx((0 + 0.5) / 2)
    assert s.recall_at_5 == pytest.approx((1 + 0.5) / 2)
    assert s.mrr_at_10 == pytest.approx((1 / 2 + 1) / 2)
    assert s.relevant_top1 == 0.5 and s.p50_ms == 2.0
