"""A seeded generator of bad `POST /slack/events` requests (each one signed, so the body itself
is what is under test, not the signature check).

Every case is something Slack never sends and NOX must refuse with a 4xx: truncated JSON, wrong
content types, oversized bodies, unicode oddities (lone surrogates, NULs, BOMs, invalid UTF-8)
where the payload's structure expects an identifier, missing fields, wrong types, and
form-encoded `payload=` bodies with junk in them.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
from dataclasses import dataclass
from urllib.parse import urlencode

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Case:
    kind: str
    body: bytes
    content_type: str
    # "4xx": refused. "ack": an envelope of an event type NOX does not know, which must be
    # acknowledged (2xx, else Slack redelivers it and eventually disables the app) and ignored.
    expect: str = "4xx"

    def describe(self) -> str:
        return f"{self.kind} [{self.content_type}] {self.body[:160]!r}{'…' if len(self.body) > 160 else ''}"


ODD_STRINGS = [
    "\ud800",
    "\udfff",
    "a\ud83dz",
    "\x00",
    "\x00\x00",
    "Ev\x00123",
    "\ufeff",
    "\u202e\u202d",
    "\u200b",
    "\uffff",
    "\U0010ffff",
    "é" * 3,
    "𝕳𝖊𝖑𝖑𝖔",
    "\r\n",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
]

WRONG_VALUES = [None, 0, -1, 1.5, 2**70, True, False, [], [1, "x"], {}, {"a": 1}, "", " ", "x" * 5000]
NON_STRINGS = [0, -1, 1.5, 2**70, True, False, [], [1, "x"], {}, {"a": 1}]


def envelope(rng: random.Random, i: int) -> dict:
    kind = rng.choice(["app_mention", "message"])
    ts = f"{1_700_000_000 + i}.{rng.randrange(10**6):06d}"
    event = {
        "type": kind,
        "user": "U0DEV",
        "text": "<@U0NOX> how do I roll back?",
        "ts": ts,
        "channel": rng.choice(["C0OPS", "D0DEV"]),
        "event_ts": ts,
    }
    if kind == "message":
        event["channel_type"] = "im"
    return {
        "token": "x",
        "team_id": "T0SANDBOX",
        "api_app_id": "A0NOX",
        "type": "event_callback",
        "event_id": f"EvFUZZ{i:08d}",
        "event_time": 1_700_000_000,
        "event": event,
    }


REQUIRED_PATHS = [("type",), ("event",), ("event_id",), ("event", "type"), ("event", "channel"), ("event", "ts")]
TYPED_PATHS = REQUIRED_PATHS + [("team_id",), ("event", "user"), ("event", "text"), ("event", "thread_ts")]


def _set(body: dict, path: tuple[str, ...], value) -> None:
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _delete(body: dict, path: tuple[str, ...]) -> None:
    target = body
    for key in path[:-1]:
        target = target[key]
    target.pop(path[-1], None)


def _dumps(value, rng: random.Random) -> bytes:
    # ensure_ascii keeps lone surrogates as \ud800 escapes (what a hostile sender would write).
    text = json.dumps(value, ensure_ascii=rng.random() < 0.7)
    return text.encode("utf-8", "surrogatepass")


def truncated(rng: random.Random, i: int) -> Case:
    raw = json.dumps(envelope(rng, i)).encode()
    return Case("truncated-json", raw[: rng.randrange(0, len(raw) - 1)], JSON)


def wrong_content_type(rng: random.Random, i: int) -> Case:
    raw = json.dumps(envelope(rng, i)).encode()
    ctype = rng.choice(
        [
            "text/plain",
            "application/xml",
            "multipart/form-data; boundary=x",
            "",
            "application/jsonx",
            "application/octet-stream",
            "text/json",
            "application/x-www-form-urlencoded",
        ]
    )
    return Case("wrong-content-type", raw, ctype)


def huge(rng: random.Random, i: int) -> Case:
    choice = rng.randrange(4)
    if choice == 0:  # over the 1 MiB cap
        body = envelope(rng, i)
        body["event"]["text"] = "x" * (1024 * 1024 + rng.randrange(1, 200_000))
        return Case("huge-over-cap", json.dumps(body).encode(), JSON)
    if choice == 1:  # deeply nested JSON under the cap
        depth = rng.choice([1_000, 50_000, 200_000])
        return Case("huge-nesting", b"[" * depth + b"]" * depth, JSON)
    if choice == 2:  # a big object of junk keys and no event
        return Case("huge-junk-keys", json.dumps({f"k{n}": n for n in range(40_000)}).encode(), JSON)
    body = envelope(rng, i)  # a large but well-formed body of the wrong type
    body["type"] = "x" * 500_000
    return Case("huge-type", json.dumps(body).encode(), JSON)


def unicode_oddity(rng: random.Random, i: int) -> Case:
    choice = rng.randrange(5)
    if choice == 0:  # invalid UTF-8 bytes
        raw = json.dumps(envelope(rng, i)).encode()
        cut = rng.randrange(len(raw))
        return Case(
            "invalid-utf8", raw[:cut] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"]) + raw[cut:], JSON
        )
    if choice == 1:  # a BOM or NULs around the JSON
        raw = json.dumps(envelope(rng, i)).encode()
        return Case("bom-or-nul", rng.choice([b"\xef\xbb\xbf" + raw, raw + b"\x00", b"\x00" + raw]), JSON)
    body = envelope(rng, i)  # an odd string where the structure expects a type or identifier
    path = rng.choice([("type",), ("event", "type"), ("event", "channel"), ("event", "ts"), ("event", "thread_ts")])
    _set(body, path, rng.choice(ODD_STRINGS))
    expect = "ack" if path == ("event", "type") else "4xx"
    return Case(f"odd-string-in-{'.'.join(path)}", _dumps(body, rng), JSON, expect)


def missing_field(rng: random.Random, i: int) -> Case:
    body = envelope(rng, i)
    for path in rng.sample(REQUIRED_PATHS, rng.randrange(1, 3)):
        with contextlib.suppress(KeyError, TypeError):
            _delete(body, path)
    return Case("missing-field", _dumps(body, rng), JSON)


def wrong_type(rng: random.Random, i: int) -> Case:
    body = envelope(rng, i)
    path = rng.choice(TYPED_PATHS)
    value = rng.choice(NON_STRINGS if path != ("event",) else [v for v in WRONG_VALUES if not isinstance(v, dict)])
    _set(body, path, copy.deepcopy(value))
    if rng.random() < 0.2:  # or the whole body is not an object
        return Case("wrong-top-level", _dumps(rng.choice([[body], "event_callback", 42, None, True]), rng), JSON)
    return Case(f"wrong-type-{'.'.join(path)}", _dumps(body, rng), JSON)


def form_junk(rng: random.Random, i: int) -> Case:
    choice = rng.randrange(7)
    if choice == 0:
        payload = rng.choice(
            [
                "",
                "{",
                "not json",
                "[]",
                "null",
                "42",
                '"block_actions"',
                '{"type": 1}',
                '{"type": null}',
                "\ud800",
                "\x00",
            ]
        )
        return Case(
            "form-payload-junk",
            urlencode({"payload": payload}, encoding="utf-8", errors="surrogatepass").encode(),
            FORM,
        )
    if choice == 1:  # a known payload type with nothing else
        ptype = rng.choice(
            [
                "block_actions",
                "view_submission",
                "message_action",
                "shortcut",
                "view_closed",
                "block_suggestion",
                "interactive_message",
                "workflow_step_edit",
            ]
        )
        return Case("form-payload-bare-type", urlencode({"payload": json.dumps({"type": ptype})}).encode(), FORM)
    if choice == 2:  # a known type whose fields have the wrong types
        ptype = rng.choice(["block_actions", "view_submission", "message_action", "shortcut"])
        payload = {
            "type": ptype,
            "user": rng.choice(WRONG_VALUES),
            "team": rng.choice(WRONG_VALUES),
            "actions": rng.choice(WRONG_VALUES),
            "view": rng.choice(WRONG_VALUES),
            "callback_id": rng.choice(WRONG_VALUES),
            "trigger_id": rng.choice(WRONG_VALUES),
        }
        return Case("form-payload-wrong-types", urlencode({"payload": json.dumps(payload)}).encode(), FORM)
    if choice == 3:  # form without payload or command
        return Case("form-no-payload", urlencode({rng.choice(["x", "text", "user_id"]): "y"}).encode(), FORM)
    if choice == 4:  # raw junk that is not even a form
        return Case("form-raw-junk", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))), FORM)
    if choice == 5:  # JSON body sent as a form
        return Case("form-json-body", json.dumps(envelope(rng, i)).encode(), FORM)
    payload = urlencode({"payload": "{" * rng.choice([100, 5_000, 100_000])})  # nested junk in payload=
    return Case("form-payload-nesting", payload.encode(), FORM)


GENERATORS = [truncated, wrong_content_type, huge, unicode_oddity, missing_field, wrong_type, form_junk]


def cases(seed: int, n: int) -> list[Case]:
    rng = random.Random(seed)
    out = [GENERATORS[i % len(GENERATORS)](rng, i) for i in range(n)]
    rng.shuffle(out)
    return out
