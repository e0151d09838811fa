"""The scheduling and incident modals, and their validation (errors go back inside the modal)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from jamono.actions.models import Lang
from jamono.i18n import t
from jamono.slack.blockkit import choice, input_block, modal, option, text_input

MEETING_CALLBACK = "nox_meeting"
INCIDENT_CALLBACK = "nox_incident"
SEVERITIES = ("critical", "high", "medium", "low")
DEFAULT_DURATION = 30


class MeetingForm(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    duration_min: int = Field(ge=5, le=480)
    attendees: list[str] = Field(min_length=1, max_length=49)
    agenda: str = Field(default="", max_length=3000)

    @field_validator("title", "agenda")
    @classmethod
    def _strip(cls, value: str) -> str:
        return " ".join(value.split()) if "\n" not in value else value.strip()


class IncidentForm(BaseModel):
    summary: str = Field(min_length=5, max_length=200)
    severity: str = "medium"
    service: str | None = Field(default=None, max_length=100)
    details: str = Field(default="", max_length=3000)
    lead: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,30}$")

    @field_validator("summary")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        return value if value in SEVERITIES else "medium"


class ModalContext(BaseModel):
    """What a modal carries in private_metadata: where it came from."""

    interaction_id: str | None = None
    channel: str = ""
    thread_ts: str | None = None
    lang: Lang = "en"

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def load(cls, raw: str | None) -> ModalContext:
        try:
            return cls.model_validate(json.loads(raw or "{}"))
        except (ValueError, ValidationError):
            return cls()


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    return input_block(block_id, label, element, optional=optional, hint=hint, emoji=None)


def _plain(initial: str | None = None, *, multiline: bool = False, max_length: int = 200) -> dict[str, Any]:
    return text_input("value", initial=initial, multiline=multiline, max_length=max_length)


def meeting_modal(
    ctx: ModalContext,
    *,
    title: str = "",
    duration_min: int | None = None,
    attendees: Sequence[str] = (),
    agenda: str = "",
) -> dict[str, Any]:
    lang = ctx.lang
    users: dict[str, Any] = {"type": "multi_users_select", "action_id": "value", "max_selected_items": 49}
    if attendees:
        users["initial_users"] = list(dict.fromkeys(attendees))[:49]
    return modal(
        callback_id=MEETING_CALLBACK,
        private_metadata=ctx.dump(),
        title=t("act.modal_meeting_title", lang),
        submit=t("act.modal_submit_meeting", lang),
        close=t("act.modal_cancel", lang),
        emoji=None,
        blocks=[
            _input("title", t("act.f_title", lang), _plain(title)),
            _input("duration", t("act.f_duration", lang), _plain(str(duration_min or DEFAULT_DURATION), max_length=3)),
            _input("attendees", t("act.f_attendees", lang), users, hint=t("act.hint_meeting", lang)),
            _input("agenda", t("act.f_agenda", lang), _plain(agenda, multiline=True, max_length=3000), optional=True),
        ],
    )


def incident_modal(ctx: ModalContext) -> dict[str, Any]:
    lang = ctx.lang
    options = [option(t(f"severity.{s}", lang), s, emoji=None) for s in SEVERITIES]
    severity = choice("static_select", "value", options, selected=SEVERITIES[2])
    return modal(
        callback_id=INCIDENT_CALLBACK,
        private_metadata=ctx.dump(),
        title=t("act.modal_incident_title", lang),
        submit=t("act.modal_submit_incident", lang),
        close=t("act.modal_cancel", lang),
        emoji=None,
        blocks=[
            _input("summary", t("act.f_summary", lang), _plain()),
            _input("severity", t("act.f_severity", lang), severity),
            _input("service", t("act.f_service", lang), _plain(max_length=100), optional=True),
            _input("details", t("act.f_details", lang), _plain(multiline=True, max_length=3000), optional=True),
            _input("lead", t("act.f_lead", lang), {"type": "users_select", "action_id": "value"}, optional=True),
        ],
    )


def _values(view_state: dict[str, Any]) -> dict[str, Any]:
    """{block_id: the value of its one element}, whatever the element type."""
    out: dict[str, Any] = {}
    for block_id, actions in (view_state.get("values") or {}).items():
        element: dict[str, Any] = next(iter(actions.values()), {}) if isinstance(actions, dict) else {}
        if "selected_users" in element:
            out[block_id] = element.get("selected_users") or []
        elif "selected_user" in element:
            out[block_id] = element.get("selected_user")
        elif "selected_option" in element:
            out[block_id] = (element.get("selected_option") or {}).get("value")
        else:
            out[block_id] = element.get("value")
    return out


def _errors(exc: ValidationError, lang: Lang, names: dict[str, tuple[str, str]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        if field in names:
            block_id, key = names[field]
            errors.setdefault(block_id, t(key, lang))
    return errors or {next(iter(names.values()))[0]: t(next(iter(names.values()))[1], lang)}


def parse_meeting(view_state: dict[str, Any], lang: Lang = "en") -> MeetingForm | dict[str, str]:
    raw = _values(view_state)
    duration = (raw.get("duration") or "").strip()
    data = {
        "title": raw.get("title") or "",
        "attendees": raw.get("attendees") or [],
        "agenda": raw.get("agenda") or "",
        "duration_min": int(duration) if duration.isdigit() else -1,
    }
    try:
        return MeetingForm.model_validate(data)
    except ValidationError as exc:
        return _errors(
            exc,
            lang,
            {
                "title": ("title", "act.e_title"),
                "duration_min": ("duration", "act.e_duration"),
                "attendees": ("attendees", "act.e_attendees"),
                "agenda": ("agenda", "act.e_title"),
            },
        )


def parse_incident(view_state: dict[str, Any], lang: Lang = "en") -> IncidentForm | dict[str, str]:
    raw = _values(view_state)
    data = {
        "summary": raw.get("summary") or "",
        "severity": raw.get("severity") or "medium",
        "service": (raw.get("service") or "").strip() or None,
        "details": (raw.get("details") or "").strip(),
        "lead": raw.get("lead") or None,
    }
    try:
        return IncidentForm.model_validate(data)
    except ValidationError as exc:
        return _errors(
            exc,
            lang,
            {
                "summary": ("summary", "act.e_summary"),
                "service": ("service", "act.e_service"),
                "details": ("details", "act.e_summary"),
                "lead": ("lead", "act.e_summary"),
            },
        )


def command_modal(name: str, command: dict[str, Any], args: str = "") -> dict[str, Any]:
    """`/nox incident` and `/nox meeting [title]`: the modal, pointed back at the command's channel."""
    from jamono.brain.language import detect_language

    lang: Lang = detect_language(args) if args else "en"
    ctx = ModalContext(channel=command.get("channel_id", ""), lang=lang)
    if name == "incident":
        return incident_modal(ctx)
    return meeting_modal(
        ctx, title=args[:200], attendees=[command.get("user_id", "")] if command.get("user_id") else []
    )
