"""The "add to knowledge base" modal and its validation (errors go back inside the modal)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from jamono.i18n import Lang

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
    return {
        "type": "modal",
        "callback_id": KB_ADD_CALLBACK,
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Base de connaissances" if fr else "Knowledge base"},
        "submit": {"type": "plain_text", "text": "Enregistrer" if fr else "Save"},
        "close": {"type": "plain_text", "text": "Annuler" if fr else "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Titre" if fr else "Title"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "max_length": TITLE_MAX,
                    "placeholder": {
                        "type": "plain_text",
                        "text": "Redis — éviction mémoire" if fr else "Redis — memory eviction",
                    },
                },
            },
            {
                "type": "input",
                "block_id": "content",
                "label": {"type": "plain_text", "text": "Contenu (Markdown)" if fr else "Content (Markdown)"},
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": 3000},
            },
            {
                "type": "input",
                "block_id": "tags",
                "optional": True,
                "label": {"type": "plain_text", "text": "Tags"},
                "hint": {"type": "plain_text", "text": "séparés par des virgules" if fr else "comma-separated"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
        ],
    }
