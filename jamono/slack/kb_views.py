"""The "add to knowledge base" modal and its validation (errors go back inside the modal)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from jamono.i18n import Lang
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
        return [t.strip().lower()[:40] for t in value if t and t.strip()]


_MESSAGES = {
    "title": {
        "en": f"Give the document a title (3 to {TITLE_MAX} characters).",
        "fr": f"Donnez un titre au document (3 à {TITLE_MAX} caractères).",
    },
    "content": {
        "en": f"The content must be {CONTENT_MIN} to {CONTENT_MAX:,} characters.",
        "fr": f"Le contenu doit faire entre {CONTENT_MIN} et {CONTENT_MAX:,} caractères.",
    },
    "tags": {"en": "Use at most 20 comma-separated tags.", "fr": "Utilisez au plus 20 tags séparés par des virgules."},
}


def _value(state: dict[str, Any], block_id: str) -> str | None:
    action = next(iter((state.get(block_id) or {}).values()), {})
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
        return {name: _MESSAGES[name][lang] for name in fields}


def kb_add_view(lang: Lang = "en", private_metadata: str = "") -> dict[str, Any]:
    fr = lang == "fr"
    title_input = text_input(
        "value",
        max_length=TITLE_MAX,
        placeholder="Redis — éviction mémoire" if fr else "Redis — memory eviction",
        emoji=None,
    )
    content_input = text_input("value", multiline=True, max_length=3000)
    return modal(
        callback_id=KB_ADD_CALLBACK,
        private_metadata=private_metadata,
        title="Base de connaissances" if fr else "Knowledge base",
        submit="Enregistrer" if fr else "Save",
        close="Annuler" if fr else "Cancel",
        emoji=None,
        blocks=[
            input_block("title", "Titre" if fr else "Title", title_input, emoji=None),
            input_block("content", "Contenu (Markdown)" if fr else "Content (Markdown)", content_input, emoji=None),
            input_block(
                "tags",
                "Tags",
                text_input("value"),
                optional=True,
                hint="séparés par des virgules" if fr else "comma-separated",
                emoji=None,
            ),
        ],
    )
