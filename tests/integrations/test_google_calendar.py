"""GoogleCalendar driven through gcsa/googleapiclient/google-auth against the loopback stand-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from freezegun import freeze_time

from jamono.integrations import Calendar, IntegrationError, MeetingRequest, NoFreeSlotError
from jamono.integrations.google.calendar import FINGERPRINT_PROPERTY, GoogleCalendar, event_id_for
from tests.integrations.doubles import ORGANIZER, Closer, Sleeps
from tests.standins.calendar_api import CalendarStandIn

PARIS, NEW_YORK, TOKYO = "Europe/Paris", "America/New_York", "Asia/Tokyo"
MONDAY = datetime(2030, 3, 4, 0, 0, tzinfo=UTC)  # Paris UTC+1, New York UTC-5 that week


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def review(fingerprint: str = "mtg-42", **overrides: object) -> MeetingRequest:
    values: dict = {
        "title": "Post-incident review: checkout 5xx",
        "duration_min": 30,
        "attendee_emails": ["bob@example.com", "chloe@partner.org"],
        "attendee_timezones": {ORGANIZER: PARIS, "bob@example.com": NEW_YORK, "chloe@partner.org": PARIS},
        "organizer_email": ORGANIZER,
        "description": "Timeline and follow-ups. Slack: https://acme.slack.com/archives/C042/p1",
        "fingerprint": fingerprint,
        "earliest": MONDAY,
    }
    return MeetingRequest(**{**values, **overrides})


def test_is_a_calendar(calendar: GoogleCalendar) -> None:
    assert isinstance(calendar, Calendar)


def test_service_account_acts_as_the_organizer(calendar: GoogleCalendar, google: CalendarStandIn) -> None:
    assert calendar.check() == f"Google Calendar {ORGANIZER} (UTC)"
    token, api = google.requests
    assert token.path == "/token" and token.body == {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}
    assert api.user == ORGANIZER  # the JWT's subject: domain-wide delegation


def test_oauth_user_grant_refreshes_its_token(google: CalendarStandIn, closer: Closer) -> None:
    grant = google.new_oauth_grant("dan@example.com")
    calendar = closer(GoogleCalendar.from_user_token(**grant, api_endpoint=google.api_endpoint))
    assert calendar.check() == "Google Calendar dan@example.com (UTC)"
    google.revoke_access_tokens()  # access token expires: google-auth refreshes on the 401 and retries
    assert calendar.check() == "Google Calendar dan@example.com (UTC)"
    assert [r.status for r in google.requests] == [200, 200, 401, 200, 200]


def test_first_free_slot_uses_everyones_busy_times_and_zones(calendar: GoogleCalendar, google: CalendarStandIn) -> None:
    # Paris 08-17 UTC and New York 14-23 UTC overlap 14:00-17:00 UTC; Bob is busy until 15:10.
    google.add_busy("bob@example.com", utc(2030, 3, 4, 13), utc(2030, 3, 4, 15, 10))
    assert calendar.first_free_slot(review()) == (utc(2030, 3, 4, 15, 15), utc(2030, 3, 4, 15, 45))
    [query] = [r for r in google.requests if r.path.endswith("/freeBusy")]
    assert sorted(item["id"] for item in query.body["items"]) == [ORGANIZER, "bob@example.com", "chloe@partner.org"]
    assert query.body["timeZone"] == "UTC"


def test_calendars_we_cannot_see_count_as_free(calendar: GoogleCalendar, google: CalendarStandIn) -> None:
    google.unknown_calendars.add("chloe@partner.org")
    assert calendar.first_free_slot(review())[0] == utc(2030, 3, 4, 14)


def test_meetings_already_booked_make_people_busy(calendar: GoogleCalendar, google: CalendarStandIn) -> None:
    first = review("first")
    start, end = calendar.first_free_slot(first)
    calendar.create(first, start, end)
    assert calendar.first_free_slot(review("second"))[0] == end


def test_stale_earliest_is_moved_up_to_now(calendar: GoogleCalendar) -> None:
    # A job that waited in the queue since Friday must not book a time in the past.
    with freeze_time("2030-03-04 15:07:00"):
        slot = calendar.first_free_slot(review(earliest=utc(2030, 3, 1, 9)))
    assert slot == (utc(2030, 3, 4, 15, 15), utc(2030, 3, 4, 15, 45))


def test_no_common_working_hours_is_a_clear_error(calendar: GoogleCalendar) -> None:
    request = review(attendee_timezones={ORGANIZER: PARIS, "bob@example.com": NEW_YORK, "chloe@partner.org": TOKYO})
    with pytest.raises(NoFreeSlotError) as caught:
        calendar.first_free_slot(request)
    assert not caught.value.retryable
    assert "No 30-minute slot in the next 5 days" in caught.value.reason
    assert "America/New_York (1), Asia/Tokyo (1), Europe/Paris (1)" in caught.value.reason


def test_create_books_a_meet_with_invitations_and_the_fingerprint(
    calendar: GoogleCalendar, google: CalendarStandIn
) -> None:
    request = review()
    start, end = calendar.first_free_slot(request)
    meeting = calendar.create(request, start, end)

    assert meeting.meet_link and meeting.meet_link.startswith("https://meet.google.com/")
    assert meeting.html_link.startswith("https://www.google.com/calendar/event?eid=")
    assert (meeting.start, meeting.end) == (start, end)
    assert meeting.event_id == event_id_for("mtg-42")

    [event] = google.events_of(ORGANIZER)
    assert event["extendedProperties"] == {"private": {FINGERPRINT_PROPERTY: "mtg-42"}}
    assert [a["email"] for a in event["attendees"]] == ["bob@example.com", "chloe@partner.org"]
    assert event["summary"] == request.title and event["description"] == request.description
    assert event["start"]["timeZone"] == PARIS  # shown in the organizer's zone
    create_request = event["conferenceData"]["createRequest"]
    assert create_request["conferenceSolutionKey"] == {"type": "hangoutsMeet"}
    assert create_request["requestId"].startswith("mtg-42-")
    assert google.insert_params[event["id"]]["conferenceDataVersion"] == "1"
    assert google.insert_params[event["id"]]["sendUpdates"] == "all"


def test_find_by_fingerprint(calendar: GoogleCalendar, google: CalendarStandIn) -> None:
    start = utc(2030, 3, 4, 14)
    assert calendar.find_by_fingerprint("mtg-42", around=start) is None
    meeting = calendar.create(review(), start, start + timedelta(minutes=30))
    assert calendar.find_by_fingerprint("mtg-42", around=MONDAY) == meeting
    assert calendar.find_by_fingerprint("mtg-other", around=MONDAY) is None
    listing = [r for r in google.requests if r.method == "GET" and r.path.endswith("/events")][-1]
    assert listing.query["privateExtendedProperty"] == ["nox_fingerprint=mtg-other"]


def test_create_is_find_or_create(calendar: GoogleCalendar, google: CalendarStandIn) -> None:
    start = utc(2030, 3, 4, 14)
    first = calendar.create(review(), start, start + timedelta(minutes=30))
    assert calendar.create(review(), start, start + timedelta(minutes=30)) == first
    assert len(google.all_events()) == 1 and len(google.calls("POST", "/events")) == 1


def test_retries_after_500_and_429_with_retry_after(
    calendar: GoogleCalendar, google: CalendarStandIn, sleeps: Sleeps
) -> None:
    google.fail_next(1, 500, path_contains="/freeBusy")
    google.fail_next(1, 429, retry_after=5, path_contains="/freeBusy")
    assert calendar.first_free_slot(review())
    assert len(google.calls("POST", "/freeBusy")) == 3
    assert len(sleeps) == 2 and sleeps[1] == 5.0


def test_403_rate_limit_is_retryable(calendar: GoogleCalendar, google: CalendarStandIn, sleeps: Sleeps) -> None:
    google.fail_next(1, 403, reason="userRateLimitExceeded", path_contains="/freeBusy")
    assert calendar.first_free_slot(review())
    assert len(sleeps) == 1


def test_retries_are_bounded(calendar: GoogleCalendar, google: CalendarStandIn, sleeps: Sleeps) -> None:
    google.fail_next(10, 502, path_contains="/calendars/primary")
    with pytest.raises(IntegrationError) as caught:
        calendar.check()
    assert caught.value.retryable and caught.value.status == 502
    assert len(google.calls("GET", "/calendars/primary")) == 4 and len(sleeps) == 3


def test_rejected_credentials_fail_at_once(google: CalendarStandIn, sleeps: Sleeps, closer: Closer) -> None:
    grant = google.new_oauth_grant("dan@example.com") | {"client_secret": "wrong-s3cr3t"}
    calendar = closer(GoogleCalendar.from_user_token(**grant, api_endpoint=google.api_endpoint, sleep=sleeps))
    with pytest.raises(IntegrationError) as caught:
        calendar.create(review(), utc(2030, 3, 4, 14), utc(2030, 3, 4, 15))
    error = caught.value
    assert not error.retryable and error.reason == "Google rejected the credentials (invalid_client)"
    assert sleeps == [] and google.all_events() == []
    assert [r.path for r in google.requests] == ["/token"]
    assert error.__context__ is None and "s3cr3t" not in f"{error}{error!r}"


def test_api_401_is_not_retried(calendar: GoogleCalendar, google: CalendarStandIn, sleeps: Sleeps) -> None:
    google.fail_next(5, 401, path_contains="/calendars/primary")
    with pytest.raises(IntegrationError, match="Google rejected the credentials") as caught:
        calendar.check()
    assert not caught.value.retryable and sleeps == []


def test_missing_domain_wide_delegation_is_explained(
    google: CalendarStandIn, service_account_key: rsa.RSAPrivateKey, closer: Closer
) -> None:
    info = google.new_service_account(private_key=service_account_key, delegation=False)
    calendar = closer(GoogleCalendar.from_service_account(info, ORGANIZER, api_endpoint=google.api_endpoint))
    with pytest.raises(IntegrationError, match="domain-wide delegation is not granted") as caught:
        calendar.check()
    assert not caught.value.retryable


def test_timeout_is_retryable(calendar: GoogleCalendar, google: CalendarStandIn, sleeps: Sleeps) -> None:
    google.delay_next(1.0, path_contains="/freeBusy")
    assert calendar.first_free_slot(review())
    assert len(google.calls("POST", "/freeBusy")) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("mode", ["500", "drop"])
def test_lost_insert_response_still_gives_exactly_one_event(
    calendar: GoogleCalendar, google: CalendarStandIn, mode: str
) -> None:
    google.crash_after_create(mode=mode)
    start = utc(2030, 3, 4, 14)
    meeting = calendar.create(review(), start, start + timedelta(minutes=30))
    [event] = google.all_events()
    assert meeting.event_id == event["id"] and meeting.meet_link == event["hangoutLink"]
    if mode == "drop":
        # httplib2 silently re-sends a POST whose connection dropped; the fingerprint-derived
        # event id turns that second insert into a 409 instead of a second meeting.
        assert [r.status for r in google.calls("POST", "/events")] == [-1, 409]


def test_insert_timeout_after_the_event_landed_gives_exactly_one_event(
    calendar: GoogleCalendar, google: CalendarStandIn
) -> None:
    google.delay_next(1.0, method="POST", path_contains="/events")
    start = utc(2030, 3, 4, 14)
    calendar.create(review(), start, start + timedelta(minutes=30))
    assert len(google.all_events()) == 1


def test_worker_crash_between_create_and_record_then_redelivery(
    calendar: GoogleCalendar,
    google: CalendarStandIn,
    service_account_key: rsa.RSAPrivateKey,
    closer: Closer,
) -> None:
    """The actor booked the meeting, died before recording it, and the job ran again elsewhere."""
    request = review()
    start, end = calendar.first_free_slot(request)
    calendar.create(request, start, end)  # result lost with the worker
    info = google.new_service_account(private_key=service_account_key)
    again = closer(GoogleCalendar.from_service_account(info, ORGANIZER, api_endpoint=google.api_endpoint))
    found = again.find_by_fingerprint(request.fingerprint, around=request.earliest)
    assert found is not None and again.create(request, start, end) == found
    assert len(google.all_events()) == 1


def test_meet_link_created_asynchronously_is_picked_up(calendar: GoogleCalendar, google: CalendarStandIn) -> None:
    google.conference_pending_reads = 1
    start = utc(2030, 3, 4, 14)
    meeting = calendar.create(review(), start, start + timedelta(minutes=30))
    assert meeting.meet_link and meeting.meet_link.startswith("https://meet.google.com/")


def test_a_cancelled_meeting_is_not_booked_again(calendar: GoogleCalendar, google: CalendarStandIn) -> None:
    start = utc(2030, 3, 4, 14)
    meeting = calendar.create(review(), start, start + timedelta(minutes=30))
    calendar._service.events().delete(calendarId="primary", eventId=meeting.event_id).execute()
    assert calendar.find_by_fingerprint("mtg-42", around=start) is None
    with pytest.raises(IntegrationError, match="already booked once and then cancelled") as caught:
        calendar.create(review(), start, start + timedelta(minutes=30))
    assert not caught.value.retryable


def test_create_refuses_naive_or_empty_times(calendar: GoogleCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.create(review(), datetime(2030, 3, 4, 14), datetime(2030, 3, 4, 15))
    with pytest.raises(ValueError):
        calendar.create(review(), utc(2030, 3, 4, 14), utc(2030, 3, 4, 14))
