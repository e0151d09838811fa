"""Pydantic shapes at the actions' boundaries: rows, parameters, and the jobs listeners queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from jamono.queue.models import PersonJob

ActionType = Literal["jira.create_ticket", "calendar.schedule_meeting"]
ActionStatus = Literal["proposed", "confirmed", "running", "done", "failed", "dismissed"]
Lang = Literal["fr", "en"]
TICKET: ActionType = "jira.create_ticket"
MEETING: ActionType = "calendar.schedule_meeting"


class TicketParams(BaseModel):
    """What the ticket says; project, issue type and priority come from settings when it is opened."""

    summary: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    severity: str = "medium"
    service: str | None = None
    dedup_key: str | None = None  # service + symptom: two reports with the same key are one incident
    reporter: str = ""  # Slack user id
    channel: str = ""
    permalink: str | None = None
    lang: Lang = "en"


class MeetingParams(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    duration_min: int = Field(ge=5, le=480)
    attendees: list[str] = Field(min_length=1, max_length=49)  # Slack user ids
    description: str = Field(default="", max_length=5_000)
    requester: str = ""
    lang: Lang = "en"


class Action(BaseModel):
    id: UUID
    tenant_id: UUID
    workspace_id: UUID
    interaction_id: UUID | None = None
    type: ActionType
    idempotency_key: str
    fingerprint: str
    parameters: dict[str, Any]
    status: ActionStatus
    external_id: str | None = None
    external_url: str | None = None
    result: dict[str, Any] = Field(default_factory=dict)
    attempts: int = 0
    last_error: str | None = None
    proposed_by: str | None = None
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    lease_until: datetime | None = None
    announced_at: datetime | None = None
    notified_at: datetime | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def lang(self) -> Lang:
        return "fr" if self.parameters.get("lang") == "fr" else "en"

    def ticket(self) -> TicketParams:
        return TicketParams.model_validate(self.parameters)

    def meeting(self) -> MeetingParams:
        return MeetingParams.model_validate(self.parameters)


# --- jobs (queued by listeners, run by workers/actions.py) ---------------------------------------


class ProposalClick(PersonJob):
    """Create Jira ticket / Dismiss on a NOX reply (meeting clicks open a modal instead)."""

    channel: str
    interaction_id: UUID
    choice: Literal["ticket", "dismiss"]
    automatic: bool = False  # queued by NOX itself in automatic mode, not by a click


class MeetingSubmission(PersonJob):
    """The scheduling modal, validated."""

    view_id: str
    interaction_id: UUID | None = None
    channel: str = ""
    thread_ts: str | None = None
    params: MeetingParams


class IncidentDeclaration(PersonJob):
    """`/nox incident`'s modal, validated."""

    view_id: str
    channel: str
    summary: str
    severity: str
    service: str | None = None
    details: str = ""
    lang: Lang = "en"


class TicketFromMessage(PersonJob):
    """The message shortcut "Create Jira ticket from this message"."""

    channel: str
    message_ts: str
    thread_ts: str | None = None
    text: str = Field(default="", max_length=40_000)
    author: str | None = None


class ActionRef(PersonJob):
    """Retry button: an action id."""

    channel: str = ""
    action_id: UUID
