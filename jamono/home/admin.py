"""Who may configure NOX: Slack's own admins and owners, plus the people a workspace lists.
Why and how: docs/design/home.md."""

from __future__ import annotations

from typing import Any

from jamono.home.settings_model import WorkspaceSettings


def slack_user(user_info: dict[str, Any]) -> dict[str, Any]:
    """The user object, whether given the whole `users.info` response or just its `user`."""
    inner = user_info.get("user")
    return inner if isinstance(inner, dict) else user_info


def is_workspace_admin(user_info: dict[str, Any], settings: WorkspaceSettings) -> bool:
    """True for Slack admins/owners and for people listed in `settings.admins`.

    Deleted accounts, bots and guests (restricted users) never qualify, even when listed: a guest
    account is the one most likely to be someone outside the company.
    """
    user = slack_user(user_info)
    if not user.get("id") or user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT":
        return False
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return False
    if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
        return True
    return user["id"] in settings.admins


def user_locale(user_info: dict[str, Any]) -> str | None:
    """`users.info(include_locale=True)` gives e.g. "fr-FR"; None when Slack did not say."""
    locale = slack_user(user_info).get("locale")
    return locale if isinstance(locale, str) else None
