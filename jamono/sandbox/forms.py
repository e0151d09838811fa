"""A modal's inputs as a form a person fills in by typing (the terminal chat): the fields, their
initial values, and typed text turned into Slack's `view.state.values` entries."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    block_id: str
    action_id: str
    label: str
    element: Mapping[str, Any]
    optional: bool


def _plain(obj: Any) -> str:
    return html.unescape(str(obj.get("text", ""))) if isinstance(obj, Mapping) else ""


def fields(view: Mapping[str, Any]) -> list[Field]:
    found = []
    for index, block in enumerate(view.get("blocks") or []):
        if isinstance(block, Mapping) and block.get("type") == "input" and isinstance(block.get("element"), Mapping):
            element = block["element"]
            found.append(
                Field(
                    str(block.get("block_id") or f"b{index}"),
                    str(element.get("action_id") or ""),
                    _plain(block.get("label")),
                    element,
                    bool(block.get("optional")),
                )
            )
    return found


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = [o for o in element.get("options") or [] if isinstance(o, Mapping)]
    for group in element.get("option_groups") or []:
        if isinstance(group, Mapping):
            options += [o for o in group.get("options") or [] if isinstance(o, Mapping)]
    return options


def _echo(option: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "text": {"type": "plain_text", "text": _plain(option.get("text")), "emoji": True},
        "value": option.get("value"),
    }


def initial_value(element: Mapping[str, Any]) -> dict[str, Any]:
    """What Slack puts in state for an input nobody touched (its initial value, or empty)."""
    kind = str(element.get("type"))
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        return {"type": kind, "value": element.get("initial_value")}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date")}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time")}
    if kind in ("static_select", "radio_buttons"):
        initial = element.get("initial_option")
        return {"type": kind, "selected_option": _echo(initial) if isinstance(initial, Mapping) else None}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": [_echo(o) for o in element.get("initial_options") or []]}
    for single, key in (
        ("users_select", "user"),
        ("conversations_select", "conversation"),
        ("channels_select", "channel"),
    ):
        if kind == single:
            return {"type": kind, f"selected_{key}": element.get(f"initial_{key}")}
        if kind == "multi_" + single:
            return {"type": kind, f"selected_{key}s": list(element.get(f"initial_{key}s") or [])}
    return {"type": kind}


def initial_values(view: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {f.block_id: {f.action_id: initial_value(f.element)} for f in fields(view)}


def _pick(options: list[Mapping[str, Any]], typed: str) -> Mapping[str, Any]:
    typed = typed.strip()
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return options[int(typed) - 1]
    for option in options:
        if typed.lower() in (str(option.get("value", "")).lower(), _plain(option.get("text")).lower()):
            return option
    listed = ", ".join(f"{i}. {_plain(o.get('text'))}" for i, o in enumerate(options, 1))
    raise ValueError(f"choose one of: {listed}")


def _resolve(typed: str, names: Mapping[str, str], prefix: str) -> str:
    """An id, or a name (with or without @/#) from `names` (id -> name)."""
    typed = typed.strip().lstrip(prefix)
    if typed in names:
        return typed
    for ident, name in names.items():
        if name.lower() == typed.lower():
            return ident
    raise ValueError(f"no one or nothing called {prefix}{typed}")


def parse_value(
    element: Mapping[str, Any],
    typed: str,
    *,
    users: Mapping[str, str] | None = None,
    channels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Typed text as the element's state value; ValueError says what to type instead."""
    kind = str(element.get("type"))
    users, channels = users or {}, channels or {}
    many = [part.strip() for part in typed.split(",") if part.strip()]
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        return {"type": kind, "value": typed or None}
    if kind == "datepicker":
        return {"type": kind, "selected_date": typed.strip() or None}
    if kind == "timepicker":
        return {"type": kind, "selected_time": typed.strip() or None}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": _echo(_pick(_options(element), typed)) if typed.strip() else None}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": [_echo(_pick(_options(element), part)) for part in many]}
    if kind == "users_select":
        return {"type": kind, "selected_user": _resolve(typed, users, "@") if typed.strip() else None}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": [_resolve(part, users, "@") for part in many]}
    for single, key in (("conversations_select", "conversation"), ("channels_select", "channel")):
        if kind == single:
            return {"type": kind, f"selected_{key}": _resolve(typed, channels, "#") if typed.strip() else None}
        if kind == "multi_" + single:
            return {"type": kind, f"selected_{key}s": [_resolve(part, channels, "#") for part in many]}
    raise ValueError(f"{kind} cannot be filled in here")


def shown_value(
    value: Mapping[str, Any], users: Mapping[str, str] | None = None, channels: Mapping[str, str] | None = None
) -> str:
    """A field's current state value as a person reads it."""
    users, channels = users or {}, channels or {}
    if value.get("value") is not None:
        return str(value["value"])
    for key in ("selected_date", "selected_time"):
        if value.get(key):
            return str(value[key])
    if isinstance(value.get("selected_option"), Mapping):
        return _plain(value["selected_option"].get("text"))
    if value.get("selected_options"):
        return ", ".join(_plain(o.get("text")) for o in value["selected_options"] if isinstance(o, Mapping))
    if value.get("selected_user"):
        return "@" + users.get(value["selected_user"], value["selected_user"])
    if value.get("selected_users"):
        return ", ".join("@" + users.get(u, u) for u in value["selected_users"])
    for key in ("selected_conversation", "selected_channel"):
        if value.get(key):
            return "#" + channels.get(value[key], value[key])
    for key in ("selected_conversations", "selected_channels"):
        if value.get(key):
            return ", ".join("#" + channels.get(c, c) for c in value[key])
    return ""


def choices(element: Mapping[str, Any]) -> str:
    """The options to choose from, numbered, for selects and radio buttons ('' otherwise)."""
    options = _options(element)
    return " · ".join(f"{i}. {_plain(o.get('text'))}" for i, o in enumerate(options, 1)) if options else ""
