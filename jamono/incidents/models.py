"""Pydantic shapes at the incidents' boundaries: rows, the workspace's incident settings, jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jamono.queue.models import PersonJob

Lang = Literal["fr", "en"]
Severity = Literal["critical", "high", "medium", "low"]
Status = Literal["investigating", "identified", "monitoring", "resolved"]
ChangeKind = Literal["status", "severity", "lead", "update", "resolved"]
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")
STATUSES: tuple[Status, ...] = ("investigating", "identified", "monitoring", "resolved")
DEFAULT_TIMELINE_REACTIONS = ("pushpin", "stopwatch")
DEFAULT_REMINDER_MIN: dict[str, int] = {"critical": 15, "high": 30, "medium": 60, "low": 240}


class Incident(BaseModel):
    id: UUID
    tenant_id: UUID
    workspace_id: UUID
    idempotency_key: str
    interaction_id: UUID | None = None
    title: str
    severity: Severity
    status: Status
    lead: str | None = None
    reporter: str
    lang: Lang = "en"
    service: str | None = None
    origin_channel: str | None = None
    origin_thread_ts: str | None = None
    channel_name: str | None = None
    channel_id: str | None = None
    card_ts: str | None = None
    ticket_action_id: UUID | None = None
    jira_key: str | None = None
    jira_url: str | None = None
    jira_status: str | None = None
    jira_error: str | None = None
    last_update: str | None = None
    steps: dict[str, Any] = Field(default_factory=dict)
    runbooks: list[dict[str, Any]] = Field(default_factory=list)
    started_at: datetime
    updated_at: datetime
    last_update_at: datetime
    reminded_at: datetime | None = None
    resolved_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status != "resolved"


class IncidentEvent(BaseModel):
    id: UUID
    tenant_id: UUID
    incident_id: UUID
    idempotency_key: str
    kind: str
    actor: str
    data: dict[str, Any] = Field(default_factory=dict)
    effects: dict[str, Any] = Field(default_factory=dict)
    jira_synced_at: datetime | None = None
    created_at: datetime


class IncidentSettings(BaseModel):
    """`workspaces.settings["incidents"]` (its own key: the App Home's settings keep it)."""

    model_config = ConfigDict(extra="ignore")

    private_channels: bool = False
    responders_group: str | None = Field(default=None, pattern=r"^S[A-Z0-9]{2,30}$")
    reminder_minutes: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_REMINDER_MIN))
    # Reacting with one of these puts a message on the incident's timeline (emoji names, no colons).
    timeline_reactions: list[str] = Field(default_factory=lambda: list(DEFAULT_TIMELINE_REACTIONS), max_length=10)

    @field_validator("reminder_minutes")
    @classmethod
    def _minutes(cls, value: dict[str, int]) -> dict[str, int]:
        merged = dict(DEFAULT_REMINDER_MIN)
        merged.update({k: v for k, v in value.items() if k in DEFAULT_REMINDER_MIN and isinstance(v, int) and v > 0})
        return merged

    @classmethod
    def of(cls, workspace_settings: dict[str, Any] | None) -> IncidentSettings:
        raw = (workspace_settings or {}).get("incidents")
        try:
            return cls.model_validate(raw if isinstance(raw, dict) else {})
        except ValueError:
            return cls()


# --- jobs (queued by listeners, run by workers/incidents.py) -------------------------------------


class Declaration(PersonJob):
    """Declare incident: from a triage reply (interaction_id), `/nox incident`'s modal (view_id),
    or automatic mode in a watched channel (interaction_id, automatic)."""

    channel: str = ""
    interaction_id: UUID | None = None
    view_id: str | None = None
    title: str | None = Field(default=None, max_length=200)
    severity: Severity | None = None
    service: str | None = Field(default=None, max_length=100)
    details: str = Field(default="", max_length=3000)
    lead: str | None = None
    lang: Lang | None = None
    automatic: bool = False


class Change(PersonJob):
    """One change asked for in an incident channel: a command, a card button or a modal."""

    key: str = Field(min_length=1, max_length=200)  # the Slack request's own id (trigger / view id)
    channel: str = ""
    incident_id: UUID | None = None  # from a card or modal; a command names its channel instead
    kind: ChangeKind | Literal["help"]
    value: str = Field(default="", max_length=3000)
    note: str = Field(default="", max_length=3000)
    response_url: str | None = None


class IncidentRef(PersonJob):
    """A job about one incident (Jira sync, reminder), with the moment it was scheduled for."""

    incident_id: UUID
    event_id: UUID | None = None
    due_for: datetime | None = None


class ListRequest(PersonJob):
    channel: str = ""
    response_url: str | None = None
    lang: Lang = "en"
