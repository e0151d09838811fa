"""Users and conversations the sandbox knows, and how a channel reference resolves.

Not thread-safe on its own: the sandbox state holds one lock around all stores.
"""

from __future__ import annotations

from .ids import new_id
from .models import Channel, SlackError, User


class Directory:
    """The workspace's people and conversations (one directory shared by all workspaces)."""

    def __init__(self, *, bot_user_id: str) -> None:
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.bot_user_id = bot_user_id
        self.auto_create_channels = True
        self.usergroups: dict[str, list[str]] = {}  # user group id (S…) → its members

    # --- users -----------------------------------------------------------------------
    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        return user

    def user(self, user_id: str) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise SlackError("user_not_found") from None

    # --- channels --------------------------------------------------------------------
    def add_channel(self, channel: Channel) -> Channel:
        self.channels[channel.id] = channel
        return channel

    def dm_for(self, user_id: str) -> tuple[Channel, bool]:
        """The bot's DM with a user, opening it if needed; says whether it already existed."""
        for channel in self.channels.values():
            if channel.is_im and channel.user == user_id:
                return channel, True
        channel = Channel(id=new_id("D"), name=user_id, is_im=True, user=user_id, members=[user_id, self.bot_user_id])
        return self.add_channel(channel), False

    def mpim_for(self, user_ids: list[str]) -> tuple[Channel, bool]:
        members = sorted(set(user_ids) | {self.bot_user_id})
        for channel in self.channels.values():
            if channel.is_mpim and sorted(channel.members) == members:
                return channel, True
        names = [self.users[u].name if u in self.users else u for u in members]
        channel = Channel(id=new_id("G"), name="mpdm-" + "--".join(names) + "-1", is_mpim=True, members=members)
        return self.add_channel(channel), False

    def resolve(self, ref: object) -> Channel:
        """Find the channel a method names: an id, a #name, or a user id (meaning the DM).

        Ids starting with C, G or D are created on first use while
        `auto_create_channels` is on, so tests can post anywhere without setup.
        """
        if not isinstance(ref, str) or not ref:
            raise SlackError("channel_not_found")
        if ref in self.channels:
            return self.channels[ref]
        if ref.startswith("#"):
            for channel in self.channels.values():
                if channel.name == ref[1:]:
                    return channel
            raise SlackError("channel_not_found")
        if ref[0] in "UW" and ref in self.users:
            return self.dm_for(ref)[0]
        if self.auto_create_channels and ref[0] in "CGD" and ref[1:].isalnum() and ref.isupper():
            return self.add_channel(_auto_channel(ref))
        raise SlackError("channel_not_found")


def _auto_channel(channel_id: str) -> Channel:
    if channel_id.startswith("D"):
        return Channel(id=channel_id, name=channel_id, is_im=True)
    return Channel(id=channel_id, name=channel_id.lower(), is_private=channel_id.startswith("G"))
