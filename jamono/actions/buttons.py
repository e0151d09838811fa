"""What the Schedule button carries, so the modal opens pre-filled without a database read in the
web process (a button value holds up to 2,000 characters)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, ValidationError

from jamono.actions.models import Lang

VALUE_LIMIT = 2000


class MeetingPrefill(BaseModel):
    interaction_id: str | None = None
    title: str = ""
    duration_min: int | None = Field(default=None, ge=5, le=480)
    attendees: list[str] = Field(default_factory=list)
    lang: Lang = "en"


def meeting_value(
    interaction_id: str, *, title: str | None, duration_min: int | None, attendees: list[str], lang: Lang
) -> str:
    data: dict[str, Any] = {
        "i": interaction_id,
        "t": (title or "")[:200],
        "d": duration_min,
        "a": attendees[:20],
        "l": lang,
    }
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    while len(raw) > VALUE_LIMIT and data["a"]:
        data["a"] = data["a"][:-1]
        raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return raw


def parse_meeting_value(value: str) -> MeetingPrefill:
    """A JSON value from meeting_value, or a bare interaction id (older messages)."""
    try:
        return MeetingPrefill(interaction_id=str(UUID(value)))
    except ValueError:
        pass
    try:
        data = json.loads(value)
        return MeetingPrefill(
            interaction_id=data.get("i"),
            title=data.get("t") or "",
            duration_min=data.get("d"),
            attendees=[a for a in data.get("a") or [] if isinstance(a, str)],
            lang=data.get("l") if data.get("l") in ("fr", "en") else "en",
        )
    except (ValueError, AttributeError, ValidationError):
        return MeetingPrefill()
