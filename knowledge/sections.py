"""What a runbook section is for: explaining the alert, finding the cause, or fixing it.
Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import re
from enum import StrEnum

from knowledge.text import fold


class Role(StrEnum):
    MEANING = "meaning"  # what the alert or situation is
    IMPACT = "impact"  # what it breaks
    SYMPTOMS = "symptoms"  # how it shows
    DIAGNOSIS = "diagnosis"  # how to find the cause
    MITIGATION = "mitigation"  # how to fix, roll back, recover
    ESCALATION = "escalation"  # who to call
    PREVENTION = "prevention"  # how to avoid it next time
    OTHER = "other"


ACTION_ROLES = (Role.DIAGNOSIS, Role.MITIGATION)

# Heading words (accent-folded, matched as word prefixes), English and French.
_HEADING_WORDS: tuple[tuple[Role, tuple[str, ...]], ...] = (
    (
        Role.ESCALATION,
        (
            "escalat",
            "escalad",
            "contact",
            "who to call",
            "who to page",
            "owner",
            "qui appeler",
            "qui contacter",
            "astreinte",
            "on-call",
            "on call",
            "responsable",
        ),
    ),
    (
        Role.PREVENTION,
        (
            "prevent",
            "prevention",
            "avoid",
            "eviter",
            "long term",
            "long-term",
            "follow-up",
            "follow up",
            "suivi",
            "hygiene",
            "good practice",
            "best practice",
            "bonnes pratiques",
            "lessons",
        ),
    ),
    (
        Role.DIAGNOSIS,
        (
            "diagnos",
            "troubleshoot",
            "investigat",
            "debug",
            "check",
            "verif",
            "depann",
            "analys",
            "triage",
            "identify",
            "identifi",
            "root cause",
            "cause",
            "inspect",
            "find",
            "trouver",
            "confirm",
            "logs",
            "journaux",
            "metrics",
            "metriques",
            "queries",
            "requetes",
            "promql",
            "dashboards",
            "tableaux de bord",
            "what to look",
            "que regarder",
            "health",
            "sante",
            "etat",
        ),
    ),
    (
        Role.MITIGATION,
        (
            "mitigat",
            "remediat",
            "remedi",
            "resolution",
            "resolv",
            "resoudre",
            "fix",
            "correct",
            "repar",
            "repair",
            "solution",
            "workaround",
            "contourn",
            "recover",
            "recuper",
            "restor",
            "restaur",
            "rollback",
            "roll back",
            "rolling back",
            "roll forward",
            "retour arriere",
            "revenir",
            "revert",
            "steps",
            "etapes",
            "procedure",
            "action",
            "remedy",
            "attenu",
            "execute",
            "execut",
            "decide",
            "decider",
            "purge",
            "clean",
            "nettoy",
            "free",
            "liberer",
            "increase",
            "augment",
            "scale",
            "restart",
            "redemarr",
            "rotate",
            "rotation",
            "renew",
            "renouvel",
            "failover",
            "bascule",
            "disaster",
            "kill switch",
            "feature flag",
            "defrag",
            "fragment",
            "resize",
            "expand",
            "agrandir",
            "drain",
            "cordon",
            "upgrade",
            "mettre a jour",
        ),
    ),
    (Role.IMPACT, ("impact", "consequen", "effect", "effet", "risk", "risque", "severity", "gravite")),
    (Role.SYMPTOMS, ("symptom", "symptom", "signs", "signes", "how it shows", "alert", "alerte")),
    (
        Role.MEANING,
        (
            "meaning",
            "signification",
            "signifie",
            "description",
            "overview",
            "summary",
            "resume",
            "apercu",
            "about",
            "context",
            "contexte",
            "what is",
            "qu'est-ce",
            "introduction",
            "background",
            "definition",
        ),
    ),
)

_CODE_FENCE = re.compile(r"^\s*(```|~~~)", re.M)
_SHELL_LINE = re.compile(
    r"^\s*(\$|#)?\s*(kubectl|oc|helm|etcdctl|systemctl|journalctl|curl|docker|psql|redis-cli|"
    r"promtool|amtool|grep|lsof|df|du|ls|cat|ssh|sudo|git|argocd|aws|gcloud|az|vault|"
    r"openssl|dig|nslookup|ip|ss|netstat|top|ps|kill|pg_\w+)\b",
    re.M,
)
_STEP = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+\S", re.M)


def _heading_role(part: str) -> Role | None:
    words = fold(part)
    for role, prefixes in _HEADING_WORDS:
        for prefix in prefixes:
            if re.search(r"(?<![a-z0-9])" + re.escape(prefix), words):
                return role
    return None


def heading_role(heading: str) -> Role | None:
    """The role a heading path names: its deepest part that names one wins ("Mitigation > Slow
    disk" is a fix), except that a top-level Diagnosis/Mitigation section keeps its role for
    every subsection (runbooks nest causes under Diagnosis and fixes under Mitigation)."""
    parts = [p.strip() for p in heading.split(">") if p.strip()]
    if not parts:
        return None
    top = _heading_role(parts[0])
    if top in (Role.DIAGNOSIS, Role.MITIGATION, Role.ESCALATION) and len(parts) > 1:
        return top
    for part in reversed(parts):
        role = _heading_role(part)
        if role is not None:
            return role
    return None


def actionability(content: str) -> float:
    """How much a passage reads like something to do: code blocks, commands, steps (0 to ~1)."""
    if not content.strip():
        return 0.0
    fences = len(_CODE_FENCE.findall(content)) // 2
    commands = len(_SHELL_LINE.findall(content))
    steps = len(_STEP.findall(content))
    return min(1.0, 0.35 * fences + 0.12 * commands + 0.08 * steps)


def role_of(heading: str, content: str) -> Role:
    role = heading_role(heading)
    if role is not None:
        return role
    return Role.MITIGATION if actionability(content) >= 0.35 else Role.OTHER
