"""Every id the App Home and its modals share with Slack, in one place.
Why and how: docs/design/home.md."""

from __future__ import annotations

from typing import Literal

Section = Literal["general", "jira", "google", "policy"]
SECTIONS: tuple[Section, ...] = ("general", "jira", "google", "policy")

# App Home buttons, one per settings section.
EDIT_ACTIONS: dict[Section, str] = {
    "general": "home_edit_general",
    "jira": "home_edit_jira",
    "google": "home_edit_google",
    "policy": "home_edit_policy",
}

# Settings modals.
CALLBACKS: dict[Section, str] = {
    "general": "settings_general",
    "jira": "settings_jira",
    "google": "settings_google",
    "policy": "settings_policy",
}
CALLBACK_SECTIONS: dict[str, Section] = {callback: section for section, callback in CALLBACKS.items()}
CALLBACK_PATTERN = r"^settings_(general|jira|google|policy)$"
EDIT_ACTION_PATTERN = r"^home_edit_(general|jira|google|policy)$"
LOADING_CALLBACK = "settings_loading"

# Every input's element uses this action id; the block id names the field.
VALUE = "value"

# General modal.
B_ACTION_MODE = "action_mode"
B_INCIDENT_CHANNEL = "incident_channel"
B_LANGUAGE = "language"
B_DISPLAY_NAME = "display_name"
B_ADMINS = "admins"

# Jira modal.
B_JIRA_URL = "jira_url"
B_JIRA_EMAIL = "jira_email"
B_JIRA_TOKEN = "jira_token"
B_JIRA_PROJECT = "jira_project"
B_JIRA_ISSUE_TYPE = "jira_issue_type"
B_JIRA_PRIORITY = "jira_priority_{severity}"  # one per severity

# Google modal.
B_GOOGLE_MODE = "google_mode"
B_GOOGLE_ORGANIZER = "google_organizer"
B_GOOGLE_CALENDAR = "google_calendar"
B_GOOGLE_CREDENTIALS = "google_credentials"

# Policy modal.
B_ACTIONS_BY = "policy_actions_by"
B_USERGROUP = "policy_usergroup"
B_MAX_ATTENDEES = "policy_max_attendees"
B_MAX_TICKETS = "policy_max_tickets"
B_RETENTION = "policy_retention_days"

# App Home blocks whose ids matter (tests and future updates find them by id).
B_HOME_GENERAL = "home_general"
B_HOME_JIRA = "home_jira"
B_HOME_GOOGLE = "home_google"
B_HOME_POLICY = "home_policy"
B_HOME_AUDIT = "home_audit"
