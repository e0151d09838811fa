"""Who may configure NOX."""

from __future__ import annotations

import pytest

from jamono.home.admin import is_workspace_admin, user_locale
from jamono.home.settings_model import WorkspaceSettings

LISTED = WorkspaceSettings(admins=["U0LISTED"])


@pytest.mark.parametrize(
    "user, expected",
    [
        ({"id": "U1", "is_admin": True}, True),
        ({"id": "U1", "is_owner": True}, True),
        ({"id": "U1", "is_primary_owner": True}, True),
        ({"id": "U1"}, False),
        ({"id": "U0LISTED"}, True),
        ({"id": "U0LISTED", "is_restricted": True}, False),  # guests never, even when listed
        ({"id": "U1", "is_admin": True, "is_ultra_restricted": True}, False),
        ({"id": "U1", "is_admin": True, "deleted": True}, False),
        ({"id": "B1", "is_admin": True, "is_bot": True}, False),
        ({"id": "USLACKBOT", "is_admin": True}, False),
        ({}, False),
    ],
)
def test_is_workspace_admin(user, expected):
    assert is_workspace_admin(user, LISTED) is expected
    assert is_workspace_admin({"ok": True, "user": user}, LISTED) is expected  # the whole users.info response too


def test_user_locale():
    assert user_locale({"user": {"id": "U1", "locale": "fr-CA"}}) == "fr-CA"
    assert user_locale({"id": "U1"}) is None
