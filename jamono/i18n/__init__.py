"""NOX's words in English and French: one lookup, `t`, over the per-feature catalogs (data) in
`jamono.i18n.catalogs`; keys are unique across catalogs, each with `en` and `fr` (tests/i18n)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from jamono.i18n.catalogs import CATALOGS

Lang = Literal["fr", "en"]
LANGS: tuple[Lang, ...] = ("en", "fr")

STRINGS: Mapping[str, Mapping[str, str]] = {
    key: entry for catalog in CATALOGS.values() for key, entry in catalog.items()
}


def t(key: str, lang: Lang | str = "en", **values: object) -> str:
    """The string `key` in `lang` (English when missing), with `values` filled in."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def resolve_lang(preference: str, locale: str | None = None) -> Lang:
    """The workspace's choice, or with 'auto' the person's Slack locale (fr-FR, fr-CA … → fr)."""
    if preference in ("fr", "en"):
        return preference  # type: ignore[return-value]
    return "fr" if (locale or "").lower().startswith("fr") else "en"
