"""NOX thinks: analyse the message, retrieve from the knowledge base, compose a grounded reply."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from jamono.brain.analysis import Analysis
from jamono.brain.compose import ComposedAnswer, HitLike, compose


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
    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def think(self, text: str, search: Search, *, context: Sequence[str] = (), bot_user_id: str | None = None) -> Reply:
        started = time.perf_counter()
        message = clean_text(text, bot_user_id)
        analysis = self.analyzer.analyze(message, context)
        analysed = time.perf_counter()
        query = message if len(message) > 12 or not context else " ".join([*context[-2:], message])
        hits = search(query) if message else []
        searched = time.perf_counter()
        answer = compose(analysis, query, hits)
        return Reply(
            analysis=analysis,
            answer=answer,
            timings_ms={
                "analyse": (analysed - started) * 1000,
                "search": (searched - analysed) * 1000,
                "compose": (time.perf_counter() - searched) * 1000,
            },
        )
