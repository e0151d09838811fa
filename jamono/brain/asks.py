"""What a question asks for: the cause, the fix, the meaning, or who to call.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import re
from enum import StrEnum

from knowledge.sections import Role
from knowledge.text import fold

MAX_CHARS = 2000  # the question's opening is where people say what they want


class Ask(StrEnum):
    HOW_TO = "how_to"  # diagnose and fix (the default for how-to questions and incidents)
    DIAGNOSE = "diagnose"
    FIX = "fix"
    MEANING = "meaning"
    CONTACT = "contact"
    NEXT = "next"  # "and if that doesn't work?": the further fixes, then who to call


_PATTERNS: tuple[tuple[Ask, re.Pattern[str]], ...] = (
    (
        Ask.NEXT,
        re.compile(
            r"\bif (?:that|it|this) (?:does ?n[o']t|did ?n[o']t|does not|did not|won'?t) (?:work|help|fix)"
            r"|\bstill (?:broken|failing|down|not working|the same|happening)\b|\bwhat else\b|\bany other (?:idea|fix)"
            r"|\bsi (?:ca|cela) (?:ne )?(?:marche|fonctionne|suffit|passe) (?:toujours )?pas|\btoujours (?:ko|pareil|en panne)"
            r"|\bet sinon\b|\bquoi d'autre\b|\bautre (?:idee|piste|solution)"
        ),
    ),
    (
        Ask.CONTACT,
        re.compile(
            r"\bwho (?:should|do|can|to|must) (?:i |we )?(?:call|page|ping|contact|escalate|wake)"
            r"|\bescalat|\bescalad|\bwho owns\b|\bqui (?:appeler|contacter|prevenir|reveiller|escalader)"
            r"|\bqui (?:faut-il|dois-je|doit-on) (?:appeler|contacter|prevenir)|\bqui est d'astreinte"
        ),
    ),
    (
        Ask.MEANING,
        re.compile(
            r"\bwhat (?:does|do) (?:this|that|the|it)\b[^?.!]{0,80}\bmean\b|\bwhat is (?:this|that|the) alert"
            r"|\bmeaning of\b|\bwhat(?:'s| is) [^?.!]{0,40}\b(?:alert|warning)\b\s*(?:about|\?)"
            r"|\bque (?:veut dire|signifie)|\bca veut dire\b|\bsignification\b|\bc'est quoi (?:cette|l') ?alerte"
            r"|\bqu'est-ce que (?:cette|l') ?alerte"
        ),
    ),
    (
        Ask.FIX,
        re.compile(
            r"\b(?:how|what) (?:do|can|should|could) (?:i|we|you) (?:fix|resolve|repair|recover|restore|mitigate|stop|"
            r"clear|unblock|get (?:it|them|this) back|bring (?:it|them|this) back|roll ?back|free|clean)"
            r"|\bhow to (?:fix|resolve|repair|recover|restore|mitigate|stop|clear|unblock|roll ?back|free|clean)"
            r"|\bwhat (?:do|should) (?:i|we) do\b|\bwhat'?s the (?:fix|procedure|workaround)|\bprocedure\b"
            r"|\bworkaround\b|\bcomment (?:reparer|corriger|resoudre|recuperer|retablir|debloquer|relancer|"
            r"liberer|nettoyer|revenir|restaurer|remettre|faire revenir)|\bque faire\b|\bqu'est-ce qu'on fait"
            r"|\bquoi faire\b|\bla procedure\b|\bon fait quoi\b|\bcontournement\b"
        ),
    ),
    (
        Ask.DIAGNOSE,
        re.compile(
            r"\b(?:how|where) (?:do|can|should|could|would) (?:i|we|you) (?:see|tell|check|find|know|figure|debug|"
            r"diagnose|investigate|troubleshoot|confirm|verify|look|understand|spot|identify)"
            r"|\bhow to (?:see|tell|check|find|debug|diagnose|investigate|troubleshoot|confirm|verify|identify)"
            r"|\bwhy\b|\broot cause\b|\bwhat(?:'s| is) causing\b|\bwhat caused\b|\bwhich (?:one|pod|node|disk|query)"
            r"|\bpourquoi\b|\bcomment (?:savoir|voir|verifier|diagnostiquer|trouver|identifier|comprendre|confirmer|"
            r"debugger|deboguer|investiguer|reperer)|\bd'ou (?:vient|viennent)\b|\bla cause\b|\bou regarder\b"
        ),
    ),
)

# The roles an answer draws on, most wanted first.
ROLES_FOR: dict[Ask, tuple[Role, ...]] = {
    Ask.HOW_TO: (Role.DIAGNOSIS, Role.MITIGATION),
    Ask.DIAGNOSE: (Role.DIAGNOSIS, Role.MITIGATION),
    Ask.FIX: (Role.MITIGATION, Role.DIAGNOSIS),
    Ask.MEANING: (Role.MEANING, Role.IMPACT, Role.DIAGNOSIS),
    Ask.CONTACT: (Role.ESCALATION, Role.MITIGATION),
    Ask.NEXT: (Role.MITIGATION, Role.ESCALATION),
}


def ask_of(text: str) -> Ask:
    """The first kind of request the question states; how-to (diagnose and fix) otherwise."""
    folded = fold(text[:MAX_CHARS]).replace("’", "'")
    found = [(m.start(), ask) for ask, pattern in _PATTERNS if (m := pattern.search(folded))]
    if not found:
        return Ask.HOW_TO
    asks = {ask for _, ask in found}
    if asks >= {Ask.DIAGNOSE, Ask.FIX}:
        return Ask.HOW_TO
    return min(found)[1]
