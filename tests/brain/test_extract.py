"""Slot extraction: durations, attendees, service, summary, title."""

from __future__ import annotations

import pytest

from jamono.brain.extract import (
    extract_attendees,
    extract_duration,
    extract_service,
    meeting_title,
    summarize,
)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("dispo pour un point de 30 min ?", 30),
        ("can we sync for 30 min?", 30),
        ("call de 15mn sur le sujet ?", 15),
        ("on se cale 30mn demain", 30),
        ("1h30 de réunion jeudi", 90),
        ("une heure suffira", 60),
        ("une demi-heure cet aprem ?", 30),
        ("half an hour to go over the plan?", 30),
        ("a half-hour chat?", 30),
        ("an hour and a half workshop", 90),
        ("une heure et demie de revue", 90),
        ("un quart d'heure avant la démo ?", 15),
        ("quick 15 on the dashboard?", 15),
        ("2h workshop on terraform", 120),
        ("a 45-minute review", 45),
        ("can we do a 1h sync", 60),
        ("30-45 min max", 45),
        ("<@U01ABC> <@U02DEF> 20min sync?", 20),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert extract_duration(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "point à 14h ?",  # clock time
        "de 14h à 15h demain",  # clock range
        "call in 5 min",  # delay
        "rdv dans une demi-heure",  # delay
        "ça rame depuis 20 min",  # how long the problem lasts
        "errors for the last 10 minutes",
        "it went down 15 min ago",
        "on peut se capter 2 min ?",  # below the schema's minimum
        "quick call?",
        "ah ok",
        "meeting at 09:30",
    ],
)
def test_not_durations(text: str) -> None:
    assert extract_duration(text) is None


def test_incident_numbers_are_not_meeting_lengths() -> None:
    text = "replication lag 30 min on orders-db, can we get a call going?"
    assert extract_duration(text, near_meeting_word=True) is None
    assert extract_duration("db down, 30 min war room now", near_meeting_word=True) == 30


def test_attendees_exclude_bot_and_duplicates() -> None:
    text = "<@U0NOX> <@U02ABC123> et <@W03XYZ|bob> on se voit ? cc <@U02ABC123>"
    assert extract_attendees(text, bot_user_id="U0NOX") == ["U02ABC123", "W03XYZ"]
    assert extract_attendees("no mentions here") == []


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("payments-api is returning 502s since 09:10", "payments-api"),
        ("la base orders ne répond plus", "base orders"),
        ("checkout is down!!", "checkout"),
        ("the auth service is flapping", "auth"),
        ("le service facturation plante", "facturation"),
        ("l'api users renvoie des 500", "users"),
        ("the orders db is at 95% disk", "orders db"),
        ("`billing-worker` OOMKilled", "billing-worker"),
        ("kafka consumer lag on topic orders-events", "orders-events"),
        ("redis is flapping", "redis"),
    ],
)
def test_service(text: str, service: str) -> None:
    assert extract_service(text) == service


@pytest.mark.parametrize(
    "text",
    ["can we sync on the on-call rotation?", "INC-1234 follow-up", "tout va bien", "est-ce que ça marche ?"],
)
def test_no_service(text: str) -> None:
    assert extract_service(text) is None


def test_summary_strips_markup_and_greeting() -> None:
    text = "<@U02HK7Q1M> hey team, payments-api is returning 502s since 09:10. customers cannot pay. pls look"
    assert summarize(text) == "payments-api is returning 502s since 09:10."
    assert summarize("salut la team ! la prod est tombée") == "La prod est tombée"
    assert summarize("@nox :rotating_light: checkout down <!here>") == "Checkout down"
    assert summarize("<@U1ABC>") is None


def test_summary_is_one_short_line() -> None:
    long = "the api " + "is really very slow " * 30
    summary = summarize(long)
    assert summary is not None and len(summary) <= 140 and "\n" not in summary
    assert summarize("db down\nstack trace follows\n...") == "Db down stack trace follows"


def test_titles() -> None:
    assert meeting_title("can we sync on the postgres migration tomorrow at 10?", "en") == "Sync: postgres migration"
    assert meeting_title("dispo pour un point sur la MEP de ce soir ?", "fr") == "Point : MEP"
    assert meeting_title("on peut faire un point rapide ?", "fr") == "Point rapide"
    assert (
        meeting_title("prod down, war room?", "en", service="payments-api", incident=True) == "War room: payments-api"
    )
    assert len(meeting_title("x" * 500, "en", incident=True)) <= 200
