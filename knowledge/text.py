"""Text normalisation shared by indexing and querying, so both sides see the same words.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator

# A compound is a token with inner separators ("k8s.io/x"), an inner capital ("CrashLoop") or an
# acronym before a word ("OOMKilled"). It used to be one regex,
#   [A-Za-z0-9]+(?:[._/:\-][A-Za-z0-9]+)+|[A-Za-z0-9]*[a-z0-9][A-Z][A-Za-z0-9]*|[A-Z]{2,}[a-z][A-Za-z0-9]*
# which backtracks over a whole run at every position (8,000 "a"s: 2 s; 39,000: 50 s, on text any
# Slack user sends). `_compounds` finds the same matches in one pass over the alphanumeric runs.
_RUN = re.compile(r"[A-Za-z0-9]+")
_INNER_CAPITAL = re.compile(r"[a-z0-9][A-Z]")
_LEADING_CAPITALS = re.compile(r"[A-Z]*")
_SEPARATOR_CHARS = frozenset("._/:-")
# camelCase and ACRONYMWord boundaries, and letter/digit stays together ("k8s", "v1beta1").
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+[0-9]*")
_SEPARATORS = re.compile(r"[._/:\-]+")
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case without accents: "Nœud éteint" -> "noeud eteint" (œ/æ expanded too)."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def identifier_parts(token: str) -> list[str]:
    """The words inside one identifier: "KubePodCrashLooping" -> [Kube, Pod, Crash, Looping]."""
    parts: list[str] = []
    for piece in _SEPARATORS.split(token):
        parts.extend(_CAMEL.findall(piece) or [piece])
    return [p for p in parts if p]


def _compounds(text: str) -> Iterator[str]:
    """The old `_COMPOUND` regex's matches, in order, in linear time.

    Every alternative of that regex starts on an alphanumeric run and ends at the end of a run, and
    whether one matches inside a run depends only on the run's start (see the tests), so only run
    starts are tried: a chain of runs joined by single separators; else a run with a lower-case
    letter or digit before a capital; else a run of two or more capitals then a lower-case letter.
    """
    runs = [(m.start(), m.end()) for m in _RUN.finditer(text)]
    n, i = len(text), 0
    while i < len(runs):
        start, end = runs[i]
        j = i
        while end + 1 < n and text[end] in _SEPARATOR_CHARS and j + 1 < len(runs) and runs[j + 1][0] == end + 1:
            j += 1
            end = runs[j][1]
        if j > i:
            yield text[start:end]
            i = j + 1
            continue
        run = text[start:end]
        if _INNER_CAPITAL.search(run):
            yield run
        else:
            capitals = _LEADING_CAPITALS.match(run).end()  # type: ignore[union-attr]
            if capitals >= 2 and capitals < len(run) and "a" <= run[capitals] <= "z":
                yield run
        i += 1


def expansions(text: str) -> list[str]:
    """Split forms of every compound identifier in the text, once each, in order of appearance."""
    seen: dict[str, None] = {}
    for compound in _compounds(text):
        parts = identifier_parts(compound)
        if len(parts) > 1:
            seen.setdefault(" ".join(parts), None)
    return list(seen)


def with_expansions(text: str) -> str:
    """The text followed by its identifiers spelt as words (for embeddings and full text)."""
    extra = expansions(text)
    return f"{text}\n{' '.join(extra)}" if extra else text


def joined_pairs(expanded: Iterable[str]) -> list[str]:
    """Adjacent parts of split identifiers joined again ("Stateful Set" -> "statefulset"): people
    type "statefulset" and "daemonset" as one word, alert names spell them in camel case."""
    pairs: dict[str, None] = {}
    for words in expanded:
        parts = words.split()
        for left, right in itertools.pairwise(parts):
            pairs.setdefault((left + right).lower(), None)
    return list(pairs)


def search_text(title: str, heading: str, content: str, tags: Iterable[str] = ()) -> str:
    """What PostgreSQL indexes for a chunk: accent-folded title, heading, tags, content, identifiers
    (as written, split into words, and as the joined pairs of those words)."""
    head = "\n".join(part for part in (title, heading, " ".join(tags)) if part)
    text = f"{head}\n{content}"
    extra = expansions(text)
    return fold("\n".join([text, " ".join(extra), " ".join(joined_pairs(extra))]) if extra else text)


# A query longer than this is a paste, not a question: its head says what it is about.
MAX_QUERY_CHARS = 4000


def query_words(query: str) -> list[str]:
    """Distinct folded words of a query (identifiers split), in order; single letters dropped."""
    words = _WORD.findall(fold(with_expansions(query[:MAX_QUERY_CHARS])))
    return list(dict.fromkeys(w for w in words if len(w) > 1))
