"""The boundary models, the priority mapping and the retry rules, without any HTTP."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from jamono.integrations import (
    Calendar,
    IntegrationError,
    MeetingRequest,
    NoFreeSlotError,
    TicketRequest,
    TicketTracker,
    map_priority,
)
from jamono.integrations.jira.tracker import JiraTracker
from jamono.integrations.memory import InMemoryCalendar, InMemoryTicketTracker
from jamono.integrations.retry import RetryPolicy, call_with_retries, parse_retry_after
from jamono.integrations.ticket_text import render_description

# -- priorities --


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("critical", "Highest"),
        ("high", "High"),
        ("medium", "Medium"),
        ("low", "Low"),
        (" CRITICAL ", "Highest"),
        ("sev1", "Highest"),
        ("P2", "High"),
        ("info", "Low"),
        ("weird", "Medium"),
    ],
)
def test_default_priority_mapping(severity: str, expected: str) -> None:
    assert map_priority(severity) == expected


def test_workspace_mapping_overrides_per_severity() -> None:
    mapping = {"Critical": "P1 - Blocker", "medium": "P3"}
    assert map_priority("critical", mapping) == "P1 - Blocker"
    assert map_priority("sev1", mapping) == "P1 - Blocker"
    assert map_priority("high", mapping) == "High"  # not overridden: default
    assert map_priority("unheard-of", mapping) == "P3"  # unknown follows medium


# -- ticket requests --


def test_ticket_request_is_normalised_for_jira() -> None:
    request = TicketRequest(
        project_key=" ops ",
        summary="Database\n  down " + "x" * 300,
        labels=["db outage", "db-outage", " ", "nox-fp-abc"],
        fingerprint="abc",
    )
    assert request.project_key == "OPS"
    assert len(request.summary) == 255 and "\n" not in request.summary and request.summary.endswith("…")
    assert request.summary.startswith("Database down x")
    assert request.labels == ["db-outage", "nox-fp-abc"]
    assert request.all_labels() == ["db-outage", "nox-fp-abc"]  # the fingerprint label once, last


@pytest.mark.parametrize(
    "bad",
    [{"fingerprint": 'x" OR project = "SECRET'}, {"fingerprint": ""}, {"project_key": "O PS"}, {"summary": " \n "}],
)
def test_ticket_request_refuses_what_could_break_jql_or_jira(bad: dict) -> None:
    with pytest.raises(ValidationError):
        TicketRequest(**{"project_key": "OPS", "summary": "s", "fingerprint": "f1", **bad})


def test_description_says_where_the_ticket_came_from() -> None:
    request = TicketRequest(
        project_key="OPS",
        summary="s",
        description="Disk full on db-1",
        fingerprint="f1",
        reporter_name="Ada",
        slack_permalink="https://acme.slack.com/archives/C1/p1",
    )
    text = render_description(request)
    assert text.startswith("Disk full on db-1")
    assert "https://acme.slack.com/archives/C1/p1" in text and "Ada" in text and "f1" in text


# -- meeting requests --


def _meeting(**overrides: object) -> MeetingRequest:
    values: dict = {
        "title": "Review",
        "duration_min": 30,
        "attendee_emails": ["Bob@Example.com", "bob@example.com"],
        "attendee_timezones": {"BOB@example.com": "America/New_York"},
        "organizer_email": "ada@example.com",
        "fingerprint": "m1",
        "earliest": datetime(2025, 1, 6, tzinfo=UTC),
    }
    return MeetingRequest(**{**values, **overrides})


def test_meeting_request_normalises_people_and_zones() -> None:
    request = _meeting()
    assert request.attendee_emails == ["bob@example.com"]
    assert request.participants == ["ada@example.com", "bob@example.com"]
    assert request.timezone_of("BOB@example.com") == "America/New_York"
    assert request.timezone_of("ada@example.com") == "UTC"  # default_timezone


@pytest.mark.parametrize(
    "bad",
    [
        {"earliest": datetime(2025, 1, 6)},
        {"attendee_timezones": {"b@example.com": "Mars/Olympus"}},
        {"attendee_emails": ["not-an-email"]},
        {"working_hours": (18, 9)},
        {"duration_min": 600},
        {"duration_min": 120, "working_hours": (9, 10)},
        {"attendee_emails": []},
    ],
)
def test_meeting_request_refuses_bad_input(bad: dict) -> None:
    with pytest.raises(ValidationError):
        _meeting(**bad)


# -- retry rules --


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2025, 1, 6, 12, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Mon, 06 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Mon, 06 Jan 2025 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def _flaky(errors: list[Exception], result: str = "ok"):
    calls = {"n": 0}

    def attempt() -> str:
        calls["n"] += 1
        if errors:
            raise errors.pop(0)
        return result

    return attempt, calls


def test_retries_are_bounded_and_the_last_error_stays_retryable() -> None:
    sleeps: list[float] = []
    attempt, calls = _flaky([IntegrationError("down", retryable=True)] * 10)
    with pytest.raises(IntegrationError) as caught:
        call_with_retries(
            attempt, classify=lambda e: None, policy=RetryPolicy(max_retries=2), what="t", sleep=sleeps.append
        )
    assert calls["n"] == 3 and len(sleeps) == 2
    assert caught.value.retryable  # the job queue may try again later
    assert all(0 < s <= RetryPolicy().max_delay_s for s in sleeps)


def test_long_retry_after_goes_back_to_the_queue_instead_of_blocking() -> None:
    sleeps: list[float] = []
    attempt, calls = _flaky([IntegrationError("slow down", retryable=True, retry_after_s=120)])
    with pytest.raises(IntegrationError) as caught:
        call_with_retries(attempt, classify=lambda e: None, policy=RetryPolicy(), what="t", sleep=sleeps.append)
    assert calls["n"] == 1 and sleeps == [] and caught.value.retry_after_s == 120


def test_non_idempotent_calls_are_not_repeated_when_they_may_have_landed() -> None:
    attempt, calls = _flaky([IntegrationError("timeout", retryable=True, maybe_applied=True)])
    with pytest.raises(IntegrationError):
        call_with_retries(
            attempt, classify=lambda e: None, policy=RetryPolicy(), what="t", idempotent=False, sleep=lambda s: None
        )
    assert calls["n"] == 1
    attempt, calls = _flaky([IntegrationError("busy", retryable=True, maybe_applied=False)])
    assert (
        call_with_retries(
            attempt, classify=lambda e: None, policy=RetryPolicy(), what="t", idempotent=False, sleep=lambda s: None
        )
        == "ok"
    )


def test_unclassified_exceptions_are_bugs_and_propagate() -> None:
    attempt, _ = _flaky([KeyError("oops")])
    with pytest.raises(KeyError):
        call_with_retries(attempt, classify=lambda e: None, policy=RetryPolicy(), what="t", sleep=lambda s: None)


# -- the in-memory plugins keep the same contract --


def test_in_memory_plugins_satisfy_the_protocols_and_find_or_create() -> None:
    tracker, calendar = InMemoryTicketTracker(), InMemoryCalendar(now=datetime(2025, 1, 6, tzinfo=UTC))
    assert isinstance(tracker, TicketTracker) and isinstance(calendar, Calendar)
    request = TicketRequest(project_key="OPS", summary="s", fingerprint="f1")
    tracker.fail_next(IntegrationError("down", retryable=True))
    with pytest.raises(IntegrationError):
        tracker.create(request)
    assert tracker.create(request) == tracker.create(request) == tracker.find_by_fingerprint("OPS", "f1")
    meeting_request = _meeting()
    start, end = calendar.first_free_slot(meeting_request)
    assert end - start == timedelta(minutes=30)
    assert calendar.create(meeting_request, start, end) == calendar.create(meeting_request, start, end)


def test_integration_errors_survive_pickling() -> None:
    error = pickle.loads(pickle.dumps(NoFreeSlotError("none", retryable=True, retry_after_s=3.0, status=429)))
    assert isinstance(error, NoFreeSlotError)
    assert (error.reason, error.retryable, error.retry_after_s, error.status) == ("none", True, 3.0, 429)


def test_lookups_refuse_injection() -> None:
    with JiraTracker("http://127.0.0.1:9", "a@b.c", "t") as tracker:
        with pytest.raises(ValueError):
            tracker.find_by_fingerprint("OPS", 'x" OR labels is not EMPTY OR labels = "y')
        with pytest.raises(ValueError):
            tracker.find_by_fingerprint('OPS" OR project = "HR', "fp")
