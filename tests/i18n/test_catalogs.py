"""Every catalog entry speaks both languages with the same placeholders, and no key has two homes."""

from __future__ import annotations

import string
from collections import Counter

import pytest

from jamono.i18n import STRINGS, t
from jamono.i18n.catalogs import CATALOGS


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("catalog", sorted(CATALOGS))
def test_every_key_has_english_and_french_with_the_same_placeholders(catalog: str) -> None:
    wrong = {
        key: sorted(entry)
        for key, entry in CATALOGS[catalog].items()
        if set(entry) != {"en", "fr"} or _placeholders(entry["en"]) != _placeholders(entry["fr"])
    }
    assert wrong == {}


def test_a_key_lives_in_one_catalog_only() -> None:
    counts = Counter(key for catalog in CATALOGS.values() for key in catalog)
    assert [key for key, n in counts.items() if n > 1] == []
    assert len(STRINGS) == sum(counts.values())


def test_one_lookup_fills_in_values_and_falls_back_to_english() -> None:
    assert t("act.by", "fr", user="U1") == " par <@U1>"
    assert t("act.by", "de", user="U1") == " by <@U1>"
    assert t("home_title", "en", name="NOX") == "NOX — your DevOps teammate"
