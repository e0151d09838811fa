"""NOX thinks: analyse the message, retrieve from the knowledge base, compose a grounded reply.

With an LLM configured, it analyses and answers with it and falls back to the offline brain on
any LLM failure (recorded in the reply's metadata); without one, everything is offline.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, Field

from jamono.brain.analysis import Analysis
from jamono.brain.compose import ComposedAnswer, compose
from jamono.brain.grounding import Documents, HitLike

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


class Nox:
    def __init__(self, analyzer: Analyzer, llm: LLMBrain | None = None) -> None:
        self.analyzer = analyzer
        self.llm = llm

    def _analyze(self, message: str, context: Sequence[str], bot_user_id: str | None,
                 metadata: dict[str, Any]) -> tuple[Analysis, int]:
        if self.llm is not None:
            from jamono.brain.llm import LLMError

            try:
                analysis, usage = self.llm.analyze(message, context, bot_user_id=bot_user_id)
                metadata["llm_analyze"] = {"model": usage.model, "latency_ms": usage.latency_ms, "notes": usage.notes}
                return analysis, usage.total_tokens
            except LLMError as exc:
                metadata.setdefault("llm_fallback", {})["analyze"] = exc.reason
        return self.analyzer.analyze(message, context), 0

    def _answer(self, message: str, query: str, analysis: Analysis, hits: Sequence[HitLike],
                documents: Documents | None, context: Sequence[str],
                metadata: dict[str, Any]) -> tuple[ComposedAnswer, int]:
        if self.llm is not None:
            from jamono.brain.llm import LLMError

            try:
                answer, usage = self.llm.answer(message, analysis, hits, context=context)
                metadata["llm_answer"] = {"model": usage.model, "latency_ms": usage.latency_ms, "notes": usage.notes}
                return answer, usage.total_tokens
            except LLMError as exc:
                metadata.setdefault("llm_fallback", {})["answer"] = exc.reason
        return compose(analysis, query, hits, documents), 0

    def think(self, text: str, search: Search, *, documents: Documents | None = None, context: Sequence[str] = (),
              bot_user_id: str | None = None) -> Reply:
        started = time.perf_counter()
        metadata: dict[str, Any] = {}
        message = clean_text(text, bot_user_id)
        analysis, analyse_tokens = self._analyze(message, context, bot_user_id, metadata)
        analysed = time.perf_counter()
        # A terse follow-up in a thread ("and on staging?") is searched with what came before it.
        query = message if len(message) > 12 or not context else " ".join([*context[-2:], message])
        hits = search(query) if message else []
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
