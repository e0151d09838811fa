"""Block Kit limits checked before a view reaches Slack, which would reject it with a vague error.
Why and how: docs/design/home.md."""

from __future__ import annotations

from typing import Any

from jamono.home.blockkit import (
    BUTTON_TEXT_MAX,
    CONTEXT_ELEMENTS_MAX,
    FIELD_TEXT_MAX,
    FIELDS_MAX,
    HEADER_TEXT_MAX,
    HINT_MAX,
    ID_MAX,
    LABEL_MAX,
    MODAL_TITLE_MAX,
    OPTION_TEXT_MAX,
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
)

VIEW_BLOCKS_MAX = 100
PRIVATE_METADATA_MAX = 3000
ACTIONS_ELEMENTS_MAX = 25
OPTIONS_MAX = 100
RADIO_OPTIONS_MAX = 10
OPTION_VALUE_MAX = 150
BUTTON_VALUE_MAX = 2000
TEXT_INPUT_MAX = 3000
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


def validate_view(view: Any) -> list[str]:
    """Every reason Slack would refuse this view (home or modal); empty when it is fine."""
    if not isinstance(view, dict):
        return ["view: must be an object"]
    problems: list[str] = []
    kind = view.get("type")
    if kind not in ("home", "modal"):
        problems.append(f"type: {kind!r} is not home or modal")
    if kind == "modal":
        problems += _text(view.get("title"), "title", MODAL_TITLE_MAX, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                problems += _text(view[key], key, MODAL_TITLE_MAX, plain_only=True)
        if (
            any(b.get("type") == "input" for b in view.get("blocks", []) if isinstance(b, dict))
            and "submit" not in view
        ):
            problems.append("submit: a modal with inputs needs a submit button")
    for key in ("callback_id", "external_id"):
        if len(str(view.get(key) or "")) > ID_MAX:
            problems.append(f"{key}: longer than {ID_MAX} characters")
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA_MAX:
        problems.append(f"private_metadata: longer than {PRIVATE_METADATA_MAX} characters")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return problems + ["blocks: must be a list"]
    if len(blocks) > VIEW_BLOCKS_MAX:
        problems.append(f"blocks: {len(blocks)} blocks (max {VIEW_BLOCKS_MAX})")
    seen_block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"blocks/{index}"
        if not isinstance(block, dict):
            problems.append(f"{where}: must be an object")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id or len(block_id) > ID_MAX:
                problems.append(f"{where}/block_id: must be 1 to {ID_MAX} characters")
            elif block_id in seen_block_ids:
                problems.append(f"{where}/block_id: duplicate {block_id!r}")
            else:
                seen_block_ids.add(block_id)
        problems += _block(block, where)
    return problems


def _block(block: dict[str, Any], where: str) -> list[str]:
    kind = block.get("type")
    if kind == "section":
        return _section(block, where)
    if kind == "header":
        return _text(block.get("text"), f"{where}/text", HEADER_TEXT_MAX, plain_only=True)
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS_MAX:
            return [f"{where}/elements: 1 to {CONTEXT_ELEMENTS_MAX} elements"]
        problems: list[str] = []
        for i, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                problems += _text(element, f"{where}/elements/{i}", SECTION_TEXT_MAX)
        return problems
    if kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= ACTIONS_ELEMENTS_MAX:
            return [f"{where}/elements: 1 to {ACTIONS_ELEMENTS_MAX} elements"]
        problems = []
        action_ids: set[str] = set()
        for i, element in enumerate(elements):
            problems += _element(element, f"{where}/elements/{i}")
            action_id = element.get("action_id") if isinstance(element, dict) else None
            if action_id is not None and action_id in action_ids:
                problems.append(f"{where}/elements/{i}/action_id: duplicate {action_id!r}")
            action_ids.add(action_id)
        return problems
    if kind == "input":
        problems = _text(block.get("label"), f"{where}/label", LABEL_MAX, plain_only=True)
        if "hint" in block:
            problems += _text(block["hint"], f"{where}/hint", HINT_MAX, plain_only=True)
        element = block.get("element")
        if not isinstance(element, dict):
            return problems + [f"{where}/element: required"]
        return problems + _element(element, f"{where}/element")
    if kind == "divider":
        return []
    if not isinstance(kind, str) or not kind:
        return [f"{where}/type: missing"]
    return []


def _section(block: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        problems.append(f"{where}: needs text or fields")
    if text is not None:
        problems += _text(text, f"{where}/text", SECTION_TEXT_MAX)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > FIELDS_MAX:
            problems.append(
                f"{where}/fields: {len(fields) if isinstance(fields, list) else '?'} fields (max {FIELDS_MAX})"
            )
        else:
            for i, field in enumerate(fields):
                problems += _text(field, f"{where}/fields/{i}", FIELD_TEXT_MAX)
    if "accessory" in block:
        problems += _element(block["accessory"], f"{where}/accessory")
    return problems


def _element(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"{where}: must be an object"]
    kind = element.get("type")
    problems: list[str] = []
    if kind in _INTERACTIVE:
        action_id = element.get("action_id")
        if action_id is not None and (not isinstance(action_id, str) or not action_id or len(action_id) > ID_MAX):
            problems.append(f"{where}/action_id: must be 1 to {ID_MAX} characters")
    if "placeholder" in element:
        problems += _text(element["placeholder"], f"{where}/placeholder", PLACEHOLDER_MAX, plain_only=True)
    if kind == "button":
        problems += _text(element.get("text"), f"{where}/text", BUTTON_TEXT_MAX, plain_only=True)
        if len(str(element.get("value") or "")) > BUTTON_VALUE_MAX:
            problems.append(f"{where}/value: longer than {BUTTON_VALUE_MAX} characters")
    elif kind in ("static_select", "multi_static_select", "radio_buttons", "checkboxes"):
        problems += _options(
            element, where, RADIO_OPTIONS_MAX if kind in ("radio_buttons", "checkboxes") else OPTIONS_MAX
        )
    elif kind == "plain_text_input":
        max_length = element.get("max_length", TEXT_INPUT_MAX)
        if not isinstance(max_length, int) or not 1 <= max_length <= TEXT_INPUT_MAX:
            problems.append(f"{where}/max_length: must be 1 to {TEXT_INPUT_MAX}")
            max_length = TEXT_INPUT_MAX
        if len(str(element.get("initial_value") or "")) > max_length:
            problems.append(f"{where}/initial_value: longer than max_length {max_length}")
    elif kind == "multi_users_select":
        initial = element.get("initial_users", [])
        if not isinstance(initial, list) or not all(isinstance(u, str) for u in initial):
            problems.append(f"{where}/initial_users: must be a list of user ids")
    return problems


def _options(element: dict[str, Any], where: str, limit: int) -> list[str]:
    options = element.get("options")
    if not isinstance(options, list) or not 1 <= len(options) <= limit:
        return [f"{where}/options: 1 to {limit} options"]
    problems: list[str] = []
    for i, opt in enumerate(options):
        if not isinstance(opt, dict):
            problems.append(f"{where}/options/{i}: must be an object")
            continue
        problems += _text(opt.get("text"), f"{where}/options/{i}/text", OPTION_TEXT_MAX)
        if "description" in opt:
            problems += _text(opt["description"], f"{where}/options/{i}/description", OPTION_TEXT_MAX)
        value = opt.get("value")
        if not isinstance(value, str) or not value or len(value) > OPTION_VALUE_MAX:
            problems.append(f"{where}/options/{i}/value: must be 1 to {OPTION_VALUE_MAX} characters")
    initial = element.get("initial_option")
    if initial is not None and initial not in options:
        problems.append(f"{where}/initial_option: must be one of the options")
    return problems


def _text(obj: Any, where: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where}: text object required"]
    kind = obj.get("type")
    if kind not in (("plain_text",) if plain_only else ("plain_text", "mrkdwn")):
        return [f"{where}/type: {kind!r} not allowed here"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"{where}/text: must not be empty"]
    if len(text) > limit:
        return [f"{where}/text: {len(text)} characters (max {limit})"]
    return []
