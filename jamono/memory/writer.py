"""The LLM's pen for catch-ups and postmortems, held to the material: it writes from the
timeline and the channel's messages only, and its text is refused (→ the offline, extractive
version) when it names someone who was not there or states a cause nobody stated."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from pydantic import BaseModel

from jamono.brain.llm import register_output
from jamono.memory.digest import Material, as_json, cause

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)")
_CAUSE_WORDS = re.compile(
    r"root cause|caused by|because|due to|the cause|à cause|a cause d|dû à|du a |la cause|provoqué par", re.I
)
_UNKNOWN = re.compile(r"unknown|not (yet )?(known|stated|identified)|inconnue?|pas (encore )?(connue|identifi)", re.I)
LANGS = {"en": "English", "fr": "French"}


class PostmortemProse(BaseModel):
    summary: str
    what_happened: str


class CatchUpProse(BaseModel):
    text: str


register_output(PostmortemProse, "nox_incident_postmortem")
register_output(CatchUpProse, "nox_incident_catch_up")


def _system(kind: str, lang: str) -> str:
    return (
        f"You write the {kind} of an incident for an on-call team, in {LANGS.get(lang, 'English')}. "
        "Use ONLY the JSON material you are given (the incident, its timeline, the channel's messages). "
        "Never invent a fact, a number, a person or a cause. If the messages do not state a cause, write "
        "that the cause is unknown. Refer to people as <@ID> with the ids from the material. Be brief. "
        "Reply with JSON only."
    )


def grounded(m: Material, texts: list[str]) -> bool:
    """No one named who is not in the material; no cause when the channel stated none."""
    people = {e.actor for e in m.entries} | {s.user for s in m.said} | {m.incident.lead or "", m.incident.reporter}
    joined = "\n".join(texts)
    if not joined.strip():
        return False
    if any(user not in people for user in _MENTION.findall(joined)):
        return False
    if cause(m) is not None:
        return True
    return not any(  # nobody stated a cause: a sentence may say it is unknown, never name one
        _CAUSE_WORDS.search(sentence) and not _UNKNOWN.search(sentence) for sentence in re.split(r"[.!?\n]+", joined)
    )


def postmortem_prose(llm: Any, m: Material) -> dict[str, str] | None:
    """{summary, what_happened} from the LLM, or None (no LLM, a failure, or not grounded)."""
    if llm is None:
        return None
    try:
        out, _ = llm.complete(
            "incident_postmortem",
            _system("postmortem summary and 'what happened' narrative", m.lang),
            json.dumps(as_json(m), ensure_ascii=False, default=str),
            PostmortemProse,
            max_tokens=900,
        )
    except Exception as exc:  # LLMError or anything the client raised: the offline draft stands
        log.warning("postmortem LLM unavailable: %s", type(exc).__name__)
        return None
    prose = {"summary": out.summary.strip()[:2000], "what_happened": out.what_happened.strip()[:4000]}
    if not grounded(m, list(prose.values())):
        log.warning("postmortem LLM text refused: not grounded in the channel")
        return None
    return prose


def catch_up_prose(llm: Any, m: Material) -> str | None:
    if llm is None:
        return None
    try:
        out, _ = llm.complete(
            "incident_catch_up",
            _system("catch-up for someone joining (what is happening, impact, what was tried, open questions)", m.lang),
            json.dumps(as_json(m), ensure_ascii=False, default=str),
            CatchUpProse,
            max_tokens=600,
        )
    except Exception as exc:
        log.warning("catch-up LLM unavailable: %s", type(exc).__name__)
        return None
    text = out.text.strip()[:3000]
    return text if grounded(m, [text]) else None
