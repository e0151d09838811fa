"""Plain records the sandbox keeps: users, channels, token identities, recorded calls.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


class SlackError(Exception):
    """An ok:false answer: raised by method handlers, turned into Slack's error shape."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass(frozen=True)
class ApiCall:
    """One request the sandbox received, as a test wants to assert on it."""

    method: str
    params: dict[str, Any]
    token: str | None
    time: float
    http_status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    transport: str = "form"  # "json", "form", "multipart" or "query": how the client sent it
    peer: str | None = None  # the client's address:port, one per connection

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        error = self.response.get("error")
        return str(error) if error is not None else None

    def summary(self) -> str:
        """One line for timeout dumps: method, outcome and the parameters that identify it."""
        outcome = "ok" if self.ok else f"{self.http_status} {self.error}"
        keys = ("channel", "ts", "thread_ts", "user", "user_id", "view_id", "name")
        shown = {k: self.params[k] for k in keys if k in self.params}
        text = self.params.get("text")
        if isinstance(text, str) and text:
            shown["text"] = text if len(text) <= 60 else text[:57] + "..."
        return f"{self.method} [{outcome}] {shown}"


@dataclass
class Workspace:
    """A Slack team the sandbox answers for (one by default; OAuth can add more)."""

    team_id: str
    team_name: str
    team_domain: str
    bot_user_id: str
    bot_id: str
    app_id: str
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    plan: str = "pro"  # "free" teams: only canvases tabbed in a channel
    canvases_enabled: bool = True  # an admin can turn canvases off for the team

    @property
    def url(self) -> str:
        return f"https://{self.team_domain}.slack.com/"


@dataclass(frozen=True)
class Identity:
    """Who a token speaks for: what auth.test answers and who a posted message is from."""

    token: str
    team_id: str
    user_id: str
    app_id: str
    bot_id: str | None
    is_bot: bool
    scopes: tuple[str, ...] = ()
    enterprise_id: str | None = None
    is_enterprise_install: bool = False


@dataclass
class User:
    """A workspace member in the sandbox directory."""

    id: str
    name: str
    real_name: str = ""
    tz: str = "Europe/Paris"
    tz_offset: int = 3600
    email: str | None = None
    is_admin: bool = False
    is_owner: bool = False
    is_restricted: bool = False  # a guest (multi-channel); ultra-restricted: single-channel
    is_ultra_restricted: bool = False
    locale: str = "fr-FR"
    is_bot: bool = False
    bot_id: str | None = None
    deleted: bool = False
    team_id: str = "T0SANDBOX"
    updated: int = field(default_factory=lambda: int(time.time()))

    def to_api(self, *, include_locale: bool = False) -> dict[str, Any]:
        """The users.info shape (the fields Slack documents that apps actually read)."""
        real_name = self.real_name or self.name
        profile: dict[str, Any] = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "first_name": real_name.split(" ")[0],
            "last_name": " ".join(real_name.split(" ")[1:]),
            "title": "",
            "phone": "",
            "status_text": "",
            "status_emoji": "",
            "image_48": f"https://avatars.sandbox.invalid/{self.id}_48.png",
            "image_72": f"https://avatars.sandbox.invalid/{self.id}_72.png",
            "team": self.team_id,
        }
        if self.email is not None:
            profile["email"] = self.email
        if self.bot_id is not None:
            profile["bot_id"] = self.bot_id
            profile["always_active"] = True
        data: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": real_name,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": self.tz_offset,
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_owner,
            "is_restricted": self.is_restricted or self.is_ultra_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": self.updated,
            "is_email_confirmed": self.email is not None,
        }
        if include_locale:
            data["locale"] = self.locale
        return data


@dataclass
class Channel:
    """A conversation: public/private channel, DM (im) or group DM (mpim)."""

    id: str
    name: str
    is_im: bool = False
    is_private: bool = False
    is_mpim: bool = False
    user: str | None = None  # the other party of an IM
    members: list[str] = field(default_factory=list)
    is_member: bool = True
    created: int = field(default_factory=lambda: int(time.time()))
    creator: str = "U0DEV"
    topic: str = ""

    @property
    def channel_type(self) -> str:
        """The `channel_type` of message events in this conversation."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        if self.is_private:
            return "group"
        return "channel"

    def to_api(self, *, include_num_members: bool = False) -> dict[str, Any]:
        """The conversations.info shape."""
        if self.is_im:
            data: dict[str, Any] = {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.user,
                "is_user_deleted": False,
                "priority": 0,
                "is_open": True,
            }
            return data
        data = {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private and not self.is_mpim,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_mpim,
            "created": self.created,
            "creator": self.creator,
            "is_archived": False,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "is_member": self.is_member,
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if include_num_members:
            data["num_members"] = len(self.members)
        return data


@dataclass(frozen=True)
class Change:
    """One visible change in the sandbox, in order: what a chat UI or a waiting test reacts to."""

    seq: int
    kind: str  # "posted", "updated", "deleted", "ephemeral", "home", "view", "view_closed", "reaction",
    # "pinned", "bookmarks", "view_errors"
    channel: str | None
    ts: str | None
    message: dict[str, Any]
    user: str | None = None  # the recipient of an ephemeral or a view
