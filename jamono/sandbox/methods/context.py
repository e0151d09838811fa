"""What a Web API method handler gets: parsed params, the caller's identity and the state."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..models import Channel, Identity, SlackError, Workspace
from ..state import SandboxState

T = TypeVar("T")


@dataclass
class MethodContext:
    """One call being answered. Handlers run with `state.lock` held and never block."""

    state: SandboxState
    params: dict[str, Any]
    identity: Identity | None
    client_auth: tuple[str, str] | None = None  # (client_id, client_secret) from HTTP Basic
    posted: list[tuple[Channel, dict[str, Any]]] = field(default_factory=list)  # for event echo

    @property
    def me(self) -> Identity:
        if self.identity is None:  # only methods registered without auth lack one
            raise SlackError("not_authed")
        return self.identity

    @property
    def workspace(self) -> Workspace:
        return self.state.workspace_of(self.identity)

    def arg(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None or value == "" else value

    def require(self, name: str, error: str = "invalid_arguments") -> Any:
        value = self.arg(name)
        if value is None:
            raise SlackError(error, response_metadata={"messages": [f"[ERROR] missing required field: {name}"]})
        return value

    def flag(self, name: str) -> bool:
        return truthy(self.params.get(name))

    def channel(self, name: str = "channel") -> Channel:
        return self.state.directory.resolve(self.arg(name))

    def page(self, items: Sequence[T], *, default_limit: int = 100) -> tuple[list[T], dict[str, Any]]:
        """Cursor pagination as Slack does it: `limit` + opaque `cursor`, next in response_metadata."""
        try:
            limit = int(self.arg("limit", default_limit)) or default_limit
        except ValueError:
            raise SlackError("invalid_limit") from None
        start = decode_cursor(self.arg("cursor"))
        page = list(items[start : start + limit])
        more = start + limit < len(items)
        meta = {"next_cursor": encode_cursor(start + limit) if more else ""}
        return page, {"has_more": more, "response_metadata": meta}


Handler = Callable[[MethodContext], dict[str, Any]]


@dataclass(frozen=True)
class Method:
    handler: Handler
    needs_token: bool = True


def truthy(value: Any) -> bool:
    """Slack flags arrive as true/false, "true"/"false" or "1"/"0" depending on the client."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"next_offset:{offset}".encode()).decode()


def decode_cursor(cursor: Any) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(str(cursor)).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        raise SlackError("invalid_cursor") from None
