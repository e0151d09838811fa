"""Who owns a knowledge base document, and where a saved thread may be used.
Why and how: docs/design/admin.md ("Knowledge base ownership")."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from jamono.home.admin import is_workspace_admin, slack_user
from jamono.home.settings_model import WorkspaceSettings
from jamono.platform.db import Connection

log = logging.getLogger(__name__)


def owner_of(conn: Connection, source: str) -> tuple[bool, str | None]:
    """(exists, its author) for a document source; authorless documents came from operators."""
    row = conn.execute(
        "SELECT created_by FROM knowledge_documents WHERE tenant_id = jamono_current_tenant() AND source = %s",
        [source],
    ).fetchone()
    if row is None:
        return False, None
    return True, row["created_by"] if isinstance(row, dict) else row[0]


def may_change(author: str | None, user: str, *, is_admin: bool) -> bool:
    """The author or an admin; a document no person wrote (operators', bundled) only an admin."""
    return is_admin or (author is not None and author == user)


def is_admin(client: Any, user: str, settings: WorkspaceSettings) -> bool:
    try:
        info = slack_user(client.users_info(user=user).data)
    except SlackApiError as exc:
        log.warning("cannot tell whether %s is an admin (%s)", user, exc.response.get("error"))
        return False
    return is_workspace_admin(info, settings)


def private_scope(client: Any, channel: str) -> str | None:
    """The channel itself when it is private (so its threads stay there), else None.

    When Slack cannot say, the conversation is treated as private: scoping too much is safe,
    too little leaks.
    """
    if channel.startswith("D"):
        return channel
    try:
        info = client.conversations_info(channel=channel).get("channel") or {}
    except SlackApiError as exc:
        log.warning("cannot tell whether %s is private (%s): scoping to it", channel, exc.response.get("error"))
        return channel
    if info.get("is_private") or info.get("is_im") or info.get("is_mpim") or info.get("is_group"):
        return channel
    return None
