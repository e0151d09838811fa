"""Free-slot choice across time zones through the real Google client and the calendar stand-in,
at a frozen moment (Tuesday 2026-11-24 07:10 UTC: Paris is UTC+1, Tokyo UTC+9, New York UTC-5)."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from jamono.integrations.base import MeetingRequest, NoFreeSlotError
from jamono.integrations.google.calendar import GoogleCalendar
from tests.standins.calendar_api import CalendarStandIn

NOW = datetime(2026, 11, 24, 7, 10, tzinfo=UTC)


def _request(zones: dict[str, str], duration: int = 30) -> MeetingRequest:
    return MeetingRequest(
        title="Review",
        duration_min=duration,
        attendee_emails=list(zones),
        attendee_timezones=zones,
        organizer_email="ada@example.com",
        fingerprint="mtg-slots",
        earliest=NOW,
        default_timezone="Europe/Paris",
    )


@pytest.fixture
def calendar():
    with CalendarStandIn() as google, freeze_time(NOW, tick=True):
        plugin = GoogleCalendar.from_service_account(
            google.new_service_account(), "ada@example.com", api_endpoint=google.api_endpoint, timeout_s=2
        )
        with plugin:
            yield google, plugin


def test_paris_and_tokyo_meet_in_their_one_common_hour(calendar):
    google, plugin = calendar
    zones = {"dev@example.com": "Europe/Paris", "kenji@example.com": "Asia/Tokyo"}
    assert plugin.first_free_slot(_request(zones)) == (
        datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        datetime(2026, 11, 24, 8, 30, tzinfo=UTC),
    )
    google.add_busy(
        "kenji@example.com", datetime(2026, 11, 24, 8, 0, tzinfo=UTC), datetime(2026, 11, 24, 8, 45, tzinfo=UTC)
    )
    start, _ = plugin.first_free_slot(_request(zones, duration=15))
    assert start == datetime(2026, 11, 24, 8, 45, tzinfo=UTC)
    start, _ = plugin.first_free_slot(_request(zones, duration=30))  # 08:45-09:15 runs past 18:00 in Tokyo
    assert start == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_no_common_working_hours_is_said_plainly(calendar):
    _, plugin = calendar
    zones = {"kenji@example.com": "Asia/Tokyo", "sam@example.com": "America/New_York"}
    with pytest.raises(NoFreeSlotError) as caught:
        plugin.first_free_slot(_request(zones))
    assert not caught.value.retryable and "America/New_York" in caught.value.reason
