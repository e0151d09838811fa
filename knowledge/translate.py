"""French questions against English runbooks: a word-for-word English rendering of the query.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from knowledge.text import fold

LEXICON = Path(__file__).parent / "lexicon" / "fr_en.tsv"
ACRONYMS = Path(__file__).parent / "lexicon" / "acronyms.tsv"
MAX_PHRASE_WORDS = 4
MAX_CHARS = 4000

_TOKEN = re.compile(r"[a-z0-9][a-z0-9_.\-/]*|'")
# French function words: dropped from the rendering; their count tells French text apart.
_FR_FUNCTION = frozenset(
    "le la les l un une des du de d au aux et ou est sont a ai as avons avez ont pas ne n plus rien qui que qu "
    "quoi pour sur dans avec sans chez mais donc car ce cet cette ces ca cela c je j tu il elle nous vous ils elles "
    "on me m te t se s y en mon ma mes ton ta tes son sa ses notre votre nos vos leur leurs tres trop aussi encore "
    "toujours deja quand quel quelle quels quelles est-ce suis etait ete fait faut dois doit peut peux tout tous "
    "toute toutes apres avant pendant entre vers depuis alors".split()
)
_EN_FUNCTION = frozenset(
    "the a an and or is are was were be been not no to of in on at for with without from by it its this that "
    "these those we our you your they their i my me he she how what why when where which who do does did can "
    "could should would will have has had".split()
)
# Cognates by ending, tried on words the lexicon does not know ("provisionner" -> "provision").
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ionnement", "ion"),
    ("ionner", "ion"),
    ("ionne", "ion"),
    ("ionnes", "ion"),
    ("ionnent", "ion"),
    ("iser", "ize"),
    ("isee", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("iques", "ics"),
    ("ique", "ic"),
    ("ite", "ity"),
    ("eur", "er"),
    ("eurs", "ers"),
)


def _read(path: Path) -> dict[tuple[str, ...], str]:
    entries: dict[tuple[str, ...], str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        source, english = line.split("\t", 1)
        entries[tuple(fold(source).replace("'", " ' ").split())] = english.strip()
    return entries


@functools.cache
def _lexicon() -> dict[tuple[str, ...], str]:
    return _read(LEXICON)


@functools.cache
def _acronyms() -> dict[str, str]:
    return {words[0]: english for words, english in _read(ACRONYMS).items()}


def spelt_out(text: str) -> str:
    """The abbreviations of a text spelt out ("PV stuck" -> "persistent volume"), once each."""
    acronyms = _acronyms()
    found = dict.fromkeys(acronyms[w] for w in re.findall(r"[a-z0-9]+", fold(text[:MAX_CHARS])) if w in acronyms)
    return " ".join(found)


def _words(text: str) -> list[str]:
    return _TOKEN.findall(fold(text[:MAX_CHARS]).replace("’", "'"))


def looks_french(text: str) -> bool:
    words = _words(text)
    french = sum(w in _FR_FUNCTION for w in words)
    english = sum(w in _EN_FUNCTION for w in words)
    accents = sum(1 for c in text[:MAX_CHARS] if c in "éèêàùâîôûçœ")
    return french + min(accents, 3) >= 2 and french + min(accents, 3) > english


def _cognate(word: str) -> str | None:
    for ending, english in _SUFFIXES:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)] + english
    return None


def to_english(text: str) -> str | None:
    """An English rendering of a French text, or None when the text does not read as French."""
    if not looks_french(text):
        return None
    lexicon = _lexicon()
    words = _words(text)
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            english = lexicon.get(tuple(words[i : i + size]))
            if english is not None:
                out.append(english)
                i += size
                break
        else:
            word = words[i]
            if word != "'" and word not in _FR_FUNCTION:
                cognate = _cognate(word)
                out.append(f"{word} {cognate}" if cognate else word)
            i += 1
    return " ".join(out)
