"""The "too busy" notice through the Slack sandbox: ephemeral through a command's response_url, in
the thread for a mention or a DM, once per person every ten minutes, in their language; nothing for
follow-ups and watched channels (which do not use up the person's notice either)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from jamono.container import Runtime
from jamono.fairness.busy import tell_too_busy

ENGLISH = "NOX has more questions from this workspace than its plan lets it take at once"
FRENCH = "NOX reçoit plus de questions de cet espace que son offre ne lui permet"


@pytest.fixture
def rt(e2e_settings, sandbox_workspace) -> Iterator[Runtime]:
    runtime = Runtime(e2e_settings)
    yield runtime
    runtime.close()


def _person(sandbox, locale: str = "en-US") -> str:
    user = "U0BUSY" + uuid.uuid4().hex[:5].upper()
    sandbox.add_user(user, user.lower(), locale=locale)
    return user


def _said(sandbox, channel: str, thread_ts: str) -> list[str]:
    return [m["text"] for m in sandbox.bot_messages(channel, thread_ts=thread_ts)]


def test_a_command_is_told_ephemerally_once_per_ten_minutes(rt, sandbox, sandbox_workspace) -> None:
    _, ws = sandbox_workspace
    english, french = _person(sandbox), _person(sandbox, "fr-FR")
    for user, lang, text in ((english, "en", "ask how do I roll back?"), (french, "fr", "ask pod crash")):
        for _ in range(2):
            url = sandbox.response_url_for("C0OPS", user)
            tell_too_busy(rt, ws, {"user": user, "channel": "C0OPS", "text": text, "lang": lang, "response_url": url})
    told = {user: [e["text"] for e in sandbox.ephemerals(user=user)] for user in (english, french)}
    assert len(told[english]) == 1 and ENGLISH in told[english][0]
    assert len(told[french]) == 1 and FRENCH in told[french][0], "a command's own language, not the text's"


def test_a_mention_and_a_dm_are_told_in_their_thread(rt, sandbox, sandbox_workspace) -> None:
    _, ws = sandbox_workspace
    english, french = _person(sandbox), _person(sandbox, "fr-FR")
    mention = sandbox.user_says(english, "C0OPS", "<@U0NOX> how do I restart the api?")
    tell_too_busy(rt, ws, {**mention, "message_type": "app_mention", "channel": "C0OPS"})
    said = _said(sandbox, "C0OPS", mention["ts"])
    assert len(said) == 1 and ENGLISH in said[0]
    again = sandbox.user_says(english, "C0OPS", "<@U0NOX> hello?")
    tell_too_busy(rt, ws, {**again, "message_type": "app_mention", "channel": "C0OPS"})
    assert _said(sandbox, "C0OPS", again["ts"]) == [], "once per person every ten minutes"

    dm = sandbox.dm_channel(french)
    asked = sandbox.user_says(french, dm, "comment redémarrer le service de paiement ?")
    tell_too_busy(rt, ws, {**asked, "message_type": "direct_message", "channel": dm})
    said = _said(sandbox, dm, asked["ts"])
    assert len(said) == 1 and FRENCH in said[0]


def test_follow_ups_get_no_word_and_keep_the_persons_notice(rt, sandbox, sandbox_workspace) -> None:
    _, ws = sandbox_workspace
    user = _person(sandbox)
    root = sandbox.user_says(user, "C0OPS", "<@U0NOX> the api is down")
    for kind in ("thread_reply", "watched_message"):
        reply = sandbox.user_says(user, "C0OPS", "still down", thread_ts=root["ts"])
        tell_too_busy(rt, ws, {**reply, "message_type": kind, "channel": "C0OPS"})
    assert _said(sandbox, "C0OPS", root["ts"]) == []
    mention = sandbox.user_says(user, "C0OPS", "<@U0NOX> anyone?")
    tell_too_busy(rt, ws, {**mention, "message_type": "app_mention", "channel": "C0OPS"})
    said = _said(sandbox, "C0OPS", mention["ts"])
    assert len(said) == 1 and ENGLISH in said[0], "a follow-up used up the person's one notice"
