"""Language detection on short, messy Slack messages."""

from __future__ import annotations

import pytest

from jamono.brain.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "la prod est tombée",
        "ça rame",
        "dispo pour un point ?",
        "on a une fuite mémoire sur payments-api",
        "MEP ce soir 21h",
        "qui est d'astreinte ?",
        "le deploy a fail",
        "c'est KO depuis 09:10",
        "l'api renvoie des 500",
        "merci !",
        "<@U0123ABC> tu peux regarder stp",
        "y'a un souci sur la bdd",
        "qq1 sait comment on rollback ?",
        "toujours KO de mon côté",
    ],
)
def test_french(text: str) -> None:
    assert detect_language(text) == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "api down??",
        "is the api down or is it just me?",
        "can we sync for 15 min?",
        "thanks!",
        "who's on call this week",
        "postgres replication lag is 40s",
        "<@U0123ABC> can you take a look pls",
        "it's getting worse",
        "still failing on my side",
        "how do I roll back a helm release",
    ],
)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


def test_no_evidence_falls_back_to_thread_then_default() -> None:
    assert detect_language("ok 👍", context=["la prod est tombée, on regarde"]) == "fr"
    assert detect_language("ok 👍", context=["the site is down, looking"]) == "en"
    assert detect_language("+1") == "en"
    assert detect_language("+1", default="fr") == "fr"


def test_markup_carries_no_language() -> None:
    # Mentions, links and code must not tip the balance.
    assert detect_language("<@U0LE0LA0> `kubectl get pods -n la` https://le.example.com ça marche pas") == "fr"
    assert detect_language("<@U0DES> `SELECT * FROM les` the query is slow") == "en"
