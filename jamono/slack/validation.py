"""Jamono's one Block Kit validator: what Slack would refuse in a view or a message's blocks, used by the
App Home and by the Slack sandbox. Problems read `what is wrong [json-pointer:/where]`, as Slack's do.
Why and how: docs/design/home.md."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jamono.slack.limits import (
    ACTIONS_ELEMENTS_MAX,
    BUTTON_TEXT_MAX,
    BUTTON_VALUE_MAX,
    CONTEXT_ELEMENTS_MAX,
    FIELD_TEXT_MAX,
    FIELDS_MAX,
    HEADER_TEXT_MAX,
    HINT_MAX,
    ID_MAX,
    LABEL_MAX,
    MESSAGE_BLOCKS_MAX,
    MODAL_TITLE_MAX,
    OPTION_TEXT_MAX,
    OPTION_VALUE_MAX,
    OPTIONS_MAX,
    PLACEHOLDER_MAX,
    PRIVATE_METADATA_MAX,
    RADIO_OPTIONS_MAX,
    SECTION_TEXT_MAX,
    TEXT_INPUT_MAX,
    VIEW_BLOCKS_MAX,
)

_INTERACTIVE = {
    "button",
    "static_select",
    "multi_static_select",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "radio_buttons",
    "checkboxes",
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "datepicker",
    "timepicker",
    "overflow",
}


def at(where: str, what: str) -> str:
    """One problem, worded like Slack's errors."""
    return f"{what} [json-pointer:{where}]"


def validate_view(view: Any, root: str = "/view") -> list[str]:
    """Every reason Slack would refuse this view (home or modal); empty when it is fine."""
    if not isinstance(view, dict):
        return [at(root, "must be an object")]
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("home", "modal"):
        problems.append(at(f"{root}/type", f"{kind!r} is not home or modal"))
    if kind == "modal":
        problems += _modal(view, root)
    for key in ("callback_id", "external_id"):
        if len(str(view.get(key) or "")) > ID_MAX:
            problems.append(at(f"{root}/{key}", f"longer than {ID_MAX} characters"))
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA_MAX:
        problems.append(at(f"{root}/private_metadata", f"longer than {PRIVATE_METADATA_MAX} characters"))
    return problems + validate_blocks(view.get("blocks"), limit=VIEW_BLOCKS_MAX, pointer=f"{root}/blocks")


def _modal(view: dict[str, Any], root: str) -> list[str]:
    problems = _text(view.get("title"), f"{root}/title", MODAL_TITLE_MAX, plain_only=True)
    for key in ("submit", "close"):
        if key in view:
            problems += _text(view[key], f"{root}/{key}", MODAL_TITLE_MAX, plain_only=True)
    blocks = view.get("blocks")
    if (
        isinstance(blocks, list)
        and "submit" not in view
        and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    ):
        problems.append(at(f"{root}/submit", "a modal with inputs needs a submit button"))
    return problems


def validate_blocks(blocks: Any, *, limit: int = MESSAGE_BLOCKS_MAX, pointer: str = "/blocks") -> list[str]:
    """Every reason a list of blocks (a message's or a view's) is invalid."""
    if not isinstance(blocks, list):
        return [at(pointer, "must be a list")]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(at(pointer, f"must be less than {limit + 1} items ({len(blocks)} blocks)"))
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict):
            problems.append(at(where, "must be an object"))
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id or len(block_id) > ID_MAX:
                problems.append(at(f"{where}/block_id", f"must be 1 to {ID_MAX} characters"))
            elif block_id in seen_block_ids:
                problems.append(at(f"{where}/block_id", f"duplicate {block_id!r}"))
            else:
                seen_block_ids.add(block_id)
        problems += _block(block, where)
    return problems


def _block(block: dict[str, Any], where: str) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return _text(block.get("text"), f"{where}/text", HEADER_TEXT_MAX, plain_only=True)
    check = _BLOCK_CHECKS.get(kind) if isinstance(kind, str) else None
    if check is not None:
        return check(block, where)
    if not isinstance(kind, str) or not kind:
        return [at(f"{where}/type", "missing")]
    return []  # divider, image, …: nothing we send can break them


def _context(block: dict[str, Any], where: str) -> list[str]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS_MAX:
        return [at(f"{where}/elements", f"1 to {CONTEXT_ELEMENTS_MAX} elements")]
    problems: list[str] = []
    for i, element in enumerate(elements):
        if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
            problems += _text(element, f"{where}/elements/{i}", SECTION_TEXT_MAX)
    return problems


def _actions(block: dict[str, Any], where: str) -> list[str]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not 1 <= len(elements) <= ACTIONS_ELEMENTS_MAX:
        return [at(f"{where}/elements", f"1 to {ACTIONS_ELEMENTS_MAX} elements")]
    problems: list[str] = []
    action_ids: set[str] = set()
    for i, element in enumerate(elements):
        problems += _element(element, f"{where}/elements/{i}")
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if isinstance(action_id, str) and action_id in action_ids:
            problems.append(at(f"{where}/elements/{i}/action_id", f"duplicate {action_id!r}"))
        elif isinstance(action_id, str):
            action_ids.add(action_id)
    return problems


