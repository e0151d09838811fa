"""NOX thinks: analyse the message, retrieve from the knowledge base, compose a grounded reply.
Why and how: docs/design/brain.md."""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, Field

from jamono.brain.analysis import Analysis, Intent
from jamono.brain.asks import ask_of
from jamono.brain.compose import ComposedAnswer, compose
from jamono.brain.cues import change_query
from jamono.brain.grounding import Documents, HitLike, ground

if TYPE_CHECKING:
    from jamono.brain.llm import LLMBrain


class Analyzer(Protocol):
    def analyze(self, text: str, context: Sequence[str] = ()) -> Analysis: ...


Search = Callable[[str], Sequence[HitLike]]


class Reply(BaseModel):
    analysis: Analysis
    answer: ComposedAnswer
    brain: Literal["offline", "llm"] = "offline"
    tokens: int = 0
    timings_ms: dict[str, float] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


def clean_text(text: str, bot_user_id: str | None = None) -> str:
    """The message as a person reads it: NOX's own mention removed, whitespace tidied."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    return re.sub(r"\s+", " ", text).strip()


FOLLOW_UP_MAX_WORDS = 12


def search_query(message: str, context: Sequence[str]) -> str:
    """A short reply in a thread ("and on staging?", "et si ça ne marche pas ?") is about the thread's
    question: it is searched together with the first thing a person asked there."""
    if not context or len(message.split()) > FOLLOW_UP_MAX_WORDS:
        return message
    asked = next((c for c in context if not c.startswith("NOX:") and c.strip()), "")
    asked = re.sub(r"<[@!#][^>]*>", " ", asked).strip()
    return f"{asked}\n{message}" if asked else message


SYMPTOM_CLEAR_SIMILARITY = 0.5
SYMPTOM_CLEAR_SIMILARITY_FR = 0.65  # two French texts look alike to MiniLM whatever they say


def with_context_hits(hits: Sequence[HitLike], context_hits: Sequence[HitLike]) -> list[HitLike]:
    """The best relevant document the context points at joins the symptom's hits, as strong as the
    best of them: after them when a runbook clearly matches the symptom, first when none does
    (a 502 right after a deploy: roll back first)."""
    relevant = [h for h in hits if h.relevant]
    extra = next((h for h in context_hits if h.relevant), None)
    if extra is None or extra.document_id in {h.document_id for h in relevant}:
        return list(hits)
    best = max((float(getattr(h, "score", 0.0)) for h in relevant), default=0.0)
    extra = copy.copy(extra)
    extra.score = best or float(getattr(extra, "score", 0.0))  # type: ignore[attr-defined]
    top = relevant[0] if relevant else None
    bar = SYMPTOM_CLEAR_SIMILARITY_FR if getattr(top, "lang", None) == "fr" else SYMPTOM_CLEAR_SIMILARITY
    clear = top is not None and float(getattr(top, "similarity", 1.0)) >= bar
    return [*hits, extra] if clear else [extra, *hits]


class Nox:
    def __init__(self, analyzer: Analyzer, llm: LLMBrain | None = None) -> None:
        self.analyzer = analyzer
        self.llm = llm

    def _analyze(
        self, message: str, context: Sequence[str], bot_user_id: str | None, metadata: dict[str, Any]
    ) -> tuple[Analysis, int]:
        if self.llm is not None:
            from jamono.brain.llm import LLMError

            try:
                analysis, usage = self.llm.analyze(message, context, bot_user_id=bot_user_id)
                metadata["llm_analyze"] = {"model": usage.model, "latency_ms": usage.latency_ms, "notes": usage.notes}
                return analysis, usage.total_tokens
            except LLMError as exc:
                metadata.setdefault("llm_fallback", {})["analyze"] = exc.reason
        return self.analyzer.analyze(message, context), 0

    def _answer(
        self,
        message: str,
        query: str,
        analysis: Analysis,
        hits: Sequence[HitLike],
        documents: Documents | None,
        context: Sequence[str],
        metadata: dict[str, Any],
    ) -> tuple[ComposedAnswer, int]:
        if self.llm is not None:
            from jamono.brain.llm import LLMError

            try:  # the LLM reads the same sections the offline answer would quote
                grounding = ground(query, ask_of(message), hits, documents)
                passages = [*grounding.passages, *grounding.others]
                answer, usage = self.llm.answer(message, analysis, passages, context=context)
                metadata["llm_answer"] = {"model": usage.model, "latency_ms": usage.latency_ms, "notes": usage.notes}
                return answer, usage.total_tokens
            except LLMError as exc:
                metadata.setdefault("llm_fallback", {})["answer"] = exc.reason
        return compose(analysis, query, hits, documents, ask=ask_of(message)), 0

    def think(
        self,
        text: str,
        search: Search,
        *,
        documents: Documents | None = None,
        context: Sequence[str] = (),
        bot_user_id: str | None = None,
    ) -> Reply:
        started = time.perf_counter()
        metadata: dict[str, Any] = {}
        message = clean_text(text, bot_user_id)
        analysis, analyse_tokens = self._analyze(message, context, bot_user_id, metadata)
        analysed = time.perf_counter()
        query = search_query(message, context)
        hits = search(query) if message else []
        if analysis.intent is Intent.INCIDENT and (cue := change_query(message, analysis.language)):
            hits = with_context_hits(hits, search(cue))
        searched = time.perf_counter()
        answer, answer_tokens = self._answer(message, query, analysis, hits, documents, context, metadata)
        used_llm = "llm_analyze" in metadata or "llm_answer" in metadata
        return Reply(
            analysis=analysis,
            answer=answer,
            brain="llm" if used_llm else "offline",
            tokens=analyse_tokens + answer_tokens,
            metadata=metadata,
            timings_ms={
                "analyse": (analysed - started) * 1000,
                "search": (searched - analysed) * 1000,
                "compose": (time.perf_counter() - searched) * 1000,
            },
        )
