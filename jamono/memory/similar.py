"""Similar past incidents, by words: TF-IDF cosine over an English rendering of each text.
Why and how: docs/design/incidents.md (Memory)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from pydantic import BaseModel

from knowledge.text import fold
from knowledge.translate import spelt_out, to_english

_WORD = re.compile(r"[a-z0-9][a-z0-9_\-]*")
_STOP = frozenset(
    "the a an and or is are was were be been not no to of in on at for with without from by it its this that "
    "these those we our you your they their i my me he she how what why when where which who do does did can "
    "could should would will have has had after before since all every any some just now then than also into "
    "out up down over under one two about again once only very more most same new our us there here "
    # how loudly someone reports says nothing about what broke
    "urgent urgente urgence asap help aide please svp vite quickly".split()
)
# Spellings of one thing (after folding and the French rendering): counted as one word.
_SAME = {
    "5xx": "error",
    "errors": "error",
    "erreur": "error",
    "erreurs": "error",
    "postgres": "postgresql",
    "pg": "postgresql",
    "k8s": "kubernetes",
    "certificat": "certificate",
    "cert": "certificate",
    "certs": "certificate",
    "regex": "regular",
    "regexp": "regular",
    "expire": "expired",
    "expiration": "expired",
    "expiry": "expired",
    "disque": "disk",
    "plein": "full",
    "reseau": "network",
    "nœuds": "node",
    "noeuds": "node",
    "nodes": "node",
    "paquets": "packet",
    "passerelle": "gateway",
    "supprime": "deleted",
    "retire": "removed",
    "retirees": "withdrawn",
    "routes": "route",
    "routeur": "router",
    "ecran": "screen",
    "bleu": "blue",
    "boucle": "loop",
    "redemarrent": "reboot",
    "redemarre": "reboot",
    "stockage": "storage",
    "objet": "object",
    "donnees": "data",
    "repertoire": "directory",
    "primaire": "primary",
    "principale": "primary",
    "ecritures": "write",
    "writes": "write",
    "bascule": "failover",
    "coupure": "partition",
    "obsoletes": "stale",
    "montee": "upgrade",
    "maj": "update",
    "renouvellement": "renewal",
    "racine": "root",
}


def _stem(word: str) -> str:
    word = _SAME.get(word, word)
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return _SAME.get(word[: -len(ending)], word[: -len(ending)])
    return word


def terms(text: str) -> list[str]:
    """The text's comparable words: English rendering (when French), folded, stemmed, no stop words."""
    english = to_english(text)
    base = f"{text} {english or ''} {spelt_out(text)}"
    return [_stem(w) for w in _WORD.findall(fold(base)) if w not in _STOP and len(w) > 1]


class PastIncident(BaseModel):
    id: str
    title: str
    text: str = ""
    resolution: str = ""


class Match(BaseModel):
    id: str
    score: float


class Index:
    """A TF-IDF index of past incidents (title counted twice: it is the incident's gist)."""

    def __init__(self, past: Sequence[PastIncident]) -> None:
        self.ids = [p.id for p in past]
        docs = [Counter(terms(f"{p.title} {p.title} {p.text} {p.resolution}")) for p in past]
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        n = max(len(docs), 1)
        self.idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}
        self.vectors = [self._weigh(doc) for doc in docs]

    def _weigh(self, counts: Counter[str]) -> dict[str, float]:
        vec = {t: (1 + math.log(c)) * self.idf.get(t, 0.0) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items()}

    def rank(self, text: str, limit: int = 3, min_score: float = 0.0) -> list[Match]:
        query = self._weigh(Counter(terms(text)))
        scored = [
            Match(id=pid, score=round(sum(w * vec.get(t, 0.0) for t, w in query.items()), 4))
            for pid, vec in zip(self.ids, self.vectors, strict=True)
        ]
        scored.sort(key=lambda m: -m.score)
        return [m for m in scored[:limit] if m.score > min_score]
