"""Finding the first time that suits everyone: pure interval arithmetic, no I/O, no clock.
Why and how: docs/design/integrations.md."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]

SLOT_STEP = timedelta(minutes=15)


def first_common_slot(
    busy: Mapping[str, Sequence[Interval]],
    tzs: Mapping[str, str],
    duration: timedelta,
    earliest: datetime,
    horizon_days: int = 5,
    working_hours: tuple[int, int] = (9, 18),
) -> Interval | None:
    """The earliest (start, end) in UTC that is inside every participant's working hours on one
    of their weekdays, free in every participant's calendar, aligned to 15 minutes, not before
    `earliest` and ending within `horizon_days` of it. None when nothing fits.

    Participants are the keys of `tzs`; busy times of anyone else are ignored. Every IANA offset
    is a multiple of 15 minutes, so a slot aligned in UTC is aligned in every local time too.
    """
    if earliest.tzinfo is None:
        raise ValueError("earliest must be timezone-aware")
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    if not tzs:
        raise ValueError("no participants")
    day_start, day_end = working_hours
    if not 0 <= day_start < day_end <= 24:
        raise ValueError("working_hours must be (start, end) with 0 <= start < end <= 24")

    window_start = _ceil_to_step(earliest.astimezone(UTC))
    window_end = earliest.astimezone(UTC) + timedelta(days=horizon_days)
    free: list[Interval] = [(window_start, window_end)] if window_start < window_end else []
    for email, tz in tzs.items():
        available = _subtract(
            working_windows(ZoneInfo(tz), window_start, window_end, working_hours),
            busy.get(email, ()),
        )
        free = _intersect(free, available)
        if not free:
            return None

    for start, end in free:
        slot_start = _ceil_to_step(start)
        if slot_start + duration <= end:
            return slot_start, slot_start + duration
    return None


def working_windows(zone: ZoneInfo, start: datetime, end: datetime, working_hours: tuple[int, int]) -> list[Interval]:
    """One participant's working hours on their local weekdays, in UTC, clipped to [start, end)."""
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    windows: list[Interval] = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            opens = _local(day, working_hours[0], zone)
            closes = _local(day, working_hours[1], zone)
            opens, closes = max(opens, start), min(closes, end)
            if opens < closes:
                windows.append((opens, closes))
        day += timedelta(days=1)
    return windows


def _local(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """`hour` o'clock on `day` in `zone`, as UTC (24 means the following midnight)."""
    if hour == 24:
        day, hour = day + timedelta(days=1), 0
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def _ceil_to_step(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    floor = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floor if floor == moment else floor + SLOT_STEP


def _normalise(intervals: Iterable[Interval]) -> list[Interval]:
    """UTC, sorted, overlapping or touching intervals merged, empty ones dropped."""
    items = sorted((s.astimezone(UTC), e.astimezone(UTC)) for s, e in intervals if e > s)
    merged: list[Interval] = []
    for start, end in items:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(base: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    result: list[Interval] = []
    hole_list = _normalise(holes)
    for start, end in _normalise(base):
        cursor = start
        for hole_start, hole_end in hole_list:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def _intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    left, right = _normalise(a), _normalise(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return result
