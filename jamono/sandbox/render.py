"""Block Kit and mrkdwn rendered as terminal text, so a person can read NOX in a shell.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BOLD, DIM, ITALIC, STRIKE, RESET = "\x1b[1m", "\x1b[2m", "\x1b[3m", "\x1b[9m", "\x1b[0m"
DIVIDER = "─" * 40

_ANGLE = re.compile(r"<([^<>]+)>")
_STYLES = (
    (re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])"), BOLD),
    (re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])"), ITALIC),
    (re.compile(r"(?<![\w~])~([^~\n]+)~(?![\w~])"), STRIKE),
)


@dataclass(frozen=True)
class Button:
    """A clickable button found in blocks, in reading order (what `:click N` refers to)."""

    action_id: str
    block_id: str | None
    value: str | None
    text: str
    url: str | None = None


def render_message(
    message: Mapping[str, Any],
    *,
    ansi: bool = False,
    number_buttons: bool = False,
    users: Mapping[str, str] | None = None,
) -> str:
    """A stored or API message: blocks when present, else its text, then legacy attachments."""
    text = render_blocks(
        message.get("blocks") or [],
        fallback_text=str(message.get("text") or ""),
        ansi=ansi,
        number_buttons=number_buttons,
        users=users,
    )
    for attachment in message.get("attachments") or []:
        rendered = _render_attachment(attachment, ansi=ansi, users=users)
        if rendered:
            text += ("\n" if text else "") + "\n".join("│ " + line for line in rendered.splitlines())
    return text


def render_blocks(
    blocks: Sequence[Any],
    *,
    fallback_text: str = "",
    ansi: bool = False,
    number_buttons: bool = False,
    users: Mapping[str, str] | None = None,
) -> str:
    if not blocks:
        return render_mrkdwn(fallback_text, ansi=ansi, users=users)
    return _Renderer(ansi=ansi, number_buttons=number_buttons, users=users or {}).blocks(blocks)


def _in_style(style: str, match: re.Match[str]) -> str:
    return f"{style}{match.group(1)}{RESET}"


def render_mrkdwn(text: str, *, ansi: bool = False, users: Mapping[str, str] | None = None) -> str:
    """Slack mrkdwn to text: `<url|label>` → `label (url)`, mentions → @name, entities unescaped."""
    converted = _ANGLE.sub(lambda m: _angle(m.group(1), users or {}), text)
    if ansi:
        for pattern, style in _STYLES:
            converted = pattern.sub(functools.partial(_in_style, style), converted)
    return html.unescape(converted)


def find_buttons(blocks: Sequence[Any]) -> list[Button]:
    """Every button in reading order (section accessories and actions blocks)."""
    found: list[Button] = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        for element in _interactive_elements(block):
            if element.get("type") == "button":
                found.append(
                    Button(
                        str(element.get("action_id", "")),
                        block.get("block_id"),
                        element.get("value"),
                        _plain(element.get("text")),
                        element.get("url"),
                    )
                )
    return found


def _interactive_elements(block: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    elements = list(block.get("elements", [])) if block.get("type") == "actions" else []
    if isinstance(block.get("accessory"), Mapping):
        elements.append(block["accessory"])
    return [e for e in elements if isinstance(e, Mapping)]


def _angle(inner: str, users: Mapping[str, str]) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or users.get(target[1:], target[1:]))
    if target.startswith("#"):
        return "#" + (label or users.get(target[1:], target[1:]))  # the mapping may name channels too
    if target.startswith("!"):
        if label:
            return label
        return "@" + target[1:].split("^")[0]
    return f"{label} ({target})" if label and label != target else target


def _plain(obj: Any) -> str:
    if isinstance(obj, Mapping):
        return html.unescape(str(obj.get("text", "")))
    return "" if obj is None else str(obj)


class _Renderer:
    """One rendering pass; it numbers buttons as it meets them."""

    def __init__(self, *, ansi: bool, number_buttons: bool, users: Mapping[str, str]) -> None:
        self.ansi = ansi
        self.number_buttons = number_buttons
        self.users = users
        self.buttons = 0

    def blocks(self, blocks: Sequence[Any]) -> str:
        parts = [self.block(b) for b in blocks if isinstance(b, Mapping)]
        return "\n".join(p for p in parts if p)

    def block(self, block: Mapping[str, Any]) -> str:
        kind = block.get("type")
        if kind == "header":
            return self.style(_plain(block.get("text")), BOLD, plain="*{}*")
        if kind == "section":
            return self.section(block)
        if kind == "divider":
            return DIVIDER
        if kind == "context":
            items = [self.element(e) for e in block.get("elements", []) if isinstance(e, Mapping)]
            return self.style(" · ".join(i for i in items if i), DIM)
        if kind == "actions":
            return "  ".join(self.element(e) for e in block.get("elements", []) if isinstance(e, Mapping))
        if kind == "image":
            title = _plain(block.get("title"))
            return f"[image: {block.get('alt_text', '')}]" + (f" {title}" if title else "")
        if kind == "rich_text":
            return "\n".join(self.rich(e) for e in block.get("elements", []) if isinstance(e, Mapping))
        if kind == "input":
            element = block.get("element")
            shown = self.element(element) if isinstance(element, Mapping) else ""
            return f"{_plain(block.get('label'))}: {shown}".rstrip()
        if kind == "markdown":
            return str(block.get("text", ""))
        if kind in ("video", "file"):
            return f"[{kind}: {_plain(block.get('title')) or block.get('external_id', '')}]"
        return f"[{kind} block]"

    def section(self, block: Mapping[str, Any]) -> str:
        lines: list[str] = []
        if isinstance(block.get("text"), Mapping):
            lines.append(self.text(block["text"]))
        fields = [self.text(f).replace("\n", " ") for f in block.get("fields", []) if isinstance(f, Mapping)]
        lines += [f"  {f}" for f in fields]
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping):
            lines.append(self.element(accessory))
        return "\n".join(lines)

    def text(self, obj: Mapping[str, Any]) -> str:
        raw = str(obj.get("text", ""))
        return (
            render_mrkdwn(raw, ansi=self.ansi, users=self.users) if obj.get("type") == "mrkdwn" else html.unescape(raw)
        )

    def element(self, element: Mapping[str, Any]) -> str:
        kind = element.get("type")
        if kind in ("mrkdwn", "plain_text"):
            return self.text(element)
        if kind == "image":
            return f"[image: {element.get('alt_text', '')}]"
        if kind == "button":
            self.buttons += 1
            label = f"[ {_plain(element.get('text'))} ]"
            return f"{label} #{self.buttons}" if self.number_buttons else label
        if kind == "overflow":
            return "[ ⋯ ]"
        if kind in ("datepicker", "timepicker", "datetimepicker"):
            chosen = (
                element.get("initial_date") or element.get("initial_time") or _plain(element.get("placeholder")) or kind
            )
            return f"[ {chosen} ]"
        if kind in ("checkboxes", "radio_buttons"):
            return "  ".join(
                f"( ) {_plain(o.get('text'))}" for o in element.get("options", []) if isinstance(o, Mapping)
            )
        if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"):
            return f"[ {_plain(element.get('placeholder')) or '…'} ]"
        if isinstance(kind, str) and "select" in kind:
            initial = element.get("initial_option")
            chosen = _plain(initial.get("text")) if isinstance(initial, Mapping) else _plain(element.get("placeholder"))
            return f"[ {chosen or 'choose'} ▾ ]"
        return f"[{kind}]"

    def rich(self, element: Mapping[str, Any]) -> str:
        kind = element.get("type")
        children = [c for c in element.get("elements", []) if isinstance(c, Mapping)]
        if kind == "rich_text_list":
            ordered = element.get("style") == "ordered"
            indent = "  " * int(element.get("indent", 0))
            return "\n".join(f"{indent}{f'{i}.' if ordered else '•'} {self.rich(c)}" for i, c in enumerate(children, 1))
        if kind == "rich_text_preformatted":
            return "```\n" + "".join(self.inline(c) for c in children) + "\n```"
        if kind == "rich_text_quote":
            return "\n".join("> " + line for line in "".join(self.inline(c) for c in children).splitlines())
        return "".join(self.inline(c) for c in children)

    def inline(self, element: Mapping[str, Any]) -> str:
        kind = element.get("type")
        if kind == "text":
            text = str(element.get("text", ""))
            if self.ansi and element.get("style", {}).get("bold"):
                return f"{BOLD}{text}{RESET}"
            return text
        if kind == "link":
            url, label = str(element.get("url", "")), element.get("text")
            return f"{label} ({url})" if label else url
        if kind == "user":
            user_id = str(element.get("user_id", ""))
            return "@" + self.users.get(user_id, user_id)
        if kind == "channel":
            return "#" + str(element.get("channel_id", ""))
        if kind == "emoji":
            return f":{element.get('name', '')}:"
        if kind == "broadcast":
            return "@" + str(element.get("range", ""))
        if kind == "usergroup":
            return "@" + str(element.get("usergroup_id", ""))
        return str(element.get("text", ""))

    def style(self, text: str, code: str, *, plain: str = "{}") -> str:
        if not text:
            return ""
        return f"{code}{text}{RESET}" if self.ansi else plain.format(text)


def _render_attachment(attachment: Mapping[str, Any], *, ansi: bool, users: Mapping[str, str] | None) -> str:
    if attachment.get("blocks"):
        return render_blocks(attachment["blocks"], ansi=ansi, users=users)
    lines = [str(attachment[k]) for k in ("pretext", "title") if attachment.get(k)]
    if attachment.get("text"):
        lines.append(render_mrkdwn(str(attachment["text"]), ansi=ansi, users=users))
    for field in attachment.get("fields", []) or []:
        if isinstance(field, Mapping):
            lines.append(f"{field.get('title', '')}: {field.get('value', '')}")
    if not lines and attachment.get("fallback"):
        lines.append(str(attachment["fallback"]))
    return "\n".join(lines)
