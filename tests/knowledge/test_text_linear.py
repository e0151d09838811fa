"""Work on user text is linear in its length: a stranger's 40,000-character message costs NOX
milliseconds, not minutes. And the tokenizer rewritten for that finds exactly what it found before."""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from jamono.brain.offline import OfflineBrain
from knowledge import text as kt
from knowledge.text import expansions, query_words, search_text, with_expansions

ROOT = Path(__file__).resolve().parents[2]
# The pattern knowledge/text.py used until it was found to backtrack (8,000 "a"s: 2 s).
OLD_COMPOUND = re.compile(
    r"[A-Za-z0-9]+(?:[._/:\-][A-Za-z0-9]+)+|[A-Za-z0-9]*[a-z0-9][A-Z][A-Za-z0-9]*|[A-Z]{2,}[a-z][A-Za-z0-9]*"
)
N = 40_000
SHAPES = {name: (unit * N)[:N] for name, unit in {
    "one long token": "a",
    "camelCase soup": "fooBarBaz9Qux",
    "separators": "a.",
    "separators, mixed": "k8s.io/node-x:y_",
    "capitals": "OOMKILLED",
    "mixed scripts": "日本語αβγabcDEF-éçœ",
}.items()}


def old_expansions(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in OLD_COMPOUND.finditer(text):
        parts = kt.identifier_parts(match.group(0))
        if len(parts) > 1:
            seen.setdefault(" ".join(parts), None)
    return list(seen)


def _runbooks() -> list[str]:
    paths = sorted((ROOT / "knowledge" / "bundled").rglob("*.md"))
    assert len(paths) > 10
    return [p.read_text(encoding="utf-8") for p in paths]


def test_same_compounds_as_the_old_pattern_on_the_bundled_runbooks() -> None:
    for doc in _runbooks():
        assert list(kt._compounds(doc)) == [m.group(0) for m in OLD_COMPOUND.finditer(doc)]
        assert expansions(doc) == old_expansions(doc)


def test_same_compounds_as_the_old_pattern_on_ordinary_and_random_text() -> None:
    samples = [
        "KubePodCrashLooping on node.kubernetes.io/unreachable, OOMKilled x3", "payments-api returns 502",
        "HTTPServerError in v1beta1 k8s", "ABCdef aB Ab AB ab-CD a..b a.-b -a- .a. :x: https://x.io/a/b?c=d",
        "le nœud éteint: PostgreSQL_Replica-2 lag 30s", "iOS iPhone eBPF gRPC OAuth2Token XMLHttpRequest",
    ]
    rng = random.Random(14)
    alphabet = "aAbZ09._/:- é日"
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(5000)]
    for sample in samples:
        assert list(kt._compounds(sample)) == [m.group(0) for m in OLD_COMPOUND.finditer(sample)], sample


@pytest.fixture(scope="module")
def brain() -> OfflineBrain:
    return OfflineBrain().load()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_40000_character_message_is_analysed_in_well_under_a_second(brain: OfflineBrain, shape: str) -> None:
    message = SHAPES[shape]
    assert len(message) == N
    brain.analyze("warm up")
    started = time.perf_counter()
    brain.analyze(message, context=[message])
    query_words(message)
    with_expansions(message)
    search_text("title", "heading", message)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"{shape}: {elapsed:.2f}s"


def test_the_service_pattern_finds_what_it_found_in_linear_time() -> None:
    """extract_service's `<name> service|api|db…` pattern retried a.b.c… chains from every word start."""
    from jamono.brain import extract

    def old(low: str) -> tuple[str, str] | None:
        match = extract._EN_KIND_RE.search(low)
        return (match.group(1), match.group(2)) if match else None

    lines = [extract._fold(line) for doc in _runbooks() for line in doc.splitlines()]
    rng = random.Random(3)
    pieces = ["a", "b", "9", ".", "-", "_", " ", "\t", "é", "service", "api", "pods", "pod", "db", "servicex",
              "_service", "-api", ".db", "\n"]
    samples = lines + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(20_000)]
    for sample in samples:
        assert extract._en_kind_search(sample) == old(sample), sample
    for shape in ("a." * 20_000, "a-" * 20_000, "ab.c-d_" * 6_000):
        started = time.perf_counter()
        extract._en_kind_search(shape)
        assert time.perf_counter() - started < 0.2, shape[:10]
