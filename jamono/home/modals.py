"""The settings modals opened from the App Home's Edit buttons. Pure: current settings in, view out.
Why and how: docs/design/home.md."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from jamono.home import ids
from jamono.home.settings_model import DISPLAY_NAME_MAX, SEVERITIES, WorkspaceSettings
from jamono.i18n import Lang, t
from jamono.slack.blockkit import choice, context, input_block, modal, option, section, text_input


class ModalMetadata(BaseModel):
    lang: Lang = "en"
    has_secret: bool = False


def metadata(lang: Lang, has_secret: bool = False) -> str:
    return ModalMetadata(lang=lang, has_secret=has_secret).model_dump_json()


def read_metadata(raw: str | None) -> ModalMetadata:
    """The modal's metadata, or defaults when it is missing or not ours."""
    try:
        return ModalMetadata.model_validate(json.loads(raw or "{}"))
    except (ValueError, ValidationError):
        return ModalMetadata()


def _radio(options: list[dict[str, Any]], selected: str) -> dict[str, Any]:
    return choice("radio_buttons", ids.VALUE, options, selected=selected)


def _select(options: list[dict[str, Any]], selected: str) -> dict[str, Any]:
    return choice("static_select", ids.VALUE, options, selected=selected)


def general_settings_modal(
    settings: WorkspaceSettings, lang: Lang, *, external_id: str | None = None
) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": ids.VALUE,
        "filter": {
            "include": ["public", "private"],
            "exclude_bot_users": True,
            "exclude_external_shared_channels": True,
        },
    }
    if settings.incident_channel:
        channel["initial_conversation"] = settings.incident_channel
    admins: dict[str, Any] = {"type": "multi_users_select", "action_id": ids.VALUE, "max_selected_items": 50}
    if settings.admins:
        admins["initial_users"] = list(settings.admins)
    blocks = [
        input_block(
            ids.B_ACTION_MODE,
            t("l_action_mode", lang),
            _radio(
                [
                    option(t("mode_confirm", lang), "confirm", t("d_confirm", lang)),
                    option(t("mode_automatic", lang), "automatic", t("d_automatic", lang)),
                ],
                settings.action_mode,
            ),
        ),
        input_block(
            ids.B_INCIDENT_CHANNEL,
            t("l_incident_channel", lang),
            channel,
            optional=True,
            hint=t("h_incident_channel", lang),
        ),
        input_block(
            ids.B_LANGUAGE,
            t("l_language", lang),
            _select(
                [
                    option(t("lang_auto", lang), "auto"),
                    option(t("lang_fr", lang), "fr"),
                    option(t("lang_en", lang), "en"),
                ],
                settings.language,
            ),
        ),
        input_block(
            ids.B_DISPLAY_NAME,
            t("l_display_name", lang),
            text_input(ids.VALUE, initial=settings.display_name, max_length=DISPLAY_NAME_MAX),
        ),
        input_block(ids.B_ADMINS, t("l_admins", lang), admins, optional=True, hint=t("h_admins", lang)),
    ]
    return modal(
        callback_id=ids.CALLBACKS["general"],
        title=t("modal_general", lang),
        blocks=blocks,
        submit=t("save", lang),
        close=t("cancel", lang),
        private_metadata=metadata(lang),
        external_id=external_id,
    )


def jira_settings_modal(settings: WorkspaceSettings, lang: Lang, *, external_id: str | None = None) -> dict[str, Any]:
    jira = settings.jira
    token_hint = t("h_jira_token_keep" if jira.has_token else "h_jira_token_new", lang)
    blocks = [
        input_block(
            ids.B_JIRA_URL,
            t("l_jira_url", lang),
            text_input(ids.VALUE, initial=jira.url, placeholder="https://your-team.atlassian.net", max_length=200),
        ),
        input_block(
            ids.B_JIRA_EMAIL,
            t("l_jira_email", lang),
            text_input(ids.VALUE, initial=jira.email, placeholder="nox-bot@example.com", max_length=254),
        ),
        # Never prefilled: the stored token stays where it is unless a new one is typed.
        input_block(
            ids.B_JIRA_TOKEN,
            t("l_jira_token", lang),
            text_input(ids.VALUE, max_length=1000),
            optional=jira.has_token,
            hint=token_hint,
        ),
        input_block(
            ids.B_JIRA_PROJECT,
            t("l_jira_project", lang),
            text_input(ids.VALUE, initial=jira.project_key, placeholder="OPS", max_length=30),
        ),
        input_block(
            ids.B_JIRA_ISSUE_TYPE,
            t("l_jira_issue_type", lang),
            text_input(ids.VALUE, initial=jira.issue_type, placeholder="Task", max_length=60),
        ),
    ]
    for severity in SEVERITIES:
        blocks.append(
            input_block(
                ids.B_JIRA_PRIORITY.format(severity=severity),
                t("l_priority", lang, severity=t(f"sev_{severity}", lang)),
                text_input(ids.VALUE, initial=getattr(jira.priorities, severity), max_length=60),
            )
        )
    return modal(
        callback_id=ids.CALLBACKS["jira"],
        title=t("modal_jira", lang),
        blocks=blocks,
        submit=t("save", lang),
        close=t("cancel", lang),
        private_metadata=metadata(lang, has_secret=jira.has_token),
        external_id=external_id,
    )


