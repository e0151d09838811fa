"""Work on user text is linear in its length: a stranger's 40,000-character message costs NOX
milliseconds, not minutes. And the tokenizer rewritten for that finds exactly what it found before."""

from __future__ import annotations

# Timed in CPU seconds of this process (time.process_time): a loaded machine must not fail them, a
# backtracking pattern (tens of seconds of CPU on 40,000 characters) still does.
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
SHAPES = {
    name: (unit * N)[:N]
    for name, unit in {
        "one long token": "a",
        "camelCase soup": "fooBarBaz9Qux",
        "separators": "a.",
        "separators, mixed": "k8s.io/node-x:y_",
        "capitals": "OOMKILLED",
        "mixed scripts": "日本語αβγabcDEF-éçœ",
    }.items()
}


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
        "KubePodCrashLooping on node.kubernetes.io/unreachable, OOMKilled x3",
        "payments-api returns 502",
        "HTTPServerError in v1beta1 k8s",
        "ABCdef aB Ab AB ab-CD a..b a.-b -a- .a. :x: https://x.io/a/b?c=d",
        "le nœud éteint: PostgreSQL_Replica-2 lag 30s",
        "iOS iPhone eBPF gRPC OAuth2Token XMLHttpRequest",
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
    started = time.process_time()
    brain.analyze(message, context=[message])
    query_words(message)
    with_expansions(message)
    search_text("title", "heading", message)
    elapsed = time.process_time() - started
    assert elapsed < 1.0, f"{shape}: {elapsed:.2f}s"


def test_the_service_pattern_finds_what_it_found_in_linear_time() -> None:
    """extract_service's `<name> service|api|db…` pattern retried a.b.c… chains from every word start."""
    from jamono.brain import extract

    def old(low: str) -> tuple[str, str] | None:
        match = extract._EN_KIND_RE.search(low)
        return (match.group(1), match.group(2)) if match else None

    lines = [extract._fold(line) for doc in _runbooks() for line in doc.splitlines()]
    rng = random.Random(3)
    pieces = [
        "a",
        "b",
        "9",
        ".",
        "-",
        "_",
        " ",
        "\t",
        "é",
        "service",
        "api",
        "pods",
        "pod",
        "db",
        "servicex",
        "_service",
        "-api",
        ".db",
        "\n",
    ]
    samples = lines + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(20_000)]
    for sample in samples:
        assert extract._en_kind_search(sample) == old(sample), sample
    for shape in ("a." * 20_000, "a-" * 20_000, "ab.c-d_" * 6_000):
        started = time.process_time()
        extract._en_kind_search(shape)
        assert time.process_time() - started < 0.2, shape[:10]


MARKUP_SHAPES = {
    name: (unit * N)[:N]
    for name, unit in {
        "mentions without an end": "<@",
        "broadcasts without an end": "<!",
        "links without an end": "<http://",
        "mentions with a bar": "<@U|",
        "links with a bar": "<https://x|",
    }.items()
}


@pytest.mark.parametrize("shape", list(MARKUP_SHAPES))
def test_slack_markup_patterns_are_linear(brain: OfflineBrain, shape: str) -> None:
    """`[^>]*` inside markup patterns rescanned to the end from every `<`: "<http://" × 5,000 took
    9 s in extract.clean_text, "<@" × 20,000 1.5 s in detect_language (which a listener calls)."""
    from jamono.brain import extract, features
    from jamono.brain.language import detect_language

    message = MARKUP_SHAPES[shape]
    started = time.process_time()
    detect_language(message)
    extract.clean_text(message)
    extract.extract_attendees(message)
    features.normalise(message)
    brain.analyze(message)
    assert time.process_time() - started < 1.0, shape


def test_markup_patterns_read_slack_text_as_before() -> None:
    """The old `[^>]` patterns and the new `[^<>]` ones find the same spans and groups in every text
    of the intent training data and the bundled runbooks (and in Slack-shaped samples)."""
    import json

    from jamono.brain import extract, features, language

    old = {
        (features, "_MENTION_RE"): r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>",
        (features, "_HERE_RE"): r"<!(?:here|channel|everyone)(?:\|[^>]*)?>|(?<!\w)@(?:here|channel|everyone)\b",
        (features, "_CHANNEL_RE"): r"<#C[A-Z0-9]+(?:\|[^>]*)?>",
        (features, "_URL_RE"): r"<https?://[^>]+>|https?://\S+",
        (extract, "MENTION_RE"): r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>",
        (extract, "_SLACK_MARKUP_RE"): r"<!(?:here|channel|everyone)(?:\|[^>]*)?>|<#C[A-Z0-9]+(?:\|([^>]*))?>",
        (extract, "_LINK_RE"): r"<(https?://[^>|]+)(?:\|([^>]*))?>",
        (language, "_SLACK_MARKUP_RE"): r"<[@#!][^>]*>|<https?://[^>]*>|https?://\S+|`[^`]*`|:[a-z0-9_+\-]+:",
    }
    data = ROOT / "jamono" / "brain" / "data"
    texts = [
        json.loads(line).get("text", "")
        for p in data.rglob("*.jsonl")
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += [line for p in data.rglob("*.txt") for line in p.read_text(encoding="utf-8").splitlines()]
    texts += _runbooks()
    texts += [
        "<@U0ALICE|alice> <!here> see <https://runbooks.example/db|the db runbook> in <#C0OPS|ops> "
        "and <https://grafana.example/d/x> :fire: `kubectl get pods` @nox <!channel|@channel> <@W0B>"
    ]
    assert sum("<" in t for t in texts) > 100
    for (module, name), pattern in old.items():
        before, after = re.compile(pattern), getattr(module, name)
        for text in texts:
            assert [(m.span(), m.groups()) for m in before.finditer(text)] == [
                (m.span(), m.groups()) for m in after.finditer(text)
            ], (name, text[:120])


def test_document_titles_as_before_in_linear_time() -> None:
    from knowledge import documents

    old = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)
    rng = random.Random(7)
    lines = [line for doc in _runbooks() for line in doc.splitlines()]
    lines += ["".join(rng.choice("# \tab\r") for _ in range(rng.randint(0, 10))) for _ in range(20_000)]
    for line in lines:
        match = old.match(line)
        assert documents._h1_title(line) == (match.group(1) if match else None), repr(line)
    for heading in ("# " + "#" * N + "x", "# a" + " #" * (N // 2) + "x", "#" + " " * N):
        started = time.process_time()
        documents.title_from(heading, "fallback")
        assert time.process_time() - started < 0.2
