"""The one small interface every integration plugin speaks (tickets, calendars), and its error.
Why and how: docs/design/integrations.md."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

FINGERPRINT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
"""Fingerprints end up in Jira labels, JQL strings and Google query parameters: keep them inert."""

PROJECT_KEY_PATTERN = r"^[A-Z][A-Z0-9_]{0,254}$"
FINGERPRINT_LABEL_PREFIX = "nox-fp-"
SUMMARY_MAX = 255
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IntegrationError(Exception):
    """A failure talking to another system, already classified for the caller.

    `reason` is safe to show users (no secrets, no stack). `retryable` says whether trying the same
    call later can succeed; `retry_after_s` is the server's own hint when it gave one.
    `maybe_applied` is set when the request may have taken effect although it failed (a timeout or
    a dropped response after sending), so only an idempotent retry is safe.
    """

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool = False,
        retry_after_s: float | None = None,
        status: int | None = None,
        maybe_applied: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.status = status
        self.maybe_applied = maybe_applied

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.reason!r}, retryable={self.retryable}, "
            f"retry_after_s={self.retry_after_s}, status={self.status})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        """Keep retryable & co. when pickled (result backends, process pools)."""
        return (type(self), (self.reason,), dict(self.__dict__))


class NoFreeSlotError(IntegrationError):
    """No slot fits every attendee's working hours within the horizon; trying again will not help."""


def check_fingerprint(value: str) -> str:
    """Refuse fingerprints that could change the meaning of a JQL string or query parameter."""
    if not re.match(FINGERPRINT_PATTERN, value):
        raise ValueError(f"invalid fingerprint {value!r}: letters, digits, '_', '.', '-' only, at most 100")
    return value


def check_project_key(value: str) -> str:
    value = value.strip().upper()
    if not re.match(PROJECT_KEY_PATTERN, value):
        raise ValueError(f"invalid Jira project key {value!r}")
    return value


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {name!r}") from None
    return name


def _check_email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError(f"not an email address: {value!r}")
    return value


# --- tickets -------------------------------------------------------------------------------------


class TicketRequest(BaseModel):
    """What NOX wants opened; normalised here so Jira never rejects it for form alone."""

    model_config = ConfigDict(frozen=True)

    project_key: str = Field(pattern=PROJECT_KEY_PATTERN)
    issue_type: str = "Task"
    summary: str = Field(min_length=1)
    description: str = ""
    priority: str | None = None  # a Jira priority name (see map_priority); None leaves Jira's default
    labels: list[str] = Field(default_factory=list)
    fingerprint: str = Field(pattern=FINGERPRINT_PATTERN)
    reporter_name: str | None = None
    slack_permalink: str | None = None

    @field_validator("project_key", mode="before")
    @classmethod
    def _upper_key(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("summary")
    @classmethod
    def _one_line_summary(cls, value: str) -> str:
        """Jira refuses summaries with newlines or over 255 characters: fold and shorten instead."""
        value = " ".join(value.split())
        if not value:
            raise ValueError("summary is empty")
        return value if len(value) <= SUMMARY_MAX else value[: SUMMARY_MAX - 1].rstrip() + "…"

    @field_validator("labels")
    @classmethod
    def _label_safe(cls, value: list[str]) -> list[str]:
        """Jira labels cannot contain spaces; keep order, drop blanks and repeats."""
        seen: list[str] = []
        for label in value:
            cleaned = "-".join(label.split())[:255]
            if cleaned and cleaned not in seen:
                seen.append(cleaned)
        return seen

    @property
    def fingerprint_label(self) -> str:
        return FINGERPRINT_LABEL_PREFIX + self.fingerprint

    def all_labels(self) -> list[str]:
        return [*(label for label in self.labels if label != self.fingerprint_label), self.fingerprint_label]


def with_marker(body: str, marker: str | None) -> str:
    """A comment's body carrying NOX's reference, by which a retry finds it."""
    return body if marker is None else f"{body}\n\n(ref {marker})"


def has_marker(body: str, marker: str) -> bool:
    return body.rstrip().endswith(f"(ref {marker})")


class Ticket(BaseModel):
    key: str
    url: str
    id: str


@runtime_checkable
class TicketTracker(Protocol):
    """A ticket system. `create` is find-or-create on the fingerprint, so retrying it is safe."""

    def find_by_fingerprint(self, project_key: str, fingerprint: str) -> Ticket | None: ...

    def create(self, request: TicketRequest) -> Ticket: ...

    def comment(self, ticket_key: str, body: str, *, marker: str | None = None) -> None:
        """With a marker: find-or-comment (the marker ends the body), so retrying is safe."""
        ...

    def priorities(self) -> list[str]: ...

    def check(self) -> str: ...


# --- meetings ------------------------------------------------------------------------------------


class MeetingRequest(BaseModel):
    """A meeting NOX wants booked: who, how long, and the bounds for finding a time."""

    model_config = ConfigDict(frozen=True)

    title: str = Field(min_length=1, max_length=1024)
    duration_min: int = Field(ge=5, le=8 * 60)
    attendee_emails: list[str] = Field(min_length=1, max_length=49)  # + organizer = freeBusy's 50 calendars
    attendee_timezones: dict[str, str] = Field(default_factory=dict)
    organizer_email: str
    description: str = ""
    fingerprint: str = Field(pattern=FINGERPRINT_PATTERN)
    earliest: AwareDatetime
    horizon_days: int = Field(default=5, ge=1, le=30)
    working_hours: tuple[int, int] = (9, 18)
    default_timezone: str = "UTC"  # for anyone missing from attendee_timezones

    @field_validator("attendee_emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for email in value:
            email = _check_email(email)
            if email not in out:
                out.append(email)
        return out

    @field_validator("organizer_email")
    @classmethod
    def _organizer(cls, value: str) -> str:
        return _check_email(value)

    @field_validator("attendee_timezones")
    @classmethod
    def _zones(cls, value: dict[str, str]) -> dict[str, str]:
        return {_check_email(email): _check_timezone(tz) for email, tz in value.items()}

    @field_validator("default_timezone")
    @classmethod
    def _default_zone(cls, value: str) -> str:
        return _check_timezone(value)

    @model_validator(mode="after")
    def _hours(self) -> MeetingRequest:
        start, end = self.working_hours
        if not 0 <= start < end <= 24:
            raise ValueError("working_hours must be (start, end) with 0 <= start < end <= 24")
        if (end - start) * 60 < self.duration_min:
            raise ValueError("the meeting is longer than the working day")
        return self

    @property
    def participants(self) -> list[str]:
        """Everyone whose calendar must be free: the attendees and the organizer."""
        return list(dict.fromkeys([self.organizer_email, *self.attendee_emails]))

    def timezone_of(self, email: str) -> str:
        return self.attendee_timezones.get(email.lower(), self.default_timezone)


class Meeting(BaseModel):
    event_id: str
    html_link: str
    meet_link: str | None = None
    start: datetime
    end: datetime


@runtime_checkable
class Calendar(Protocol):
    """A calendar. `create` is find-or-create on the fingerprint, so retrying it is safe."""

    def find_by_fingerprint(self, fingerprint: str, around: datetime) -> Meeting | None: ...

    def first_free_slot(self, request: MeetingRequest) -> tuple[datetime, datetime]: ...

    def create(self, request: MeetingRequest, start: datetime, end: datetime) -> Meeting: ...

    def check(self) -> str: ...
