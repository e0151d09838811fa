"""Jamono's one set of Block Kit constructors: they clip text to Slack's limits, so no input makes a block invalid."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from jamono.slack.limits import (
    BUTTON_TEXT_MAX,
    BUTTON_VALUE_MAX,
    CONTEXT_ELEMENTS_MAX,
    FIELD_TEXT_MAX,
    FIELDS_MAX,
    HEADER_TEXT_MAX,
    HINT_MAX,
    LABEL_MAX,
    MODAL_TITLE_MAX,
    OPTION_TEXT_MAX,
    OPTIONS_MAX,
    PLACEHOLDER_MAX,
    RADIO_OPTIONS_MAX,
    SECTION_TEXT_MAX,
    VIEW_BLOCKS_MAX,
)

Block = dict[str, Any]


def clip(text: str, limit: int) -> str:
    """`text` shortened to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def escape(text: str) -> str:
    """User-provided text made inert in mrkdwn (no links, mentions or @channel)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def one_line(text: str) -> str:
    return " ".join(text.split())


def plain(text: str, limit: int = SECTION_TEXT_MAX, *, emoji: bool | None = True) -> dict[str, Any]:
    """A plain_text object; `emoji=None` leaves the flag out (Slack's default applies)."""
    obj: dict[str, Any] = {"type": "plain_text", "text": clip(text, limit) or " "}
    if emoji is not None:
        obj["emoji"] = emoji
    return obj


def mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit) or " "}


def header(text: str, *, emoji: bool | None = True) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT_MAX, emoji=emoji)}


def divider() -> Block:
    return {"type": "divider"}


def section(text: str, *, block_id: str | None = None, accessory: dict[str, Any] | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def fields_section(
    fields: Sequence[str],
    *,
    block_id: str | None = None,
    accessory: dict[str, Any] | None = None,
    text: str | None = None,
) -> Block:
    block: Block = {"type": "section", "fields": [mrkdwn(f, FIELD_TEXT_MAX) for f in fields[:FIELDS_MAX]]}
    if text is not None:
        block["text"] = mrkdwn(text)
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:CONTEXT_ELEMENTS_MAX]]}


def button(
    text: str,
    action_id: str,
    *,
    value: str | None = None,
    style: str | None = None,
    accessibility_label: str | None = None,
    emoji: bool | None = True,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": plain(text, BUTTON_TEXT_MAX, emoji=emoji),
    }
    if value is not None:
        element["value"] = value[:BUTTON_VALUE_MAX]
    if style:
        element["style"] = style
    if accessibility_label:
        element["accessibility_label"] = clip(accessibility_label, BUTTON_TEXT_MAX)
    return element


def actions(elements: list[dict[str, Any]], *, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": elements}
    if block_id:
        block["block_id"] = block_id
    return block


def sections_from_lines(lines: Iterable[str], limit: int = SECTION_TEXT_MAX) -> list[Block]:
    """Lines packed into as few sections as possible, each within Slack's text limit."""
    blocks: list[Block] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def split_sections(text: str, limit: int = SECTION_TEXT_MAX) -> list[Block]:
    """Long mrkdwn as several sections, split at line boundaries and never inside a code fence."""
    room = limit - 10  # space to close and reopen a ``` fence
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > room:
            chunks.append(line[:room])
            line = line[room:]
        if len(current) + len(line) > room:
            if current.count("```") % 2 == 1:
                current += "```"
                line = "```\n" + line
            chunks.append(current)
            current = ""
        current += line
    if current.strip():
        chunks.append(current)
    return [section(c.rstrip()) for c in chunks if c.strip()]


def option(text: str, value: str, description: str | None = None, *, emoji: bool | None = True) -> dict[str, Any]:
    opt: dict[str, Any] = {"text": plain(text, OPTION_TEXT_MAX, emoji=emoji), "value": value}
    if description:
        opt["description"] = plain(description, OPTION_TEXT_MAX)
    return opt


def choice(
    kind: str,
    action_id: str,
    options: list[dict[str, Any]],
    *,
    selected: str | None = None,
    placeholder: str | None = None,
    emoji: bool | None = True,
) -> dict[str, Any]:
    """A static_select, radio_buttons or checkboxes element; `selected` is the initial option's value."""
    limit = RADIO_OPTIONS_MAX if kind in ("radio_buttons", "checkboxes") else OPTIONS_MAX
    element: dict[str, Any] = {"type": kind, "action_id": action_id, "options": options[:limit]}
    chosen = next((o for o in element["options"] if o["value"] == selected), None)
    if selected is not None and chosen is not None:
        element["initial_option"] = chosen
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER_MAX, emoji=emoji)
    return element


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
    emoji: bool | None = True,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, LABEL_MAX, emoji=emoji),
        "element": element,
    }
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint, HINT_MAX, emoji=emoji)
    return block


def text_input(
    action_id: str,
    *,
    initial: str | None = None,
    placeholder: str | None = None,
    max_length: int | None = None,
    multiline: bool = False,
    emoji: bool | None = True,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id}
    if multiline:
        element["multiline"] = True
    if max_length:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial[:max_length] if max_length else initial
    if placeholder:
        element["placeholder"] = plain(placeholder, PLACEHOLDER_MAX, emoji=emoji)
    return element


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: list[Block],
    submit: str | None = None,
    close: str | None = None,
    private_metadata: str = "",
    external_id: str | None = None,
    emoji: bool | None = True,
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_MAX, emoji=emoji),
        "blocks": blocks[:VIEW_BLOCKS_MAX],
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit, MODAL_TITLE_MAX, emoji=emoji)
    if close:
        view["close"] = plain(close, MODAL_TITLE_MAX, emoji=emoji)
    if external_id:
        view["external_id"] = external_id
    return view


def home(blocks: list[Block], *, callback_id: str, private_metadata: str = "") -> dict[str, Any]:
    """An App Home view, within Slack's 100 blocks."""
    return {
        "type": "home",
        "callback_id": callback_id,
        "private_metadata": private_metadata,
        "blocks": blocks[:VIEW_BLOCKS_MAX],
    }
