"""Numbers, durations and dates written the way each language writes them (12 345 vs 12,345)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from jamono.i18n import Lang

_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
}
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}
NARROW_NBSP = "\u202f"


def integer(value: int, lang: Lang) -> str:
    text = f"{value:,}"
    return text.replace(",", NARROW_NBSP) if lang == "fr" else text


def decimal(value: float, lang: Lang, digits: int = 1) -> str:
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", NARROW_NBSP).replace(".", ",")
    return text


def duration_ms(value: float | None, lang: Lang) -> str:
    """850 ms, 2.4 s (2,4 s in French), or an em dash when unknown."""
    if value is None:
        return "—"
    if value < 1000:
        return f"{round(value)} ms"
    return f"{decimal(value / 1000, lang)} s"


def percent(ratio: float, lang: Lang) -> str:
    number = round(ratio * 100)
    return f"{number}{NARROW_NBSP}%" if lang == "fr" else f"{number}%"


def weekday(day: date, lang: Lang) -> str:
    return _WEEKDAYS[lang][day.weekday()]


def short_date(day: date, lang: Lang) -> str:
    month = _MONTHS[lang][day.month - 1]
    return f"{day.day} {month}" if lang == "fr" else f"{month} {day.day}"


def slack_date(moment: datetime, lang: Lang) -> str:
    """A `<!date>` token: Slack shows it in each reader's own time zone (fallback in UTC)."""
    utc = moment.astimezone(UTC)
    fallback = f"{short_date(utc.date(), lang)} {utc:%H:%M} UTC"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"
