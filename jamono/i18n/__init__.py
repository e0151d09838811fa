"""NOX's words in English and French: one lookup, `t`, over the per-feature catalogs (data) in
`jamono.i18n.catalogs`; keys are unique across catalogs, each with `en` and `fr` (tests/i18n)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeGuard

from jamono.i18n.catalogs import CATALOGS

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("en", "fr")

STRINGS: Mapping[str, Mapping[str, str]] = {
    key: entry for catalog in CATALOGS.values() for key, entry in catalog.items()
}


def is_lang(value: object) -> TypeGuard[Lang]:
    """Whether a value read from Slack, a form or the database is one of our languages."""
    return value in LANGS


def t(key: str, lang: Lang | str = "en", **values: object) -> str:
    """The string `key` in `lang` (English when missing), with `values` filled in."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def resolve_lang(preference: str, locale: str | None = None) -> Lang:
    """The workspace's choice, or with 'auto' the person's Slack locale (fr-FR, fr-CA … → fr)."""
    if is_lang(preference):
        return preference
    return "fr" if (locale or "").lower().startswith("fr") else "en"
