"""Our own held-out messages (jamono/brain/data/heldout/) stay out of training."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

from jamono.brain.training import DEFAULT_DATA, INTENTS, load_rows

BUILDER = DEFAULT_DATA.parent / "build_dataset.py"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_dataset", BUILDER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def test_heldout_is_balanced_and_bilingual() -> None:
    rows = _builder().heldout()
    assert len(rows) >= 120
    langs = {lang: sum(1 for r in rows if r["lang"] == lang) for lang in ("en", "fr")}
    assert min(langs.values()) / len(rows) >= 0.4, langs
    counts = {i: sum(1 for r in rows if r["intent"] == i) for i in INTENTS}
    assert min(counts.values()) >= 10, counts
    severities = {s: sum(1 for r in rows if r["severity"] == s) for s in ("critical", "high", "medium", "low")}
    assert min(severities.values()) >= 12, severities
    assert len({_key(str(r["text"])) for r in rows}) == len(rows)


def test_no_heldout_text_in_training() -> None:
    train = {_key(str(r["text"])) for r in load_rows(DEFAULT_DATA)}
    leaked = [r["text"] for r in _builder().heldout() if _key(str(r["text"])) in train]
    assert not leaked, leaked
