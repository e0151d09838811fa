"""Offline, extractive write-ups of an incident: the catch-up (Slack mrkdwn), the postmortem draft
(Markdown) and what the incident teaches (symptoms, cause, fix). Every sentence is one somebody
said, with who said it; a section with nothing said says so, a cause never stated is "unknown"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from jamono.i18n import t
from jamono.incidents.models import Incident
from jamono.memory.material import Entry, Sentence, having, owner
from jamono.memory.text import duration, plain, quote


class Material(BaseModel):
    """Everything a write-up may use: the incident, its timeline, the channel's sentences."""

    incident: Incident
    entries: list[Entry] = Field(default_factory=list)
    said: list[Sentence] = Field(default_factory=list)
    names: dict[str, str] = Field(default_factory=dict)
    now: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def lang(self) -> str:
        return self.incident.lang

    def who(self, user: str) -> str:
        return "@" + self.names.get(user, user) if user else "?"


class Item(BaseModel):
    n: int
    text: str
    owner: str


class Lesson(BaseModel):
    symptoms: str
    cause: str
    fix: str


def _sev(m: Material) -> str:
    return t(f"severity.{m.incident.severity}", m.lang)


def _status(m: Material) -> str:
    return t(f"status.{m.incident.status}", m.lang)


def _line(m: Material, s: Sentence) -> str:
    return f"• {quote(s.text, m.names)} — {m.who(s.user)}"


def _entry_lines(m: Material, kinds: tuple[str, ...], limit: int) -> list[str]:
    picked = [e for e in m.entries if e.kind in kinds][-limit:]
    return [f"• {quote(e.text, m.names)} — {m.who(e.actor)}" for e in picked]


def _impact(m: Material, limit: int) -> list[Sentence]:
    """Sentences about who or what is hurt (not the ones about what was done)."""
    return [s for s in m.said if "impact" in s.cues and "action" not in s.cues and "item" not in s.cues][:limit]


def catch_up(m: Material, *, head: str = "cu.head") -> str:
    """What is happening, impact, what was tried, decisions, open questions, status and lead."""
    inc = m.incident
    since = (inc.resolved_at or m.now) - inc.started_at
    parts = [
        t(head, m.lang, title=quote(inc.title)),
        t(
            "cu.what",
            m.lang,
            title=quote(inc.title),
            severity=_sev(m),
            status=_status(m),
            duration=duration(since.total_seconds(), m.lang),
        ),
    ]
    impact = [_line(m, s) for s in _impact(m, 3)]
    tried = _entry_lines(m, ("update", "status", "action"), 3) + [
        _line(m, s) for s in having(m.said, "action", 3, last=True)
    ]
    decisions = [_line(m, s) for s in having(m.said, "decision", 2, last=True)]
    questions = [_line(m, s) for s in having(m.said, "question", 3, last=True)]
    for key, lines in (
        ("cu.impact", impact),
        ("cu.tried", tried),
        ("cu.decisions", decisions),
        ("cu.questions", questions),
    ):
        if lines:
            parts.append(t(key, m.lang) + "\n" + "\n".join(lines))
    if not (impact or tried):
        parts.append(t("cu.nothing", m.lang))
    update = t("cu.last_update", m.lang, text=quote(inc.last_update)) if inc.last_update else ""
    lead = f"<@{inc.lead}>" if inc.lead else "—"
    parts.append(t("cu.now", m.lang, status=_status(m), lead=lead, update=update))
    return "\n\n".join(parts)[:3900]


_ITEM_LEAD = re.compile(
    r"^\s*(?:(?:action items?|todo|to do|follow[- ]?up|ai|action|a faire|à faire)\s*:\s*)?(?:<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:]*)?",
    re.I,
)


def item_text(text: str) -> str:
    """An action item as a ticket reads: without its "Action item:" lead, its owner's mention and final dot."""
    cleaned = _ITEM_LEAD.sub("", text, count=1).strip().rstrip(".")
    cleaned = plain(cleaned or text)
    return cleaned[:1].upper() + cleaned[1:]


def items(m: Material) -> list[Item]:
    """Action items said in the channel, each with its owner (the person named, else the speaker)."""
    found: list[Item] = []
    seen: set[str] = set()
    for s in having(m.said, "item", 10):
        key = s.text.lower()
        if key in seen:
            continue
        seen.add(key)
        found.append(Item(n=len(found) + 1, text=item_text(s.text)[:250], owner=owner(s)))
    return found


def cause(m: Material) -> str | None:
    """The cause as the channel stated it, or None when nobody did."""
    stated = having(m.said, "cause", 2, last=True)
    return " ".join(plain(s.text, m.names) for s in stated) or None


_FIX_LEAD = re.compile(r"^\s*(fixed by|resolved by|mitigated by|corrig[ée] par|r[ée]solu par)\s*:?\s*", re.I)


