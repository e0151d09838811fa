"""A submitted settings modal → a validated form, or Slack's `errors` map (block_id → message).
Why and how: docs/design/home.md."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from jamono.home import ids
from jamono.home.ids import Section
from jamono.home.settings_model import (
    MAX_ADMINS,
    MAX_ATTENDEES,
    MAX_RETENTION_DAYS,
    MAX_TICKETS_PER_DAY,
    SEVERITIES,
    ActionMode,
    ActionsBy,
    CalendarId,
    ChannelId,
    DisplayName,
    Email,
    GoogleMode,
    HttpsUrl,
    LanguagePreference,
    ProjectKey,
    ShortName,
    UsergroupId,
    UserId,
)
from jamono.i18n import Lang, t


def _upper(value: Any) -> Any:
    """'ops ' → 'OPS': people type keys in lower case; the pattern then judges the rest."""
    return value.strip().upper() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class _Form(BaseModel):
    # Inputs may hold secrets: keep them out of any ValidationError text that could reach a log.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class GeneralForm(_Form):
    action_mode: ActionMode
    incident_channel: ChannelId | None = None
    language: LanguagePreference
    display_name: DisplayName
    admins: list[UserId] = Field(default_factory=list, max_length=MAX_ADMINS)

    def changes(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class PriorityForm(_Form):
    critical: ShortName
    high: ShortName
    medium: ShortName
    low: ShortName


class JiraForm(_Form):
    # From the modal's metadata: is a token already stored? Declared first so the token rule can read it.
    has_token: bool = False
    url: HttpsUrl
    email: Email
    project_key: Annotated[ProjectKey, BeforeValidator(_upper)]
    issue_type: ShortName
    priorities: PriorityForm
    api_token: Annotated[SecretStr | None, BeforeValidator(_blank_to_none)] = Field(default=None, validate_default=True)

    @field_validator("api_token")
    @classmethod
    def _token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """A field rule (not a whole-form one), so its error shows together with the others."""
        if value is None:
            if not info.data.get("has_token"):
                raise PydanticCustomError("jira_token_required", "a token is required")
            return None
        token = value.get_secret_value().strip()
        if not 8 <= len(token) <= 1000 or any(c.isspace() for c in token):
            raise PydanticCustomError("jira_token_shape", "not a token")
        return SecretStr(token)

    def changes(self) -> dict[str, Any]:
        return {"jira": self.model_dump(mode="json", exclude={"api_token", "has_token"})}

    @property
    def secret(self) -> SecretStr | None:
        return self.api_token


_SERVICE_ACCOUNT_KEYS = ("client_email", "private_key")
_OAUTH_KEYS = ("client_id", "client_secret", "refresh_token")


class GoogleForm(_Form):
    has_credentials: bool = False
    mode: GoogleMode
    organizer_email: Email
    calendar_id: CalendarId
    credentials: Annotated[SecretStr | None, BeforeValidator(_blank_to_none)] = Field(
        default=None, validate_default=True
    )

    @field_validator("credentials")
    @classmethod
    def _credentials(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None:
            if not info.data.get("has_credentials"):
                raise PydanticCustomError("credentials_required", "credentials are required")
            return None
        try:
            data = json.loads(value.get_secret_value())
        except ValueError:
            raise PydanticCustomError("credentials_json", "not JSON") from None
        if not isinstance(data, dict):
            raise PydanticCustomError("credentials_json", "not a JSON object")
        mode = info.data.get("mode")
        if mode == "service_account":
            if data.get("type") != "service_account" or not all(data.get(k) for k in _SERVICE_ACCOUNT_KEYS):
                raise PydanticCustomError("credentials_service_account", "not a service account key")
        elif mode == "oauth":
            # An OAuth client file nests its fields under "installed" or "web".
            nested: list[dict[str, Any]] = [data[k] for k in ("installed", "web") if isinstance(data.get(k), dict)]
            flat = {k: v for part in (*nested, data) for k, v in part.items()}
            if not all(flat.get(k) for k in _OAUTH_KEYS):
                raise PydanticCustomError("credentials_oauth", "not OAuth credentials")
        return value

    def changes(self) -> dict[str, Any]:
        return {"google": self.model_dump(mode="json", exclude={"credentials", "has_credentials"})}

    @property
    def secret(self) -> SecretStr | None:
        return self.credentials


class PolicyForm(_Form):
    actions_by: ActionsBy
    usergroup: Annotated[UsergroupId | None, BeforeValidator(_blank_to_none)] = Field(
        default=None, validate_default=True
    )
    max_attendees: int = Field(ge=1, le=MAX_ATTENDEES)
    max_tickets_per_day: int = Field(ge=1, le=MAX_TICKETS_PER_DAY)
    retention_days: int = Field(ge=1, le=MAX_RETENTION_DAYS)

    @field_validator("usergroup")
    @classmethod
    def _group(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("actions_by") == "usergroup":
            raise PydanticCustomError("usergroup_required", "a user group is required")
        return value

    def changes(self) -> dict[str, Any]:
        return {"policy": self.model_dump(mode="json")}


SettingsForm = GeneralForm | JiraForm | GoogleForm | PolicyForm
FORMS: dict[Section, type[_Form]] = {
    "general": GeneralForm,
    "jira": JiraForm,
    "google": GoogleForm,
    "policy": PolicyForm,
}

# Form field → (block id, message key). Nested fields use dotted paths.
_FIELDS: dict[Section, dict[str, tuple[str, str]]] = {
    "general": {
        "action_mode": (ids.B_ACTION_MODE, "e_action_mode"),
        "incident_channel": (ids.B_INCIDENT_CHANNEL, "e_incident_channel"),
        "language": (ids.B_LANGUAGE, "e_language"),
        "display_name": (ids.B_DISPLAY_NAME, "e_display_name"),
        "admins": (ids.B_ADMINS, "e_admins"),
    },
    "jira": {
        "url": (ids.B_JIRA_URL, "e_jira_url"),
        "email": (ids.B_JIRA_EMAIL, "e_jira_email"),
        "api_token": (ids.B_JIRA_TOKEN, "e_jira_token_shape"),
        "project_key": (ids.B_JIRA_PROJECT, "e_jira_project"),
        "issue_type": (ids.B_JIRA_ISSUE_TYPE, "e_jira_issue_type"),
        **{f"priorities.{s}": (ids.B_JIRA_PRIORITY.format(severity=s), "e_priority") for s in SEVERITIES},
    },
    "google": {
        "mode": (ids.B_GOOGLE_MODE, "e_google_mode"),
        "organizer_email": (ids.B_GOOGLE_ORGANIZER, "e_google_organizer"),
        "calendar_id": (ids.B_GOOGLE_CALENDAR, "e_google_calendar"),
        "credentials": (ids.B_GOOGLE_CREDENTIALS, "e_credentials_json"),
    },
    "policy": {
        "actions_by": (ids.B_ACTIONS_BY, "e_actions_by"),
        "usergroup": (ids.B_USERGROUP, "e_usergroup"),
        "max_attendees": (ids.B_MAX_ATTENDEES, "e_max_attendees"),
        "max_tickets_per_day": (ids.B_MAX_TICKETS, "e_max_tickets"),
        "retention_days": (ids.B_RETENTION, "e_retention"),
    },
}
# Rules with their own error types → the block they are about, and their message key.
_CUSTOM: dict[str, tuple[str, str]] = {
    "jira_token_required": (ids.B_JIRA_TOKEN, "e_jira_token"),
    "jira_token_shape": (ids.B_JIRA_TOKEN, "e_jira_token_shape"),
    "credentials_required": (ids.B_GOOGLE_CREDENTIALS, "e_credentials_required"),
    "credentials_json": (ids.B_GOOGLE_CREDENTIALS, "e_credentials_json"),
    "credentials_service_account": (ids.B_GOOGLE_CREDENTIALS, "e_credentials_service_account"),
    "credentials_oauth": (ids.B_GOOGLE_CREDENTIALS, "e_credentials_oauth"),
    "usergroup_required": (ids.B_USERGROUP, "e_usergroup"),
}


def state_values(view_state: dict[str, Any]) -> dict[str, Any]:
    """block_id → the submitted value, whatever the element type (text, select, radio, users…)."""
    values: dict[str, Any] = {}
    for block_id, actions in (view_state.get("values") or {}).items():
        action: dict[str, Any] = (actions or {}).get(ids.VALUE) or next(iter((actions or {}).values()), {})
        kind = action.get("type")
        if kind in ("static_select", "radio_buttons"):
            values[block_id] = (action.get("selected_option") or {}).get("value")
        elif kind == "conversations_select":
            values[block_id] = action.get("selected_conversation")
        elif kind == "channels_select":
            values[block_id] = action.get("selected_channel")
        elif kind == "multi_users_select":
            values[block_id] = action.get("selected_users") or []
        else:
            values[block_id] = action.get("value")
    return values


def _raw(section: Section, values: dict[str, Any], has_secret: bool) -> dict[str, Any]:
    if section == "policy":
        return {name: values.get(block) for name, (block, _) in _FIELDS["policy"].items()}
    if section == "general":
        return {
            name: values.get(block) for name, (block, _) in _FIELDS["general"].items() if values.get(block) is not None
        }
    if section == "jira":
        fields = _FIELDS["jira"]
        raw: dict[str, Any] = {
            name: values.get(fields[name][0]) or "" for name in ("url", "email", "project_key", "issue_type")
        }
        raw["api_token"] = values.get(ids.B_JIRA_TOKEN)
        raw["priorities"] = {s: values.get(ids.B_JIRA_PRIORITY.format(severity=s)) or "" for s in SEVERITIES}
        raw["has_token"] = has_secret
        return raw
    return {
        "mode": values.get(ids.B_GOOGLE_MODE) or "",
        "organizer_email": values.get(ids.B_GOOGLE_ORGANIZER) or "",
        "calendar_id": values.get(ids.B_GOOGLE_CALENDAR) or "",
        "credentials": values.get(ids.B_GOOGLE_CREDENTIALS),
        "has_credentials": has_secret,
    }


def errors_map(section: Section, exc: ValidationError, lang: Lang) -> dict[str, str]:
    """Slack's `errors`: one localised message per block, the first problem found for it."""
    errors: dict[str, str] = {}
    fields = _FIELDS[section]
    for err in exc.errors():
        custom = _CUSTOM.get(err["type"])
        if custom is not None:
            block, key = custom
        else:
            loc = [str(part) for part in err["loc"] if not isinstance(part, int)]
            path = ".".join(loc)
            match = next(
                (fields[p] for p in (path, *(".".join(loc[:i]) for i in range(len(loc) - 1, 0, -1))) if p in fields),
                None,
            )
            # Anything unexpected still lands on a block, so the modal never closes on a bad form.
            block, key = match or (next(iter(fields.values()))[0], "e_generic")
        errors.setdefault(block, t(key, lang))
    return errors


def parse_settings_form(
    section: Section, view_state: dict[str, Any], lang: Lang = "en", *, has_secret: bool = False
) -> SettingsForm | dict[str, str]:
    """The validated form, or the errors to show inside the modal."""
    raw = _raw(section, state_values(view_state), has_secret)
    try:
        return FORMS[section].model_validate(raw)  # type: ignore[return-value]
    except ValidationError as exc:
        return errors_map(section, exc, lang)


def parse_general(view_state: dict[str, Any], lang: Lang = "en") -> GeneralForm | dict[str, str]:
    return parse_settings_form("general", view_state, lang)  # type: ignore[return-value]


def parse_jira(view_state: dict[str, Any], lang: Lang = "en", *, has_token: bool = False) -> JiraForm | dict[str, str]:
    return parse_settings_form("jira", view_state, lang, has_secret=has_token)  # type: ignore[return-value]


def parse_google(
    view_state: dict[str, Any], lang: Lang = "en", *, has_credentials: bool = False
) -> GoogleForm | dict[str, str]:
    return parse_settings_form("google", view_state, lang, has_secret=has_credentials)  # type: ignore[return-value]
