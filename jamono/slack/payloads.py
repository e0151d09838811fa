"""Pydantic models of the Slack payloads we parse, and the job a message becomes.
Why and how: docs/design/slack.md."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from jamono.queue.models import PersonJob

MAX_MESSAGE_CHARS = 40_000  # Slack's own limit for a message's text


class PayloadError(ValueError):
    """A request body that is not a Slack payload we can handle; its message is safe to return."""


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class MessageEvent(_Loose):
    """`app_mention` and `message` events."""

    type: Literal["app_mention", "message"]
    channel: str = Field(pattern=r"^[A-Z0-9]{1,64}$")  # Slack ids (C…, D…, G…): no stray unicode or NULs
    user: str | None = Field(default=None, max_length=64)
    text: str = Field(default="", max_length=MAX_MESSAGE_CHARS)
    ts: str = Field(pattern=r"^\d{1,12}\.\d{1,8}$")
    thread_ts: str | None = Field(default=None, pattern=r"^\d{1,12}\.\d{1,8}$")
    channel_type: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    team: str | None = None


class EventEnvelope(_Loose):
    type: Literal["event_callback"]
    team_id: str | None = None
    enterprise_id: str | None = None
    api_app_id: str | None = None
    event_id: str = Field(min_length=1, max_length=128)
    event_time: int | None = None
    event: dict[str, Any]

    @field_validator("event")
    @classmethod
    def _event_has_type(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(value.get("type"), str):
            raise ValueError("event.type is missing")
        return value


MESSAGE_EVENT_TYPES = frozenset({"app_mention", "message"})


def validate_event_body(body: Any) -> MessageEvent | None:
    """Refuse what is not a well-formed Events API body (url_verification passes); a message
    event comes back validated, so the listener does not validate it again."""
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise PayloadError("body is not a Slack Events API payload")
    if body["type"] == "url_verification":
        if not isinstance(body.get("challenge"), str):
            raise PayloadError("url_verification without a challenge")
        return None
    if body["type"] != "event_callback":
        raise PayloadError(f"unsupported payload type {body['type'][:40]!r}")
    try:
        envelope = EventEnvelope.model_validate(body)
        if envelope.event["type"] in MESSAGE_EVENT_TYPES:
            return MessageEvent.model_validate(envelope.event)
        return None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise PayloadError(f"invalid event payload: {where}: {first['msg']}") from None


def authorized_team(context: Any) -> tuple[str, str | None] | None:
    """The workspace Bolt authorized this request for (its installation), or None if none was.

    In a Slack Connect channel a payload's `team_id`, `team` and `user.team_id` can name the other
    organisation: only what the authorize step resolved (from `authorizations[0]` for events, then
    our installation store) says which tenant's data and token the request may use."""
    result = getattr(context, "authorize_result", None)
    team = (result.team_id if result is not None else None) or getattr(context, "team_id", None)
    enterprise = (result.enterprise_id if result is not None else None) or getattr(context, "enterprise_id", None)
    if not team and not enterprise:
        return None
    return team or "", enterprise or None


def team_and_enterprise(body: dict[str, Any], context: Any) -> tuple[str, str | None]:
    """The tenant of a request: what Bolt authorized; the payload's own fields only when nothing was
    (a context without an authorize step, e.g. a unit test's)."""
    authorized = authorized_team(context)
    if authorized is not None:
        return authorized
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    enterprise = body.get("enterprise_id") or (body.get("enterprise") or {}).get("id")
    return team or "", enterprise or None


def user_of(body: dict[str, Any]) -> str:
    return (body.get("user") or {}).get("id", "")


MessageType = Literal[
    "app_mention", "direct_message", "slash_command", "shortcut", "action", "watched_channel", "thread_reply"
]


def _storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL; Slack never means one (a client bug or a forgery)."""
    return text.replace("\x00", "\ufffd") if "\x00" in text else text


StorableText = Annotated[str, AfterValidator(_storable), Field(max_length=MAX_MESSAGE_CHARS)]


class MessageJob(PersonJob):
    """A message NOX must answer: everything the worker needs, nothing secret."""

    event_id: str
    message_type: MessageType
    channel: str
    text: StorableText
    ts: str
    thread_ts: str | None = None
    retry_num: int = 0
    received_at: float = Field(default_factory=time.time)

    @property
    def reply_thread_ts(self) -> str:
        """NOX answers in the thread of the message (its own thread when it has none)."""
        return self.thread_ts or self.ts

    @property
    def in_thread(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


class FeedbackJob(PersonJob):
    channel: str
    interaction_id: UUID
    vote: Literal[-1, 1]


class CommandJob(PersonJob):
    """A `/nox` subcommand whose work happens on a worker; answered through its response_url."""

    channel: str
    text: StorableText
    response_url: str = Field(pattern=r"^https?://")  # the only way the worker can answer
    trigger_id: str = ""
    share: bool = False
    lang: Literal["fr", "en"] = "en"


class KbSaveJob(PersonJob):
    """A document to save into a workspace's knowledge base, from the modal or a message shortcut."""

    title: str | None = None
    content: str | None = None
    tags: list[str] = Field(default_factory=list)
    channel: str | None = None
    message_ts: str | None = None
    lang: Literal["fr", "en"] = "en"
