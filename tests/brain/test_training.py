"""Training is deterministic and the shipped data/artifact meet their contracts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jamono.brain.classifier import TrainConfig, fit_softmax, fit_temperature, ordinal_decode, softmax
from jamono.brain.features import CUE_NAMES, SIGNAL_NAMES, FeatureConfig, cues, featurize, normalise, tokens
from jamono.brain.training import DEFAULT_DATA, DEFAULT_MODEL, INTENTS, load_rows, train

DEV_SET = Path("/work/shared/eval/intents_dev.jsonl")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return load_rows(DEFAULT_DATA)


def _subset(rows: list[dict[str, object]], tmp_path: Path, per_intent: int = 25) -> Path:
    """A small balanced slice (fast to train) written to a temp JSONL."""
    picked: list[dict[str, object]] = []
    for intent in INTENTS:
        picked += [r for r in rows if r["intent"] == intent][:per_intent]
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked), encoding="utf-8")
    return path


def test_training_is_byte_deterministic(rows: list[dict[str, object]], tmp_path: Path) -> None:
    data = _subset(rows, tmp_path)
    a, b = tmp_path / "a" / "m.npz", tmp_path / "b" / "m.npz"
    fast = TrainConfig(max_iter=60)
    meta_a = train(data, a, use_embeddings=False, folds=2, config=fast)
    meta_b = train(data, b, use_embeddings=False, folds=2, config=fast)
    assert a.read_bytes() == b.read_bytes()
    assert a.with_suffix(".json").read_bytes() == b.with_suffix(".json").read_bytes()
    assert meta_a == meta_b
    assert meta_a["training_counts"]["n"] == 100  # type: ignore[index]


def test_training_data_contract(rows: list[dict[str, object]]) -> None:
    assert len(rows) >= 900
    french = sum(1 for r in rows if r["lang"] == "fr")
    assert french / len(rows) >= 0.40
    hand = sum(1 for r in rows if r.get("source") == "hand")
    assert hand / len(rows) >= 0.5, "most of the set must be hand-written"
    counts = {i: sum(1 for r in rows if r["intent"] == i) for i in INTENTS}
    assert min(counts.values()) / max(counts.values()) > 0.35, counts
    for r in rows:
        assert r["intent"] in INTENTS
        assert (r["severity"] is not None) == (r["intent"] == "incident")
        meeting = r["meeting"]
        assert isinstance(meeting, dict)
        if r["intent"] == "meeting":
            assert meeting["needed"] is True
        if r["intent"] in ("question", "other"):
            assert meeting == {"needed": False, "duration_min": None}
        if meeting["duration_min"] is not None:
            assert meeting["needed"] and 5 <= meeting["duration_min"] <= 480
    texts = [str(r["text"]).lower() for r in rows]
    assert len(set(texts)) == len(texts)


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared dev set not mounted")
def test_no_dev_text_in_training(rows: list[dict[str, object]]) -> None:
    train_texts = {" ".join(str(r["text"]).lower().split()) for r in rows}
    dev_texts = {" ".join(str(r["text"]).lower().split()) for r in load_rows(DEV_SET)}
    assert not train_texts & dev_texts


def test_shipped_artifact_is_small_and_described() -> None:
    assert DEFAULT_MODEL.exists()
    assert DEFAULT_MODEL.stat().st_size < 5_000_000
    meta = json.loads(DEFAULT_MODEL.with_suffix(".json").read_text())
    assert meta["intents"] == list(INTENTS)
    assert "lex" in meta["variants"]
    cv = meta["variants"][meta["preferred_variant"]]["cross_validation"]
    assert cv["accuracy"] > 0.85


def test_features_are_stable_and_folded() -> None:
    assert normalise("Élevé <@U0ABC> à 09:10 https://x.io") == "eleve xmention a 09:10 xurl"
    toks = tokens("API en 502 depuis 09:10, 95% d'erreurs, call de 30 min")
    assert {"x5xx", "xtime", "xpct", "xdur"} <= set(toks)
    config = FeatureConfig()
    x1 = featurize(["la prod est tombée"], config)
    x2 = featurize(["la prod est tombee"], config)
    assert np.array_equal(x1.indices, x2.indices) and np.allclose(x1.values, x2.values)


def test_softmax_regression_learns_a_toy_problem() -> None:
    texts = ["prod down", "site is down", "api down again", "thanks a lot", "thanks team", "many thanks"] * 3
    labels = np.array([0, 0, 0, 1, 1, 1] * 3)
    config = FeatureConfig()
    head = fit_softmax(featurize(texts, config), labels, 2, TrainConfig(l2=1e-3, max_iter=200))
    proba = head.predict_proba(featurize(["db down", "thanks!"], config))
    assert proba[0, 0] > 0.5 and proba[1, 1] > 0.5
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_ordinal_decoding_picks_the_median() -> None:
    # argmax would say "low" (0.4); the median is "high": mistakes stay closer.
    assert ordinal_decode(np.array([[0.4, 0.05, 0.3, 0.25]]))[0] == 2
    assert ordinal_decode(np.array([[0.0, 0.0, 0.1, 0.9]]))[0] == 3


def test_temperature_fit_softens_overconfident_logits() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    logits = rng.normal(size=(300, 3))
    logits[np.arange(300), y] += 1.0
    t = fit_temperature(logits * 10, y)
    assert t > 3
    assert np.allclose(softmax(logits).sum(axis=1), 1)


def test_tense_and_impact_cues_cover_both_languages() -> None:
    def fired(text: str) -> set[str]:
        return {name for name, v in zip(CUE_NAMES, cues(text), strict=True) if v}

    assert {"cue_past", "cue_resolved"} <= fired("the api was down yesterday, all good now")
    assert {"cue_past", "cue_resolved"} <= fired("l'api était down hier, c'est rétabli")
    assert "cue_review" in fired("postmortem of the outage is ready") and "cue_review" in fired(
        "le compte rendu de la rétro"
    )
    assert "cue_planned" in fired("maintenance prévue samedi à 3h") and "cue_planned" in fired(
        "scheduled downtime sunday"
    )
    assert "cue_all" in fired("checkout is failing for all users") and "cue_all" in fired("HS pour tous les clients")
    assert "cue_one" in fired("un seul client voit le bug") and "cue_one" in fired("only one user is affected")
    assert "cue_security" in fired("our keys leaked") and "cue_security" in fired("les clés sont dans un dépôt public")
    # "since" + a time is ongoing, not past: "down since yesterday" is live.
    live = fired("down since yesterday for everyone")
    assert "cue_since_ongoing" in live and "cue_past" not in live
    assert {"pct_high"} <= fired("100% of requests fail") and {"pct_low"} <= fired("2% d'erreurs")


def test_cues_are_opt_in_so_older_artifacts_keep_their_layout() -> None:
    old = FeatureConfig.from_dict({"use_embeddings": False, "word_weight": 2.0})
    assert old.cue_weight == 0.0 and old.dense_dim() == len(SIGNAL_NAMES)
    new = FeatureConfig(cue_weight=1.0)
    x = featurize(["checkout down for everyone since 10:00"], new)
    assert x.dense.shape[1] == len(SIGNAL_NAMES) + len(CUE_NAMES)
    assert x.dense[0, len(SIGNAL_NAMES) :].sum() > 0
