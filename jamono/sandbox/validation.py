"""The checks Slack makes on messages, Block Kit and views that our code can trip over.
Why and how: docs/design/sandbox.md."""

from __future__ import annotations

from typing import Any

from .models import SlackError

MAX_TEXT = 40_000
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3_000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2_000
MAX_HEADER_TEXT = 150
MAX_BLOCK_ID = 255
MAX_ACTION_ELEMENTS = 25
MAX_MODAL_TITLE = 24


def check_message(text: Any, blocks: Any, attachments: Any = None, *, require_content: bool = True) -> None:
    """Raise Slack's error for a message body chat.postMessage/update/postEphemeral would reject."""
    if text is not None and len(str(text)) > MAX_TEXT:
        raise SlackError("msg_too_long")
    if blocks is not None:
        problems = block_problems(blocks, limit=MAX_MESSAGE_BLOCKS, pointer="/blocks")
        if problems:
            raise SlackError(
                "invalid_blocks", errors=problems, response_metadata={"messages": [f"[ERROR] {p}" for p in problems]}
            )
    if require_content and not text and not blocks and not attachments:
        raise SlackError("no_text")


def check_view(view: Any) -> dict[str, Any]:
    """Validate a view for views.*; Slack answers invalid_arguments with pointers."""
    if not isinstance(view, dict):
        raise _invalid_arguments(["must provide an object [json-pointer:/view]"])
    problems: list[str] = []
    view_type = view.get("type")
    if view_type not in ("modal", "home"):
        problems.append("must be one of modal, home [json-pointer:/view/type]")
    if view_type == "modal":
        title = view.get("title")
        title_text = title.get("text", "") if isinstance(title, dict) else ""
        if not title_text:
            problems.append("missing required field: title [json-pointer:/view/title]")
        elif len(title_text) > MAX_MODAL_TITLE:
            problems.append(f"must be less than {MAX_MODAL_TITLE + 1} characters [json-pointer:/view/title/text]")
    problems += block_problems(view.get("blocks", []), limit=MAX_VIEW_BLOCKS, pointer="/view/blocks")
    if problems:
        raise _invalid_arguments(problems)
    return view


def check_metadata(metadata: Any) -> dict[str, Any] | None:
    """Message metadata must be {"event_type": str, "event_payload": object}; {} clears it."""
    if metadata is None or metadata == {}:
        return None
    if not isinstance(metadata, dict):
        raise SlackError("invalid_metadata_format")
    if not isinstance(metadata.get("event_type"), str) or not isinstance(metadata.get("event_payload"), dict):
        raise SlackError("invalid_metadata_format")
    return metadata


def block_problems(blocks: Any, *, limit: int, pointer: str) -> list[str]:
    """Every reason a list of blocks is invalid, in Slack's "[json-pointer:...]" style."""
    if not isinstance(blocks, list):
        return [f"must provide an array [json-pointer:{pointer}]"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"must be less than {limit + 1} items [json-pointer:{pointer}]")
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str) or not block.get("type"):
            problems.append(f"missing required field: type [json-pointer:{where}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or len(block_id) > MAX_BLOCK_ID:
                problems.append(
                    f"must be a string of at most {MAX_BLOCK_ID} characters [json-pointer:{where}/block_id]"
                )
            elif block_id in seen_ids:
                problems.append(f"duplicate block_id [json-pointer:{where}/block_id]")
            else:
                seen_ids.add(block_id)
        problems += _block_rules(block, where)
    return problems


def _block_rules(block: dict[str, Any], where: str) -> list[str]:
    kind = block["type"]
    problems: list[str] = []
    if kind == "section":
        text = block.get("text")
        fields = block.get("fields")
        if text is None and not fields:
            problems.append(f"must provide text or fields [json-pointer:{where}]")
        if text is not None and len(_text_of(text)) > MAX_SECTION_TEXT:
            problems.append(f"must be less than {MAX_SECTION_TEXT + 1} characters [json-pointer:{where}/text/text]")
        if fields is not None:
            if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
                problems.append(f"must be less than {MAX_FIELDS + 1} items [json-pointer:{where}/fields]")
            else:
                for i, field in enumerate(fields):
                    if len(_text_of(field)) > MAX_FIELD_TEXT:
                        problems.append(
                            f"must be less than {MAX_FIELD_TEXT + 1} characters [json-pointer:{where}/fields/{i}/text]"
                        )
    elif kind == "header":
        if len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
            problems.append(f"must be less than {MAX_HEADER_TEXT + 1} characters [json-pointer:{where}/text/text]")
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements or len(elements) > MAX_ACTION_ELEMENTS:
            problems.append(f"must provide 1 to {MAX_ACTION_ELEMENTS} elements [json-pointer:{where}/elements]")
    return problems


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def _invalid_arguments(problems: list[str]) -> SlackError:
    return SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {p}" for p in problems]})