def google_settings_modal(settings: WorkspaceSettings, lang: Lang, *, external_id: str | None = None) -> dict[str, Any]:
    google = settings.google
    credentials_hint = t("h_google_credentials_keep" if google.has_credentials else "h_google_credentials_new", lang)
    blocks = [
        input_block(
            ids.B_GOOGLE_MODE,
            t("l_google_mode", lang),
            _radio(
                [
                    option(t("gmode_service_account", lang), "service_account", t("d_service_account", lang)),
                    option(t("gmode_oauth", lang), "oauth", t("d_oauth", lang)),
                ],
                google.mode,
            ),
        ),
        input_block(
            ids.B_GOOGLE_ORGANIZER,
            t("l_google_organizer", lang),
            text_input(
                ids.VALUE, initial=google.organizer_email, placeholder="ops-calendar@example.com", max_length=254
            ),
        ),
        input_block(
            ids.B_GOOGLE_CALENDAR,
            t("l_google_calendar", lang),
            text_input(ids.VALUE, initial=google.calendar_id, placeholder="primary", max_length=255),
            hint=t("h_google_calendar", lang),
        ),
        # Never prefilled, like the Jira token.
        input_block(
            ids.B_GOOGLE_CREDENTIALS,
            t("l_google_credentials", lang),
            text_input(ids.VALUE, multiline=True, max_length=3000),
            optional=google.has_credentials,
            hint=credentials_hint,
        ),
    ]
    return modal(
        callback_id=ids.CALLBACKS["google"],
        title=t("modal_google", lang),
        blocks=blocks,
        submit=t("save", lang),
        close=t("cancel", lang),
        private_metadata=metadata(lang, has_secret=google.has_credentials),
        external_id=external_id,
    )


def policy_settings_modal(settings: WorkspaceSettings, lang: Lang, *, external_id: str | None = None) -> dict[str, Any]:
    policy = settings.policy
    blocks = [
        input_block(
            ids.B_ACTIONS_BY,
            t("l_actions_by", lang),
            _radio(
                [option(t(f"ab_{v}", lang), v) for v in ("requester_admins", "everyone", "usergroup")],
                policy.actions_by,
            ),
        ),
        input_block(
            ids.B_USERGROUP,
            t("l_usergroup", lang),
            text_input(ids.VALUE, initial=policy.usergroup, placeholder="S0123ABCD", max_length=32),
            optional=True,
            hint=t("h_usergroup", lang),
        ),
        input_block(
            ids.B_MAX_ATTENDEES,
            t("l_max_attendees", lang),
            text_input(ids.VALUE, initial=str(policy.max_attendees), max_length=3),
        ),
        input_block(
            ids.B_MAX_TICKETS,
            t("l_max_tickets", lang),
            text_input(ids.VALUE, initial=str(policy.max_tickets_per_day), max_length=5),
        ),
        input_block(
            ids.B_RETENTION,
            t("l_retention", lang),
            text_input(ids.VALUE, initial=str(policy.retention_days), max_length=4),
            hint=t("h_retention", lang),
        ),
    ]
    return modal(
        callback_id=ids.CALLBACKS["policy"],
        title=t("modal_policy", lang),
        blocks=blocks,
        submit=t("save", lang),
        close=t("cancel", lang),
        private_metadata=metadata(lang),
        external_id=external_id,
    )


SETTINGS_MODALS = {
    "general": general_settings_modal,
    "jira": jira_settings_modal,
    "google": google_settings_modal,
    "policy": policy_settings_modal,
}


def loading_modal(external_id: str, lang: Lang = "en") -> dict[str, Any]:
    """Opened by the button listener at once (trigger ids expire in 3 s); a worker then fills it in."""
    return modal(
        callback_id=ids.LOADING_CALLBACK,
        title=t("modal_loading", lang),
        blocks=[context(t("loading", lang))],
        close=t("close", lang),
        external_id=external_id,
    )


def notice_modal(text: str, lang: Lang, *, external_id: str | None = None) -> dict[str, Any]:
    """A modal that only says something (e.g. "only admins can change this")."""
    return modal(
        callback_id=ids.LOADING_CALLBACK,
        title=t("modal_loading", lang),
        blocks=[section(text)],
        close=t("close", lang),
        external_id=external_id,
    )
