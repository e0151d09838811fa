"""What makes two reports the same incident, and the fingerprints external systems are searched by.
Why and how: docs/design/actions.md."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from uuid import UUID

DEFAULT_WINDOW_MIN = 6 * 60

_SYMPTOMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("crash", ("crashloop", "crash", "oomkill", "oom", "restart", "panic", "segfault", "plante", "redemarr")),
    ("disk", ("disk full", "no space", "disque plein", "espace disque", "inode")),
    ("memory", ("memory", "memoire", "heap", "leak", "fuite")),
    ("cert", ("certificate", "certificat", "tls", "ssl", "x509")),
    (
        "errors",
        ("5xx", "500", "502", "503", "504", "error", "erreur", "exception", "failing", "fail", "echec", "échec"),
    ),
    ("latency", ("latency", "latence", "slow", "lent", "timeout", "timed out", "p99", "lag")),
    ("down", ("down", "outage", "unreachable", "unavailable", "panne", "indisponible", "injoignable", "hs")),
    ("queue", ("queue", "backlog", "file d'attente", "consumer", "kafka", "rabbit")),
    ("cpu", ("cpu", "load average", "throttl")),
    ("db", ("database", "postgres", "mysql", "replica", "deadlock", "base de donn")),
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def symptom_of(text: str) -> str | None:
    """The first symptom class the text mentions (the list is ordered from specific to vague)."""
    folded = _fold(text)
    for name, needles in _SYMPTOMS:
        for needle in needles:
            # Short needles must be whole words ("down" is not "download"); longer ones may be stems.
            end = r"(?![a-z0-9])" if len(needle) <= 4 else ""
            if re.search(rf"(?<![a-z0-9]){re.escape(_fold(needle))}{end}", folded):
                return name
    return None


def service_key(service: str | None) -> str | None:
    if not service:
        return None
    key = re.sub(r"[^a-z0-9]+", "-", _fold(service)).strip("-")
    key = re.sub(r"-(api|service|svc|app|server)$", "", key)
    return key or None


def dedup_key(service: str | None, text: str) -> str | None:
    """service:symptom, or None when either is unknown (then only the thread can match)."""
    svc, symptom = service_key(service), symptom_of(text)
    return f"{svc}:{symptom}" if svc and symptom else None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def ticket_fingerprint(tenant_id: UUID, channel: str, thread_ts: str | None, key: str) -> str:
    """Stable per thread (per action when there is no thread): the Jira label `nox-fp-…` is this."""
    return "inc-" + (_digest(str(tenant_id), channel, thread_ts) if thread_ts else _digest(str(tenant_id), key))


def meeting_fingerprint(tenant_id: UUID, key: str) -> str:
    return "mtg-" + _digest(str(tenant_id), key)
