"""The "add to knowledge base" modal and its validation (errors go back inside the modal)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from jamono.i18n import Lang, t
from jamono.slack.blockkit import input_block, modal, text_input

KB_ADD_CALLBACK = "kb_add"
TITLE_MAX, CONTENT_MIN, CONTENT_MAX = 200, 20, 50_000


class KbAddForm(BaseModel):
    title: str = Field(min_length=3, max_length=TITLE_MAX)
    content: str = Field(min_length=CONTENT_MIN, max_length=CONTENT_MAX)
    tags: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("title", "content")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.split(",")
        return [tag.strip().lower()[:40] for tag in value if tag and tag.strip()]


def _error(name: str, lang: Lang) -> str:
    values = {"title": {"max": TITLE_MAX}, "content": {"min": CONTENT_MIN, "max": CONTENT_MAX}}.get(name, {})
    return t(f"kb.e_{name}", lang, **values)


def _value(state: dict[str, Any], block_id: str) -> str | None:
    action: dict[str, Any] = next(iter((state.get(block_id) or {}).values()), {})
    return action.get("value")


def parse_kb_add(view_state: dict[str, Any], lang: Lang = "en") -> KbAddForm | dict[str, str]:
    """The form, or Slack's `errors` map keyed by block_id."""
    values = view_state.get("values", {})
    raw = {
        "title": _value(values, "title") or "",
        "content": _value(values, "content") or "",
        "tags": _value(values, "tags") or "",
    }
    try:
        return KbAddForm.model_validate(raw)
    except ValidationError as exc:
        fields = {str(err["loc"][0]) for err in exc.errors()}
        return {name: _error(name, lang) for name in fields}


def kb_add_view(lang: Lang = "en", private_metadata: str = "") -> dict[str, Any]:
    title_input = text_input("value", max_length=TITLE_MAX, placeholder=t("kb.f_title_placeholder", lang), emoji=None)
    content_input = text_input("value", multiline=True, max_length=3000)
    return modal(
        callback_id=KB_ADD_CALLBACK,
        private_metadata=private_metadata,
        title=t("kb.modal_title", lang),
        submit=t("kb.modal_save", lang),
        close=t("kb.modal_cancel", lang),
        emoji=None,
        blocks=[
            input_block("title", t("kb.f_title", lang), title_input, emoji=None),
            input_block("content", t("kb.f_content", lang), content_input, emoji=None),
            input_block(
                "tags",
                t("kb.f_tags", lang),
                text_input("value"),
                optional=True,
                hint=t("kb.f_tags_hint", lang),
                emoji=None,
            ),
        ],
    )
