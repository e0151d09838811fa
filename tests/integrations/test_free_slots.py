"""first_common_slot: working hours in each attendee's own zone, weekdays, DST, 15-minute grid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jamono.integrations.free_slots import first_common_slot

PARIS, NEW_YORK, TOKYO, LA = "Europe/Paris", "America/New_York", "Asia/Tokyo", "America/Los_Angeles"
HOUR = timedelta(hours=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_single_attendee_starts_at_their_nine_oclock() -> None:
    # Monday 6 January 2025, 06:00 UTC = 07:00 in Paris: first slot is 09:00 Paris = 08:00 UTC.
    assert first_common_slot({}, {"a": PARIS}, HOUR, utc(2025, 1, 6, 6)) == (utc(2025, 1, 6, 8), utc(2025, 1, 6, 9))


def test_start_rounds_up_to_the_quarter_hour() -> None:
    start, _ = first_common_slot({}, {"a": PARIS}, HOUR, utc(2025, 1, 6, 10, 7, 30))
    assert start == utc(2025, 1, 6, 10, 15)
    start, _ = first_common_slot({}, {"a": PARIS}, HOUR, utc(2025, 1, 6, 10, 15))
    assert start == utc(2025, 1, 6, 10, 15)


def test_busy_times_push_the_slot_and_touching_edges_are_free() -> None:
    busy = {"a": [(utc(2025, 1, 6, 8), utc(2025, 1, 6, 9, 10))], "b": [(utc(2025, 1, 6, 9, 30), utc(2025, 1, 6, 10))]}
    # 9:10 rounds to 9:15, but 9:15-9:45 collides with b; b is free again at exactly 10:00.
    slot = first_common_slot(busy, {"a": PARIS, "b": PARIS}, timedelta(minutes=30), utc(2025, 1, 6, 8))
    assert slot == (utc(2025, 1, 6, 10), utc(2025, 1, 6, 10, 30))
    busy["b"] = [(utc(2025, 1, 6, 9, 45), utc(2025, 1, 6, 10))]
    slot = first_common_slot(busy, {"a": PARIS, "b": PARIS}, timedelta(minutes=30), utc(2025, 1, 6, 8))
    assert slot == (utc(2025, 1, 6, 9, 15), utc(2025, 1, 6, 9, 45))


def test_busy_times_of_non_participants_are_ignored() -> None:
    busy = {"stranger": [(utc(2025, 1, 6), utc(2025, 1, 10))]}
    assert first_common_slot(busy, {"a": PARIS}, HOUR, utc(2025, 1, 6, 8))[0] == utc(2025, 1, 6, 8)


def test_paris_and_new_york_meet_in_the_european_afternoon() -> None:
    # Winter: Paris UTC+1 (08-17 UTC), New York UTC-5 (14-23 UTC): overlap 14:00-17:00 UTC.
    zones = {"p": PARIS, "n": NEW_YORK}
    assert first_common_slot({}, zones, HOUR, utc(2025, 1, 6, 0)) == (utc(2025, 1, 6, 14), utc(2025, 1, 6, 15))
    # Three hours of overlap: a 3-hour meeting fits, 3h15 does not on any day.
    assert first_common_slot({}, zones, 3 * HOUR, utc(2025, 1, 6, 0)) == (utc(2025, 1, 6, 14), utc(2025, 1, 6, 17))
    assert first_common_slot({}, zones, timedelta(hours=3, minutes=15), utc(2025, 1, 6, 0)) is None


def test_the_weeks_between_american_and_european_dst_widen_the_overlap() -> None:
    zones = {"p": PARIS, "n": NEW_YORK}
    # Friday 7 March 2025: both on winter time, New York opens 14:00 UTC.
    assert first_common_slot({}, zones, HOUR, utc(2025, 3, 7, 0))[0] == utc(2025, 3, 7, 14)
    # Monday 10 March: New York moved to EDT on the 9th, Paris not until the 30th: 13:00 UTC.
    assert first_common_slot({}, zones, HOUR, utc(2025, 3, 10, 0))[0] == utc(2025, 3, 10, 13)


def test_working_day_is_local_on_the_day_after_the_clocks_change() -> None:
    # Friday 28 March 2025 17:30 UTC = 18:30 in Paris (closed). The weekend follows, and the clocks
    # go forward on Sunday 30: Monday opens at 09:00 CEST = 07:00 UTC, not 08:00.
    slot = first_common_slot({}, {"p": PARIS}, HOUR, utc(2025, 3, 28, 17, 30))
    assert slot == (utc(2025, 3, 31, 7), utc(2025, 3, 31, 8))
    local_start = slot[0].astimezone(ZoneInfo(PARIS))
    assert (local_start.hour, local_start.minute) == (9, 0)


def test_autumn_change_keeps_nine_to_six_local() -> None:
    # Clocks go back in New York on Sunday 2 November 2025: Monday 09:00 EST = 14:00 UTC.
    slot = first_common_slot({}, {"n": NEW_YORK}, HOUR, utc(2025, 10, 31, 23))
    assert slot[0] == utc(2025, 11, 3, 14)


def test_paris_new_york_and_tokyo_share_no_working_hour() -> None:
    # Tokyo 00-09 UTC, Paris 08-17 UTC, New York 14-23 UTC: no instant is in all three.
    zones = {"p": PARIS, "n": NEW_YORK, "t": TOKYO}
    assert first_common_slot({}, zones, timedelta(minutes=15), utc(2025, 1, 6, 0), horizon_days=14) is None
    # Any two of them do overlap.
    assert first_common_slot({}, {"p": PARIS, "t": TOKYO}, HOUR, utc(2025, 1, 6, 0)) == (
        utc(2025, 1, 6, 8),
        utc(2025, 1, 6, 9),
    )


def test_weekends_are_each_attendees_own() -> None:
    # Tokyo 00-09 UTC and Los Angeles 17-02 UTC overlap 00:00-02:00 UTC, which is LA's late
    # afternoon and Tokyo's next morning. Friday in LA is Saturday in Tokyo; Monday in Tokyo is
    # Sunday in LA: the first shared weekday slot is Tuesday 00:00 UTC.
    zones = {"t": TOKYO, "l": LA}
    slot = first_common_slot({}, zones, HOUR, utc(2025, 1, 10, 23))  # Friday 23:00 UTC
    assert slot == (utc(2025, 1, 14, 0), utc(2025, 1, 14, 1))
    assert slot[0].astimezone(ZoneInfo(TOKYO)).weekday() == 1  # Tuesday 09:00 in Tokyo
    assert slot[0].astimezone(ZoneInfo(LA)).weekday() == 0  # Monday 16:00 in Los Angeles


def test_fifteen_minute_grid_holds_in_a_quarter_hour_zone() -> None:
    # Kathmandu is UTC+5:45: its 09:00 is 03:15 UTC, still on the 15-minute grid.
    slot = first_common_slot({}, {"k": "Asia/Kathmandu"}, HOUR, utc(2025, 1, 6, 0))
    assert slot[0] == utc(2025, 1, 6, 3, 15)


def test_horizon_bounds_the_search() -> None:
    busy = {"a": [(utc(2025, 1, 6), utc(2025, 1, 9))]}
    assert first_common_slot(busy, {"a": PARIS}, HOUR, utc(2025, 1, 6, 0), horizon_days=3) is None
    assert first_common_slot(busy, {"a": PARIS}, HOUR, utc(2025, 1, 6, 0), horizon_days=4)[0] == utc(2025, 1, 9, 8)


def test_custom_working_hours_and_end_of_day() -> None:
    slot = first_common_slot({}, {"a": "UTC"}, HOUR, utc(2025, 1, 6, 21), working_hours=(20, 24))
    assert slot == (utc(2025, 1, 6, 21), utc(2025, 1, 6, 22))
    assert first_common_slot({}, {"a": "UTC"}, HOUR, utc(2025, 1, 6, 23, 1), working_hours=(20, 24))[0] == utc(
        2025, 1, 7, 20
    )


def test_earliest_in_another_zone_is_the_same_instant() -> None:
    earliest = datetime(2025, 1, 6, 9, 0, tzinfo=ZoneInfo(TOKYO))  # = Monday 00:00 UTC
    assert first_common_slot({}, {"a": "UTC"}, HOUR, earliest)[0] == utc(2025, 1, 6, 9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"earliest": datetime(2025, 1, 6)}, "timezone-aware"),
        ({"duration": timedelta(0)}, "positive"),
        ({"tzs": {}}, "participants"),
        ({"working_hours": (18, 9)}, "working_hours"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict, message: str) -> None:
    args = {"busy": {}, "tzs": {"a": PARIS}, "duration": HOUR, "earliest": utc(2025, 1, 6), **kwargs}
    with pytest.raises(ValueError, match=message):
        first_common_slot(**args)
