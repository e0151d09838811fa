"""The one model both brains (offline and LLM) produce for every message."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class Intent(StrEnum):
    INCIDENT = "incident"
    MEETING = "meeting"
    QUESTION = "question"
    OTHER = "other"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ORDER: tuple[Severity, ...] = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)

Language = Literal["fr", "en"]


class MeetingNeed(BaseModel):
    needed: bool = False
    title: str | None = Field(default=None, max_length=200)
    duration_min: int | None = Field(default=None, ge=5, le=480)
    attendees: list[str] = Field(default_factory=list, description="Slack user ids, e.g. U0123")


class Analysis(BaseModel):
    intent: Intent
    severity: Severity | None = Field(default=None, description="Only for incidents")
    summary: str | None = Field(default=None, max_length=300, description="One-line incident summary")
    service: str | None = Field(default=None, max_length=100, description="Affected service, if named")
    meeting: MeetingNeed = Field(default_factory=MeetingNeed)
    language: Language = "en"
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