def _input(block: dict[str, Any], where: str) -> list[str]:
    problems = _text(block.get("label"), f"{where}/label", LABEL_MAX, plain_only=True)
    if "hint" in block:
        problems += _text(block["hint"], f"{where}/hint", HINT_MAX, plain_only=True)
    element = block.get("element")
    if not isinstance(element, dict):
        return problems + [at(f"{where}/element", "required")]
    return problems + _element(element, f"{where}/element")


def _section(block: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        problems.append(at(where, "needs text or fields"))
    if text is not None:
        problems += _text(text, f"{where}/text", SECTION_TEXT_MAX)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > FIELDS_MAX:
            count = len(fields) if isinstance(fields, list) else "?"
            problems.append(at(f"{where}/fields", f"{count} fields (max {FIELDS_MAX})"))
        else:
            for i, field in enumerate(fields):
                problems += _text(field, f"{where}/fields/{i}", FIELD_TEXT_MAX)
    if "accessory" in block:
        problems += _element(block["accessory"], f"{where}/accessory")
    return problems


def _element(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [at(where, "must be an object")]
    kind = element.get("type")
    problems: list[str] = []
    if kind in _INTERACTIVE:
        action_id = element.get("action_id")
        if action_id is not None and (not isinstance(action_id, str) or not action_id or len(action_id) > ID_MAX):
            problems.append(at(f"{where}/action_id", f"must be 1 to {ID_MAX} characters"))
    if "placeholder" in element:
        problems += _text(element["placeholder"], f"{where}/placeholder", PLACEHOLDER_MAX, plain_only=True)
    if kind == "button":
        problems += _button(element, where)
    elif kind in ("static_select", "multi_static_select", "radio_buttons", "checkboxes"):
        problems += _options(
            element, where, RADIO_OPTIONS_MAX if kind in ("radio_buttons", "checkboxes") else OPTIONS_MAX
        )
    elif kind == "plain_text_input":
        problems += _text_input(element, where)
    elif kind == "multi_users_select":
        initial = element.get("initial_users", [])
        if not isinstance(initial, list) or not all(isinstance(u, str) for u in initial):
            problems.append(at(f"{where}/initial_users", "must be a list of user ids"))
    return problems


def _button(element: dict[str, Any], where: str) -> list[str]:
    problems = _text(element.get("text"), f"{where}/text", BUTTON_TEXT_MAX, plain_only=True)
    if len(str(element.get("value") or "")) > BUTTON_VALUE_MAX:
        problems.append(at(f"{where}/value", f"longer than {BUTTON_VALUE_MAX} characters"))
    return problems


def _text_input(element: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    max_length = element.get("max_length", TEXT_INPUT_MAX)
    if not isinstance(max_length, int) or not 1 <= max_length <= TEXT_INPUT_MAX:
        problems.append(at(f"{where}/max_length", f"must be 1 to {TEXT_INPUT_MAX}"))
        max_length = TEXT_INPUT_MAX
    if len(str(element.get("initial_value") or "")) > max_length:
        problems.append(at(f"{where}/initial_value", f"longer than max_length {max_length}"))
    return problems


def _options(element: dict[str, Any], where: str, limit: int) -> list[str]:
    options = element.get("options")
    if not isinstance(options, list) or not 1 <= len(options) <= limit:
        return [at(f"{where}/options", f"1 to {limit} options")]
    problems: list[str] = []
    for i, opt in enumerate(options):
        if not isinstance(opt, dict):
            problems.append(at(f"{where}/options/{i}", "must be an object"))
            continue
        problems += _text(opt.get("text"), f"{where}/options/{i}/text", OPTION_TEXT_MAX)
        if "description" in opt:
            problems += _text(opt["description"], f"{where}/options/{i}/description", OPTION_TEXT_MAX)
        value = opt.get("value")
        if not isinstance(value, str) or not value or len(value) > OPTION_VALUE_MAX:
            problems.append(at(f"{where}/options/{i}/value", f"must be 1 to {OPTION_VALUE_MAX} characters"))
    initial = element.get("initial_option")
    if initial is not None and initial not in options:
        problems.append(at(f"{where}/initial_option", "must be one of the options"))
    return problems


def _text(obj: Any, where: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [at(where, "text object required")]
    kind = obj.get("type")
    if kind not in (("plain_text",) if plain_only else ("plain_text", "mrkdwn")):
        return [at(f"{where}/type", f"{kind!r} not allowed here")]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [at(f"{where}/text", "must not be empty")]
    if len(text) > limit:
        return [at(f"{where}/text", f"{len(text)} characters (max {limit})")]
    return []


_BLOCK_CHECKS: dict[str, Callable[[dict[str, Any], str], list[str]]] = {
    "section": _section,
    "context": _context,
    "actions": _actions,
    "input": _input,
}
