"""Context in an incident report that points at a runbook its symptom does not name.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import re

from knowledge.text import fold

MAX_CHARS = 4000

_RECENT_CHANGE = re.compile(
    r"\b(?:deploy(?:ed|ment|ments|s)?|redeploy(?:ed)?|release[ds]?|rolled out|roll-?out|upgrade[ds]?|"
    r"new version|new build|config(?:uration)? change|feature flag|merged?|"
    r"mise en prod(?:uction)?|mep|deploiement|deploye[es]?|redeploye[es]?|nouvelle version|montee de version|"
    r"mise a jour|changement de config(?:uration)?)\b"
)

CHANGE_QUERIES = {
    "en": "roll back a bad deploy or release to the last good version",
    "fr": "revenir en arrière après une mauvaise mise en production vers la dernière version saine",
}


def change_query(text: str, lang: str) -> str | None:
    """A search for the rollback runbook when the report mentions a recent change, else None."""
    if _RECENT_CHANGE.search(fold(text[:MAX_CHARS])):
        return CHANGE_QUERIES.get(lang, CHANGE_QUERIES["en"])
    return None
