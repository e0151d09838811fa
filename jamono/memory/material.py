"""What an incident's memory is made of: its timeline entries and the channel's sentences, each
sorted into what it carries (impact, action, decision, cause, fix, question, action item)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from knowledge.text import fold

Cue = Literal["impact", "action", "decision", "cause", "fix", "question", "item", "well", "poorly"]

# Folded (accent-free, lower case) patterns, English and French. Order matters only for ties.
_CUES: dict[Cue, re.Pattern[str]] = {
    "item": re.compile(
        r"\b(action items?|todo|to do|follow[- ]?up|we should|we need to|need to|must add|let'?s add|"
        r"il faut|a faire|on doit|il faudrait|ai:|action:)"
    ),
    "cause": re.compile(
        r"\b(root cause|caused by|because|due to|the cause|cause is|cause was|a cause d|du a|la cause|"
        r"origine|provoque par|cause par)"
    ),
    "fix": re.compile(
        r"\b(fixed by|resolved by|fix(ed)? (it|was)|the fix|mitigated by|corrige|resolu par|la correction|"
        r"repare|back to normal|recovered|revenu a la normale|retabli)"
    ),
    "decision": re.compile(r"\b(decided|decision|we will|we'll|let'?s|going with|on va|on part sur|decide|on garde)"),
    "action": re.compile(
        r"\b(roll(ed|ing)? ?back|rollback|restart(ed|ing)?|redemarr|deploy(ed|ing)?|deploie|scal(ed|ing) "
        r"(up|out)|flush(ed)?|purg(e|ed)|fail(ed)? ?over|bascul|disabl(e|ed)|desactiv|revert(ed)?|drain(ed)?|"
        r"kill(ed)?|patch(ed)?|bump(ed)?|increas(e|ed)|augmente|trying|tried|essaye|on tente|je tente)"
    ),
    "impact": re.compile(
        r"(\b\d{3}s?\b|\b\d+ ?%|\bcustomers?\b|\busers?\b|\bclients?\b|\berrors?\b|\berreurs?\b|\blatency\b|"
        r"\blatence\b|\bdown\b|\bpanne\b|\boutage\b|\btime ?outs?\b|\bfailing\b|\bechou|\bimpact|\bindisponible|"
        r"\bunavailable\b|\bslow\b|\blent)"
    ),
    "well": re.compile(r"\b(went well|worked well|good thing|luckily|quickly|a bien marche|heureusement|rapidement)"),
    "poorly": re.compile(
        r"\b(went poorly|went badly|should have|took too long|no alert|missing|we missed|too slow|"
        r"aurait du|trop long|pas d'alerte|manquait)"
    ),
}
_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
MAX_SENTENCE = 300


class Said(BaseModel):
    """One person's message in the channel (NOX's own are timeline entries instead)."""

    ts: str
    user: str
    text: str


class Entry(BaseModel):
    """One timeline line."""

    at: datetime
    kind: str
    actor: str
    text: str


class Sentence(BaseModel):
    ts: str
    user: str
    text: str
    cues: list[Cue]

    @property
    def mentions(self) -> list[str]:
        return _MENTION.findall(self.text)


def cues_of(text: str) -> list[Cue]:
    folded = fold(text)
    found: list[Cue] = [cue for cue, pattern in _CUES.items() if cue != "question" and pattern.search(folded)]
    if text.rstrip().endswith("?"):
        found.append("question")
    return found


def sentences(messages: list[Said]) -> list[Sentence]:
    """Every sentence of the messages with its cues, oldest first (linear in the text)."""
    out: list[Sentence] = []
    for message in sorted(messages, key=lambda m: float(m.ts)):
        for piece in _SPLIT.split(message.text[:4000]):
            piece = piece.strip(" -•*")
            if len(piece) < 4:
                continue
            out.append(Sentence(ts=message.ts, user=message.user, text=piece[:MAX_SENTENCE], cues=cues_of(piece)))
    return out


def having(found: list[Sentence], cue: Cue, limit: int, *, last: bool = False) -> list[Sentence]:
    picked = [s for s in found if cue in s.cues]
    return picked[-limit:] if last else picked[:limit]


def owner(sentence: Sentence) -> str:
    """Who an action item is for: the person it names, else who said it."""
    others = list(sentence.mentions)
    return others[0] if others else sentence.user
