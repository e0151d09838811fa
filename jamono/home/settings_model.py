"""A workspace's NOX settings: the typed shape of `workspaces.settings`, loaded and saved under RLS.
Why and how: docs/design/home.md."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from uuid import UUID

from psycopg.types.json import Jsonb
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from jamono.integrations.priorities import DEFAULT_PRIORITIES
from jamono.platform.db import Connection

log = logging.getLogger(__name__)

ActionMode = Literal["confirm", "automatic"]
LanguagePreference = Literal["fr", "en", "auto"]
GoogleMode = Literal["service_account", "oauth"]
# Who may confirm, retry or dismiss NOX's external actions (guests never, whatever the choice).
ActionsBy = Literal["everyone", "requester_admins", "usergroup"]
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")

DISPLAY_NAME_MAX = 80
MAX_ADMINS = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _https_url(value: str) -> str:
    """Jira's address: https only (the token travels with every request), no credentials inside."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise ValueError("must be an https:// URL with a host and no credentials")
    if parts.query or parts.fragment or " " in value:
        raise ValueError("must be a plain base URL")
    return value.rstrip("/")


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError("must be an email address")
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return _strip(value)


HttpsUrl = Annotated[str, StringConstraints(max_length=200), AfterValidator(_https_url)]
Email = Annotated[str, AfterValidator(_email)]
ProjectKey = Annotated[str, BeforeValidator(_strip), StringConstraints(pattern=r"^[A-Z][A-Z0-9]+$", max_length=30)]
ChannelId = Annotated[str, BeforeValidator(_strip), StringConstraints(pattern=r"^[CG][A-Z0-9]{2,30}$")]
UserId = Annotated[str, BeforeValidator(_strip), StringConstraints(pattern=r"^[UW][A-Z0-9]{2,30}$")]
UsergroupId = Annotated[str, BeforeValidator(_strip), StringConstraints(pattern=r"^S[A-Z0-9]{2,30}$")]
ShortName = Annotated[str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=60)]
CalendarId = Annotated[str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=255, pattern=r"^\S+$")]
DisplayName = Annotated[
    str, BeforeValidator(_strip), StringConstraints(min_length=1, max_length=DISPLAY_NAME_MAX, pattern=r"^[^\n\r]+$")
]


class _Section(BaseModel):
    # Unknown keys are ignored, so an older or newer shape never breaks the App Home.
    model_config = ConfigDict(extra="ignore", validate_assignment=True)


class PriorityMapping(_Section):
    """NOX severity → Jira priority name (Jira instances rename their priorities)."""

    critical: ShortName = DEFAULT_PRIORITIES["critical"]
    high: ShortName = DEFAULT_PRIORITIES["high"]
    medium: ShortName = DEFAULT_PRIORITIES["medium"]
    low: ShortName = DEFAULT_PRIORITIES["low"]

    def as_dict(self) -> dict[str, str]:
        """The shape `jamono.integrations.priorities.map_priority` takes."""
        return {severity: getattr(self, severity) for severity in SEVERITIES}


class JiraSettings(_Section):
    url: Annotated[HttpsUrl | None, BeforeValidator(_blank_to_none)] = None
    email: Annotated[Email | None, BeforeValidator(_blank_to_none)] = None
    project_key: Annotated[ProjectKey | None, BeforeValidator(_blank_to_none)] = None
    issue_type: ShortName = "Task"
    priorities: PriorityMapping = Field(default_factory=PriorityMapping)
    has_token: bool = False

    @property
    def configured(self) -> bool:
        """Everything NOX needs to open a ticket is there."""
        return bool(self.url and self.email and self.project_key and self.has_token)


class GoogleSettings(_Section):
    mode: GoogleMode = "service_account"
    organizer_email: Annotated[Email | None, BeforeValidator(_blank_to_none)] = None
    calendar_id: CalendarId = "primary"
    has_credentials: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.organizer_email and self.has_credentials)


DEFAULT_RETENTION_DAYS = 90
MAX_ATTENDEES = 100
MAX_TICKETS_PER_DAY = 10_000
MAX_RETENTION_DAYS = 3650