def fix(m: Material) -> str:
    """How it was fixed: what the channel said about the fix, else the resolution note, else the last action."""
    stated = having(m.said, "fix", 2, last=True)
    actions = having(m.said, "action", 1, last=True)
    if stated:
        found = " ".join(plain(s.text, m.names) for s in stated)
    else:
        found = plain(m.incident.last_update or (actions[0].text if actions else ""), m.names)
    return _FIX_LEAD.sub("", found, count=1).strip()


def lesson(m: Material) -> Lesson:
    symptoms = " ".join(plain(s.text, m.names) for s in _impact(m, 3)) or m.incident.title
    return Lesson(symptoms=symptoms[:1000], cause=(cause(m) or "")[:1000], fix=fix(m)[:1000])


def _times(m: Material) -> dict[str, str]:
    inc = m.incident
    end = inc.resolved_at or m.now
    return {
        "start": inc.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "end": end.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "duration": duration((end - inc.started_at).total_seconds(), m.lang),
    }


def timeline_lines(m: Material) -> list[str]:
    return [
        f"- {e.at.astimezone(UTC).strftime('%H:%M')} — {plain(e.text, m.names)} ({m.who(e.actor)})" for e in m.entries
    ]


def _bullets(m: Material, picked: list[Sentence]) -> list[str]:
    return [f"- {plain(s.text, m.names)} ({m.who(s.user)})" for s in picked]


def postmortem(m: Material, prose: dict[str, str] | None = None) -> str:
    """The draft in Markdown. `prose` (from the LLM, already checked) may replace the summary and
    'what happened'; every other section is the channel's own words."""
    inc, lang = m.incident, m.lang
    times = _times(m)
    none = t("pm.none", lang)
    summary = t(
        "pm.summary_text",
        lang,
        title=plain(inc.title),
        severity=_sev(m),
        reporter=m.who(inc.reporter),
        lead=m.who(inc.lead or inc.reporter),
        duration=times["duration"],
    )
    fixed = fix(m)
    if fixed:
        summary += t("pm.fixed_by", lang, fix=fixed)
    impact = _bullets(m, _impact(m, 5))
    happened = _bullets(m, [s for s in m.said if {"action", "decision", "impact", "fix"} & set(s.cues)][:12])
    well = _bullets(m, having(m.said, "well", 5))
    poorly = _bullets(m, having(m.said, "poorly", 5))
    found_items = items(m)
    item_lines = [f"- [ ] {i.n}. {i.text} — {t('pm.owner', lang, owner=m.who(i.owner))}" for i in found_items]
    out = [
        f"# {t('pm.title', lang, title=plain(inc.title))}",
        t("pm.writer_llm" if prose else "pm.writer_offline", lang).strip("_"),
        f"## {t('pm.summary', lang)}",
        (prose or {}).get("summary") or summary,
        f"## {t('pm.impact', lang)}",
        f"- {t('pm.start', lang)}: {times['start']}",
        f"- {t('pm.end', lang)}: {times['end']}",
        f"- {t('pm.duration', lang)}: {times['duration']}",
        *impact,
        f"## {t('pm.timeline', lang)}",
        *(timeline_lines(m) or [none]),
        f"## {t('pm.happened', lang)}",
        (prose or {}).get("what_happened") or ("\n".join(happened) or none),
        f"## {t('pm.cause', lang)}",
        cause(m) or t("pm.unknown_cause", lang),
        f"## {t('pm.well', lang)}",
        "\n".join(well) or none,
        f"## {t('pm.poorly', lang)}",
        "\n".join(poorly) or none,
        f"## {t('pm.items', lang)}",
        "\n".join(item_lines) or t("pm.no_items", lang),
    ]
    return "\n\n".join(out) + "\n"


def channel_summary(said: list[Sentence], names: dict[str, str], lang: str) -> str:
    """`/nox summary` outside an incident: the sentences that carry something, with who said them."""
    picked = [s for s in said if s.cues][-8:]
    if not picked:
        return t("sum.empty", lang)
    lines = [f"• {quote(s.text, names)} — @{names.get(s.user, s.user)}" for s in picked]
    return t("sum.channel_head", lang) + "\n" + "\n".join(lines)


def as_json(m: Material) -> dict[str, Any]:
    """The material the LLM may use, and nothing else (ids kept, so its mentions can be checked)."""
    return {
        "incident": {
            "title": m.incident.title,
            "severity": m.incident.severity,
            "status": m.incident.status,
            "lead": m.incident.lead,
            "started_at": m.incident.started_at.isoformat(),
            "resolved_at": m.incident.resolved_at.isoformat() if m.incident.resolved_at else None,
        },
        "timeline": [{"at": e.at.isoformat(), "who": e.actor, "what": e.text} for e in m.entries][-60:],
        "messages": [{"who": s.user, "said": s.text} for s in m.said][-120:],
    }
