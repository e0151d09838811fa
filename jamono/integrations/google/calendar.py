"""Google Calendar as a Calendar plugin, through gcsa on a googleapiclient service we build.
Why and how: docs/design/integrations.md."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import google.oauth2.credentials
import google.oauth2.service_account
import google_auth_httplib2
from gcsa.attendee import Attendee
from gcsa.conference import ConferenceSolution, ConferenceSolutionCreateRequest, EntryPoint, SolutionType
from gcsa.event import Event
from gcsa.google_calendar import GoogleCalendar as GcsaCalendar
from gcsa.google_calendar import SendUpdatesMode
from google.auth.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from jamono.integrations.base import (
    IntegrationError,
    Meeting,
    MeetingRequest,
    NoFreeSlotError,
    check_fingerprint,
)
from jamono.integrations.egress import EgressPolicy, default_policy, guarded_httplib2
from jamono.integrations.free_slots import first_common_slot
from jamono.integrations.google.errors import classify_google_error
from jamono.integrations.retry import RetryPolicy, call_with_retries

__all__ = ["CALENDAR_SCOPE", "FINGERPRINT_PROPERTY", "GoogleCalendar", "event_id_for", "first_common_slot"]

log = logging.getLogger(__name__)

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
FINGERPRINT_PROPERTY = "nox_fingerprint"
# How far around a meeting's start find_by_fingerprint looks (the horizon is at most 30 days).
_LOOK_BEHIND = timedelta(days=7)
_LOOK_AHEAD = timedelta(days=60)


def event_id_for(fingerprint: str) -> str:
    """A stable event id: lowercase hex is valid base32hex, which is what Google accepts."""
    return hashlib.sha256(f"nox:{fingerprint}".encode()).hexdigest()


class _GcsaOnService(GcsaCalendar):
    """gcsa's methods on our service; skips gcsa's constructor (own build, eager token refresh)."""

    def __init__(self, service: Any, calendar_id: str) -> None:  # deliberately no super().__init__
        self.service = service
        self.default_calendar = calendar_id


class GoogleCalendar:
    """Calendar plugin. Not thread-safe (httplib2): build one per job."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        calendar_id: str = "primary",
        api_endpoint: str | None = None,
        timeout_s: float = 10,
        max_retries: int = 3,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,
        egress: EgressPolicy | None = None,
    ) -> None:
        self.calendar_id = calendar_id
        self.timeout_s = timeout_s
        self._policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self._sleep = sleep
        self._now = now or (lambda: datetime.now(UTC))
        # The endpoint and the credentials' token_uri are a tenant's: both go through the egress
        # guard (google-auth refreshes tokens through this same Http object).
        guarded = guarded_httplib2(egress or default_policy(), timeout=timeout_s)
        http = google_auth_httplib2.AuthorizedHttp(credentials, http=guarded)
        self._service = build(
            "calendar",
            "v3",
            http=http,
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": api_endpoint} if api_endpoint else None,
        )
        self._gcsa = _GcsaOnService(self._service, calendar_id)

    @classmethod
    def from_service_account(cls, info: dict[str, Any], subject: str, **kwargs: Any) -> GoogleCalendar:
        """Domain-wide delegation: the service account acts as `subject` (the organizer)."""
        credentials = google.oauth2.service_account.Credentials.from_service_account_info(
            info, scopes=[CALENDAR_SCOPE]
        ).with_subject(subject)
        return cls(credentials, **kwargs)

    @classmethod
    def from_user_token(
        cls,
        *,
        refresh_token: str,
        client_id: str,
        client_secret: str,
        token_uri: str = "https://oauth2.googleapis.com/token",
        token: str | None = None,
        **kwargs: Any,
    ) -> GoogleCalendar:
        """A user's OAuth grant: the access token is refreshed when missing or rejected."""
        credentials = google.oauth2.credentials.Credentials(
            token,
            refresh_token=refresh_token,
            token_uri=token_uri,
            client_id=client_id,
            client_secret=client_secret,
            scopes=[CALENDAR_SCOPE],
        )
        return cls(credentials, **kwargs)

    def __repr__(self) -> str:
        return f"GoogleCalendar({self.calendar_id!r})"

    def close(self) -> None:
        """Close httplib2's sockets, which it otherwise leaves open until garbage collection."""
        self._service.close()

    def __enter__(self) -> GoogleCalendar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the Calendar protocol --

    def find_by_fingerprint(self, fingerprint: str, around: datetime) -> Meeting | None:
        check_fingerprint(fingerprint)
        return self._retry(lambda: self._find(fingerprint, around), "Calendar search")

    def first_free_slot(self, request: MeetingRequest) -> tuple[datetime, datetime]:
        """The first slot in everyone's working hours; a stale `earliest` is moved up to now."""
        earliest = max(request.earliest.astimezone(UTC), self._now().astimezone(UTC))
        until = earliest + timedelta(days=request.horizon_days)
        participants = request.participants
        free_busy = self._retry(
            lambda: self._gcsa.get_free_busy(
                participants, time_min=earliest, time_max=until, timezone="UTC", ignore_errors=True
            ),
            "Calendar free/busy",
        )
        if free_busy.calendars_errors:
            # Typically people outside the domain: their calendars are private, so they count as free.
            log.info("free/busy unknown for %d calendar(s)", len(free_busy.calendars_errors))
        busy = {email.lower(): [(r.start, r.end) for r in ranges] for email, ranges in free_busy.calendars.items()}
        zones = {email: request.timezone_of(email) for email in participants}
        slot = first_common_slot(
            busy,
            zones,
            timedelta(minutes=request.duration_min),
            earliest,
            request.horizon_days,
            request.working_hours,
        )
        if slot is None:
            raise NoFreeSlotError(_no_slot_reason(request, zones))
        return slot

    def create(self, request: MeetingRequest, start: datetime, end: datetime) -> Meeting:
        """Find-or-create, with a Google Meet conference and invitations sent to every attendee."""
        if start.tzinfo is None or end.tzinfo is None or end <= start:
            raise ValueError("start and end must be timezone-aware, with end after start")

        def attempt() -> Meeting:
            existing = self._find(request.fingerprint, start)
            return existing if existing is not None else self._insert(request, start, end)

        return self._retry(attempt, "Calendar create event")

    def check(self) -> str:
        """Which calendar NOX writes to, proving the credentials work."""

        def attempt() -> str:
            calendar = self._service.calendars().get(calendarId=self.calendar_id).execute()
            return f"Google Calendar {calendar.get('summary') or calendar.get('id')} ({calendar.get('timeZone', '?')})"

        return self._retry(attempt, "Calendar check")

    # -- internals --

    def _retry(self, attempt: Callable[[], Any], what: str) -> Any:
        return call_with_retries(
            attempt,
            classify=lambda exc: classify_google_error(exc, timeout_s=self.timeout_s),
            policy=self._policy,
            what=what,
            sleep=self._sleep,
        )

    def _find(self, fingerprint: str, around: datetime) -> Meeting | None:
        events = self._gcsa.get_events(
            time_min=around - _LOOK_BEHIND,
            time_max=around + _LOOK_AHEAD,
            timezone="UTC",
            single_events=True,
            privateExtendedProperty=f"{FINGERPRINT_PROPERTY}={fingerprint}",
            maxResults=10,
        )
        for event in events:
            if event.other.get("status") != "cancelled":
                return _meeting(event)
        return None

    def _insert(self, request: MeetingRequest, start: datetime, end: datetime) -> Meeting:
        event_id = event_id_for(request.fingerprint)
        event = Event(
            request.title,
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            timezone=request.timezone_of(request.organizer_email),
            event_id=event_id,
            description=request.description or None,
            attendees=[Attendee(email) for email in request.attendee_emails if email != request.organizer_email],
            # Google ignores a requestId it has seen, so each insert gets a fresh one;
            # idempotency comes from the event id and the extended property, not from this.
            conference_solution=ConferenceSolutionCreateRequest(
                solution_type=SolutionType.HANGOUTS_MEET,
                request_id=f"{request.fingerprint}-{uuid.uuid4().hex[:12]}",
            ),
            default_reminders=True,
            extendedProperties={"private": {FINGERPRINT_PROPERTY: request.fingerprint}},
        )
        duplicate = False
        try:
            created = self._gcsa.add_event(event, send_updates=SendUpdatesMode.ALL)
        except HttpError as exc:
            if exc.resp.status != 409:
                raise
            duplicate = True  # our own earlier insert landed (its response was lost)
        if duplicate:
            created = self._gcsa.get_event(event_id)
            if created.other.get("status") == "cancelled":
                raise IntegrationError(
                    "This meeting was already booked once and then cancelled in Google Calendar; "
                    "NOX will not book it again"
                )
        meeting = _meeting(created)
        if meeting.meet_link is None and isinstance(created.conference_solution, ConferenceSolutionCreateRequest):
            # Meet links are created asynchronously; one re-read usually has it.
            meeting = _meeting(self._gcsa.get_event(event_id))
        return meeting