class PolicySettings(_Section):
    """What people may do, and how long NOX keeps their words (issue 14)."""

    actions_by: ActionsBy = "requester_admins"
    usergroup: Annotated[UsergroupId | None, BeforeValidator(_blank_to_none)] = None
    max_attendees: int = Field(default=20, ge=1, le=MAX_ATTENDEES)
    max_tickets_per_day: int = Field(default=50, ge=1, le=MAX_TICKETS_PER_DAY)
    retention_days: int = Field(default=DEFAULT_RETENTION_DAYS, ge=1, le=MAX_RETENTION_DAYS)


class WorkspaceSettings(_Section):
    action_mode: ActionMode = "confirm"
    incident_channel: Annotated[ChannelId | None, BeforeValidator(_blank_to_none)] = None
    language: LanguagePreference = "auto"
    display_name: DisplayName = "NOX"
    admins: list[UserId] = Field(default_factory=list, max_length=MAX_ADMINS)
    jira: JiraSettings = Field(default_factory=JiraSettings)
    google: GoogleSettings = Field(default_factory=GoogleSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)

    @field_validator("admins")
    @classmethod
    def _unique_admins(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # first occurrence wins, order kept

    def stored(self) -> dict[str, Any]:
        """What goes into the jsonb column."""
        return self.model_dump(mode="json")


OWN_KEYS = frozenset(WorkspaceSettings.model_fields)


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` over `base`, recursing into objects (so {"jira": {"url": …}} keeps the rest of jira)."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _drop(raw: dict[str, Any], loc: tuple[Any, ...]) -> bool:
    """Remove the deepest existing value along `loc` (a pydantic error location)."""
    parent: Any = None
    node: Any = raw
    key: Any = None
    for part in loc:
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not found:
            break
        parent, key, node = node, part, node[part]
    if parent is None:
        return False
    del parent[key]
    return True


def _loc_key(loc: tuple[Any, ...]) -> list[tuple[int, Any]]:
    return [(0, part) if isinstance(part, int) else (1, str(part)) for part in loc]


def parse_stored(raw: Any) -> WorkspaceSettings:
    """Settings from the jsonb, tolerating damage: an invalid value falls back to its default.

    A hand-edited or half-migrated row must not take the App Home down with it.
    """
    data = {k: v for k, v in raw.items() if k in OWN_KEYS} if isinstance(raw, dict) else {}
    data = deep_merge({}, data)  # a copy we may prune
    for _ in range(20):
        try:
            return WorkspaceSettings.model_validate(data)
        except ValidationError as exc:
            # Deepest and last first, so removing a list item never shifts another error's index.
            locs = sorted((tuple(err["loc"]) for err in exc.errors()), key=_loc_key, reverse=True)
            log.warning("ignoring invalid stored settings at %s", [".".join(map(str, loc)) for loc in locs])
            if not [loc for loc in locs if _drop(data, loc)]:
                break
    return WorkspaceSettings()


def load_settings(conn: Connection, workspace_id: UUID | str) -> WorkspaceSettings:
    """The workspace's settings (defaults when none); `conn` is inside `tenant_tx`, so RLS applies."""
    row = conn.execute("SELECT settings FROM workspaces WHERE id = %s", [workspace_id]).fetchone()
    if row is None:
        raise LookupError(f"workspace {workspace_id} is not visible to this tenant")
    raw = row["settings"] if isinstance(row, dict) else row[0]
    return parse_stored(raw)


def save_settings(conn: Connection, workspace_id: UUID | str, changes: dict[str, Any]) -> WorkspaceSettings:
    """Merge `changes` into the stored settings, validate the whole, write it; returns the result.

    Raises pydantic's ValidationError on invalid changes (nothing is written). The row is locked
    for the transaction so two admins saving different sections at once both keep their edits.
    """
    row = conn.execute("SELECT settings FROM workspaces WHERE id = %s FOR UPDATE", [workspace_id]).fetchone()
    if row is None:
        raise LookupError(f"workspace {workspace_id} is not visible to this tenant")
    raw = row["settings"] if isinstance(row, dict) else row[0]
    current = parse_stored(raw).stored()
    updated = WorkspaceSettings.model_validate(deep_merge(current, changes))
    # `||` keeps keys other modules store in the same column.
    conn.execute(
        "UPDATE workspaces SET settings = settings || %s, updated_at = now() WHERE id = %s",
        [Jsonb(updated.stored()), workspace_id],
    )
    return updated
