"""Text normalisation shared by indexing and querying, so both sides see the same words.

PostgreSQL here has no `unaccent`, so accents are folded in Python; and runbooks are full of
identifiers (`KubePodCrashLooping`, `node.kubernetes.io/unreachable`, `OOMKilled`) that no
text-search parser or WordPiece vocabulary splits into the words people actually type.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# A token with an inner capital ("CrashLoop", "OOMKilled") or inner separators ("k8s.io/x").
_COMPOUND = re.compile(r"[A-Za-z0-9]+(?:[._/:\-][A-Za-z0-9]+)+|[A-Za-z0-9]*[a-z0-9][A-Z][A-Za-z0-9]*|[A-Z]{2,}[a-z][A-Za-z0-9]*")
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


def expansions(text: str) -> list[str]:
    """Split forms of every compound identifier in the text, once each, in order of appearance."""
    seen: dict[str, None] = {}
    for match in _COMPOUND.finditer(text):
        parts = identifier_parts(match.group(0))
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
        for left, right in zip(parts, parts[1:]):
            pairs.setdefault((left + right).lower(), None)
    return list(pairs)


def search_text(title: str, heading: str, content: str, tags: Iterable[str] = ()) -> str:
    """What PostgreSQL indexes for a chunk: accent-folded title, heading, tags, content, identifiers
    (as written, split into words, and as the joined pairs of those words)."""
    head = "\n".join(part for part in (title, heading, " ".join(tags)) if part)
    text = f"{head}\n{content}"
    extra = expansions(text)
    return fold("\n".join([text, " ".join(extra), " ".join(joined_pairs(extra))]) if extra else text)


def query_words(query: str) -> list[str]:
    """Distinct folded words of a query (identifiers split), in order; single letters dropped."""
    words = _WORD.findall(fold(with_expansions(query)))
    return list(dict.fromkeys(w for w in words if len(w) > 1))
