"""In-memory plugins with the same contract as Jira and Google Calendar.
Why and how: docs/design/integrations.md."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

from jamono.integrations.base import (
    IntegrationError,
    Meeting,
    MeetingRequest,
    NoFreeSlotError,
    Ticket,
    TicketRequest,
    has_marker,
    with_marker,
)
from jamono.integrations.free_slots import Interval, first_common_slot
from jamono.integrations.priorities import DEFAULT_PRIORITIES


class _Faults:
    def __init__(self) -> None:
        self._errors: list[IntegrationError] = []
        self._lock = threading.Lock()

    def fail_next(self, *errors: IntegrationError) -> None:
        with self._lock:
            self._errors.extend(errors)

    def raise_if_queued(self) -> None:
        with self._lock:
            error = self._errors.pop(0) if self._errors else None
        if error is not None:
            raise error


class InMemoryTicketTracker(_Faults):
    def __init__(self, base_url: str = "https://jira.invalid") -> None:
        super().__init__()
        self.base_url = base_url
        self.tickets: dict[str, tuple[TicketRequest, Ticket]] = {}
        self.comments: dict[str, list[str]] = {}

    def find_by_fingerprint(self, project_key: str, fingerprint: str) -> Ticket | None:
        self.raise_if_queued()
        for request, ticket in self.tickets.values():
            if request.project_key == project_key.upper() and request.fingerprint == fingerprint:
                return ticket
        return None

    def create(self, request: TicketRequest) -> Ticket:
        existing = self.find_by_fingerprint(request.project_key, request.fingerprint)
        if existing is not None:
            return existing
        self.raise_if_queued()
        number = sum(1 for r, _ in self.tickets.values() if r.project_key == request.project_key) + 1
        key = f"{request.project_key}-{number}"
        ticket = Ticket(key=key, id=str(10000 + len(self.tickets)), url=f"{self.base_url}/browse/{key}")
        self.tickets[key] = (request, ticket)
        return ticket

    def comment(self, ticket_key: str, body: str, *, marker: str | None = None) -> None:
        self.raise_if_queued()
        if ticket_key not in self.tickets:
            raise IntegrationError(f"Jira could not find it: {ticket_key}", status=404)
        existing = self.comments.setdefault(ticket_key, [])
        if marker is not None and any(has_marker(c, marker) for c in existing):
            return
        existing.append(with_marker(body, marker))

    def priorities(self) -> list[str]:
        self.raise_if_queued()
        return [*DEFAULT_PRIORITIES.values(), "Lowest"]

    def check(self) -> str:
        self.raise_if_queued()
        return "In-memory tracker"


class InMemoryCalendar(_Faults):
    def __init__(self, now: datetime | None = None) -> None:
        super().__init__()
        self.now = now
        self.busy: dict[str, list[Interval]] = {}
        self.meetings: dict[str, tuple[MeetingRequest, Meeting]] = {}

    def find_by_fingerprint(self, fingerprint: str, around: datetime) -> Meeting | None:
        self.raise_if_queued()
        found = self.meetings.get(fingerprint)
        return found[1] if found else None

    def first_free_slot(self, request: MeetingRequest) -> tuple[datetime, datetime]:
        self.raise_if_queued()
        earliest = max(request.earliest, self.now or datetime.now(UTC))
        busy = {email: list(spans) for email, spans in self.busy.items()}
        for booked, meeting in self.meetings.values():
            for email in booked.participants:
                busy.setdefault(email, []).append((meeting.start, meeting.end))
        zones = {email: request.timezone_of(email) for email in request.participants}
        slot = first_common_slot(
            busy, zones, timedelta(minutes=request.duration_min), earliest, request.horizon_days, request.working_hours
        )
        if slot is None:
            raise NoFreeSlotError("No slot fits everyone's working hours")
        return slot

    def create(self, request: MeetingRequest, start: datetime, end: datetime) -> Meeting:
        existing = self.find_by_fingerprint(request.fingerprint, start)
        if existing is not None:
            return existing
        self.raise_if_queued()
        event_id = hashlib.sha256(request.fingerprint.encode()).hexdigest()[:26]
        meeting = Meeting(
            event_id=event_id,
            html_link=f"https://calendar.invalid/event?eid={event_id}",
            meet_link=f"https://meet.invalid/{event_id[:10]}",
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
        )
        self.meetings[request.fingerprint] = (request, meeting)
        return meeting

    def check(self) -> str:
        self.raise_if_queued()
        return "In-memory calendar"
