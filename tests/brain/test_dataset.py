"""The committed training file is exactly what the sources + templates build."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest

from jamono.brain.training import DEFAULT_DATA

BUILDER = DEFAULT_DATA.parent / "build_dataset.py"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_dataset", BUILDER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_jsonl_is_in_sync_with_sources() -> None:
    built = _builder().build()
    on_disk = [json.loads(line) for line in DEFAULT_DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert built == on_disk, "run: .venv/bin/python jamono/brain/data/build_dataset.py"


@pytest.mark.parametrize(
    ("label", "intent", "severity", "needed", "duration"),
    [
        ("q", "question", None, False, None),
        ("o", "other", None, False, None),
        ("m", "meeting", None, True, None),
        ("m45", "meeting", None, True, 45),
        ("ih", "incident", "high", False, None),
        ("il+m", "incident", "low", True, None),
        ("im+m30", "incident", "medium", True, 30),
        ("ic", "incident", "critical", True, None),  # a critical outage always gets a war room
    ],
)
def test_label_grammar(label: str, intent: str, severity: str | None, needed: bool, duration: int | None) -> None:
    parsed = _builder().parse_label(label)
    assert parsed == {"intent": intent, "severity": severity, "meeting": {"needed": needed, "duration_min": duration}}


def test_bad_label_is_rejected() -> None:
    with pytest.raises(ValueError):
        _builder().parse_label("incident")