def _meeting(event: Event) -> Meeting:
    start, end = event.start, event.end
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise IntegrationError("Google Calendar returned an all-day event where a meeting was expected")
    return Meeting(
        event_id=event.event_id or "",
        html_link=event.other.get("htmlLink", ""),
        meet_link=_meet_link(event),
        start=start.astimezone(UTC),
        end=end.astimezone(UTC),
    )


def _meet_link(event: Event) -> str | None:
    if event.other.get("hangoutLink"):
        return str(event.other["hangoutLink"])
    solution = event.conference_solution
    if isinstance(solution, ConferenceSolution):
        for entry in solution.entry_points:
            if entry.entry_point_type == EntryPoint.VIDEO and entry.uri:
                return str(entry.uri)
    return None


def _no_slot_reason(request: MeetingRequest, zones: dict[str, str]) -> str:
    by_zone: dict[str, list[str]] = {}
    for email, zone in zones.items():
        by_zone.setdefault(zone, []).append(email)
    zones_text = ", ".join(f"{zone} ({len(people)})" for zone, people in sorted(by_zone.items()))
    start, end = request.working_hours
    return (
        f"No {request.duration_min}-minute slot in the next {request.horizon_days} days falls inside "
        f"everyone's working hours ({start}:00-{end}:00 local, weekdays) across {zones_text}. "
        "Try a shorter meeting, fewer time zones, or a longer horizon."
    )
