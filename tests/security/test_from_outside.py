"""NOX attacked from outside, over HTTP only: the real `jamono serve` and `jamono worker` as
subprocesses, Slack as the sandbox, real PostgreSQL and Redis. Each attack must end in a refusal in
our words: no 500, no traceback, and no secret or message text in the processes' logs."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from jamono.platform.settings import SANDBOX_SIGNING_SECRET
from jamono.sandbox.sender import SlackEventSender
from jamono.sandbox.signing import signed_headers
from tests.reliability import rig

# Words we send that must never reach a log line (every attack's text carries one).
MARKER = "quokka" + uuid.uuid4().hex[:6]
JIRA_TOKEN = "jira-token-" + uuid.uuid4().hex
OAUTH_CODE = "oauthcode" + uuid.uuid4().hex
ADMIN = "U0SECADMIN"
MEMBER = "U0SECMEMBR"


class Stack:
    def __init__(self, sandbox: Any, env: dict[str, str], multi_env: dict[str, str], logs: Path) -> None:
        self.sandbox = sandbox
        self.env = env
        self.multi_env = multi_env
        self.logs = logs
        self.url = ""
        self.multi_url = ""
        self.procs: list[rig.Proc] = []

    def secrets(self) -> list[str]:
        return [
            SANDBOX_SIGNING_SECRET,
            self.sandbox.bot_token,
            self.sandbox.client_secret,
            self.multi_env["JAMONO_ENCRYPTION_KEYS"],
            JIRA_TOKEN,
            OAUTH_CODE,
        ]

    def log_text(self) -> str:
        return "\n".join(p.log_path.read_text(errors="replace") for p in self.procs if p.log_path.exists())


@pytest.fixture(scope="module")
def stack(admin_database_url: str, pool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    import app
    from jamono.platform.crypto import generate_key
    from jamono.platform.embedded import EmbeddedRedis
    from jamono.platform.tenancy import register_workspace
    from jamono.sandbox.server import SandboxThread
    from knowledge.embeddings import get_embedder
    from knowledge.ingest import load_bundled

    logs = tmp_path_factory.mktemp("from-outside")
    server = EmbeddedRedis(tmp_path_factory.mktemp("outside-redis"), persistent=False)
    redis_url = server.start()
    thread = SandboxThread()
    thread.start()
    sandbox = thread.sandbox
    sandbox.add_user(ADMIN, "secadmin", is_admin=True, locale="en-US")
    sandbox.add_user(MEMBER, "secmember", locale="en-US")
    env = rig.service_env(
        database_url=admin_database_url,
        redis_url=redis_url,
        sandbox=sandbox,
        LOG_LEVEL="INFO",
        JOB_MAX_RETRIES="1",
        # A self-hosted operator allows its internal Jira (the redirector on 127.0.0.2): redirects
        # from there are still checked hop by hop, and the rest of loopback stays refused.
        JAMONO_EGRESS_ALLOW="127.0.0.2/32",
    )
    multi_env = {
        **env,
        "SLACK_CLIENT_ID": sandbox.client_id,
        "SLACK_CLIENT_SECRET": sandbox.client_secret,
        "JAMONO_ENCRYPTION_KEYS": generate_key(),
    }
    multi_env.pop("SLACK_BOT_TOKEN")
    env["JAMONO_ENCRYPTION_KEYS"] = multi_env["JAMONO_ENCRYPTION_KEYS"]
    settings = rig.settings_from_env(env)
    workspace = register_workspace(pool, app.identify_workspace(settings))
    load_bundled(pool, workspace.tenant_id, get_embedder(redis_url=redis_url))
    s = Stack(sandbox, env, multi_env, logs)
    s.workspace = workspace  # type: ignore[attr-defined]
    port, multi_port = rig.free_port(), rig.free_port()
    s.procs = [
        rig.start_worker(env, logs / "worker.log", processes=1, threads=4),
        rig.start_web(env, logs / "web.log", port),
        rig.start_web(multi_env, logs / "web-multi.log", multi_port),
    ]
    try:
        rig.wait_port(port, s.procs[1])
        rig.wait_port(multi_port, s.procs[2])
        s.url, s.multi_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{multi_port}"
        yield s
    finally:
        for proc in s.procs:
            proc.stop()
        thread.stop()
        server.stop()


@pytest.fixture
async def sender(stack: Stack) -> Any:
    out = SlackEventSender(
        f"{stack.url}/slack/events",
        SANDBOX_SIGNING_SECRET,
        team_id=stack.sandbox.team_id,
        sandbox=stack.sandbox,
        timeout=30,
    )
    yield out
    await out.close()


@pytest.fixture(autouse=True)
def logs_stay_clean(stack: Stack) -> Iterator[None]:
    """After every attack: no traceback, no secret, none of our words in any process's log."""
    before = len(stack.log_text())
    yield
    time.sleep(0.3)
    new = stack.log_text()[before:]
    assert "Traceback" not in new, new[-3000:]
    for secret in stack.secrets():
        assert secret not in new, "a secret reached the logs"
    assert MARKER not in new, f"message text reached the logs: {new[new.find(MARKER) - 300 : new.find(MARKER) + 100]}"


def note(attack: str, status: int, said: str) -> None:
    """One line per attack for the report (pytest -s shows them)."""
    print(f"ATTACK | {attack} | {status} | {said[:240]!r}")


def _clean(status: int, body: str) -> None:
    assert status < 500, body[:500]
    assert "Traceback" not in body and 'File "' not in body


def raw_request(url: str, request: bytes) -> tuple[int, str]:
    """One HTTP request as bytes (headers no client library would send), its status and body."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body.decode(errors="replace")


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as s, s.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()


async def _get(url: str) -> tuple[int, str]:
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as s, s.get(url, allow_redirects=False) as response:
        return response.status, await response.text()


def _mention(sender: SlackEventSender, text: str, channel: str | None = None) -> dict:
    return sender.app_mention("U0DEV", channel or "C" + uuid.uuid4().hex[:9].upper(), text)


# --- signatures --------------------------------------------------------------------------------


async def test_missing_forged_non_ascii_and_stale_signatures_get_401(stack, sender):
    body = json.dumps(_mention(sender, f"hello {MARKER}")).encode()
    events = f"{stack.url}/slack/events"
    missing = await _post(events, body, {"Content-Type": "application/json"})
    forged = await sender.send_event({}, raw_body=body, signature="v0=" + "0" * 64)
    stale = await sender.send_event({}, raw_body=body, timestamp=int(time.time()) - 6 * 60)
    good = signed_headers(SANDBOX_SIGNING_SECRET, body)
    non_ascii = raw_request(
        stack.url,
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"X-Slack-Request-Timestamp: {good['X-Slack-Request-Timestamp']}\r\n".encode()
        + b"X-Slack-Signature: v0="
        + ("é" * 32).encode()
        + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )
    for name, (status, text) in zip(
        ("missing", "forged", "stale", "non-ASCII"),
        (missing, (forged.status, forged.body), (stale.status, stale.body), non_ascii),
        strict=True,
    ):
        note(f"{name} signature", status, text)
        _clean(status, text)
        assert status == 401
    assert not stack.sandbox.bot_messages(json.loads(body)["event"]["channel"])


@pytest.mark.parametrize(
    ("timestamp", "signature", "extra"),
    [
        ("abc", None, b""),
        (str(int(time.time()) + 3600), None, b""),
        ("-1", "v0=", b""),
        (None, "v1=" + "a" * 64, b""),
        (None, "v0=" + "a" * 10_000, b""),
        (None, None, b"X-Pad: " + b"p" * 60_000 + b"\r\n"),
    ],
)
async def test_odd_signature_headers_are_refused_not_crashed(stack, sender, timestamp, signature, extra):
    body = json.dumps(_mention(sender, f"hello {MARKER}")).encode()
    good = signed_headers(SANDBOX_SIGNING_SECRET, body)
    ts = timestamp if timestamp is not None else good["X-Slack-Request-Timestamp"]
    sig = signature if signature is not None else signed_headers(SANDBOX_SIGNING_SECRET, body, 0)["X-Slack-Signature"]
    status, text = raw_request(
        stack.url,
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"X-Slack-Request-Timestamp: {ts}\r\nX-Slack-Signature: {sig}\r\n".encode()
        + extra
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )
    note(f"timestamp {ts[:20]!r}, signature {sig[:12]!r}…, {len(extra)} B extra header", status, text)
    _clean(status, text)
    assert status in (400, 401, 413, 431)


async def test_a_chunked_body_past_the_cap_is_refused(stack):
    chunk = b"x" * 65536
    request = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Transfer-Encoding: chunked\r\nX-Slack-Request-Timestamp: 1\r\nX-Slack-Signature: v0=00\r\n\r\n"
        + (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * 40
        + b"0\r\n\r\n"
    )
    try:
        status, text = raw_request(stack.url, request)
    except (ConnectionResetError, BrokenPipeError):
        status, text = 413, "(connection closed by the server)"
    note("2.5 MB chunked body, no Content-Length", status, text)
    _clean(status, text)
    assert status in (401, 413)


async def test_a_replayed_valid_request_inside_the_window_does_nothing_twice(stack, sender):
    envelope = _mention(sender, f"how do I roll back a deployment? {MARKER}")
    body = json.dumps(envelope).encode()
    headers = {"Content-Type": "application/json", **signed_headers(SANDBOX_SIGNING_SECRET, body)}
    first = await _post(f"{stack.url}/slack/events", body, headers)
    await asyncio.sleep(1)
    again = [await _post(f"{stack.url}/slack/events", body, headers) for _ in range(3)]
    assert first[0] == 200 and all(status == 200 for status, _ in again)
    channel, ts = rig.target(envelope)
    await rig.wait_until(lambda: rig.final_reply(stack.sandbox, channel, ts), 30, what="the answer")
    await asyncio.sleep(2)
    assert rig.posts_in_thread(stack.sandbox, channel, ts) == 1
    # A command has no event id to deduplicate on: only the remembered signature stops it.
    form = sender.slash_command("U0DEV", "help")
    cbody = "&".join(f"{k}={quote(v)}" for k, v in form.items()).encode()
    cheaders = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(SANDBOX_SIGNING_SECRET, cbody)}
    answered, replayed = [await _post(f"{stack.url}/slack/events", cbody, cheaders) for _ in range(2)]
    note("replayed mention x3", again[0][0], f"posts in thread: {rig.posts_in_thread(stack.sandbox, channel, ts)}")
    note("replayed /nox help", replayed[0], f"first {answered[1][:60]!r}, replay {replayed[1]!r}")
    assert answered[0] == 200 and answered[1].strip() and replayed == (200, "")


# --- bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"{not json " + MARKER.encode(), "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"type": "event_callback", "event": "' + MARKER.encode() + b'"}', "application/json"),
        (b"payload=%7Bbroken" + MARKER.encode(), "application/x-www-form-urlencoded"),
        (
            b"payload=" + quote(json.dumps({"type": "block_actions", "actions": "x"})).encode(),
            "application/x-www-form-urlencoded",
        ),
        (
            b"payload=" + quote(json.dumps({"type": "view_submission", "view": None})).encode(),
            "application/x-www-form-urlencoded",
        ),
        (
            b"payload="
            + quote(
                json.dumps(
                    {
                        "type": "block_actions",
                        "user": {"id": "U0DEV"},
                        "actions": [{"action_id": "vote_up", "value": MARKER}],
                    }
                )
            ).encode(),
            "application/x-www-form-urlencoded",
        ),
        (b"command=%2Fnox&text=frobnicate", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00" + MARKER.encode(), "application/json"),
        (b"token=x&team_id=T1&" + b"a=" * 5000, "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
)
async def test_malformed_bodies_are_refused_in_one_line(stack, sender, raw, content_type):
    response = await sender.send_event({}, raw_body=raw, content_type=content_type)
    note(f"malformed {content_type} {raw[:60]!r}", response.status, response.body)
    _clean(response.status, response.body)
    assert MARKER not in response.body


async def test_an_oversize_body_gets_413(stack, sender):
    body = b'{"type": "event_callback", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = await sender.send_event({}, raw_body=body)
    note("2 MB body", response.status, response.body)
    _clean(response.status, response.body)
    assert response.status == 413


async def test_unknown_commands_are_answered_with_help_and_no_echo(stack, sender):
    text = f"frobnicate <script>alert(1)</script> {MARKER}"
    response = await sender.send_command(sender.slash_command("U0DEV", text))
    note("/nox frobnicate <script>", response.status, response.body)
    _clean(response.status, response.body)
    assert "<script>" not in response.body
    other = await sender.send_command(sender.slash_command("U0DEV", "status", command="/rm-rf"))
    note("unknown command /rm-rf", other.status, other.body)
    _clean(other.status, other.body)


# --- the install pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "team=T0%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "team=../../etc/passwd",
        "team=T123%0d%0aSet-Cookie:%20evil=1",
        "team=" + "T" * 5000,
    ],
)
async def test_install_refuses_a_team_that_is_not_a_team_id(stack, query):
    status, body = await _get(f"{stack.multi_url}/slack/install?{query}")
    note(f"install?{query[:60]}", status, body)
    _clean(status, body)
    assert "<script>" not in body and "passwd" not in body and "evil=1" not in body


async def test_a_forged_oauth_state_is_refused_and_the_code_never_logged(stack):
    status, body = await _get(f"{stack.multi_url}/slack/oauth_redirect?code={OAUTH_CODE}&state=forged{MARKER}")
    note("oauth_redirect?code=…&state=forged", status, body)
    _clean(status, body)
    assert status >= 400 and OAUTH_CODE not in body and MARKER not in body


@pytest.mark.parametrize("error", ["<script>alert(1)</script>", "plan_limit", "access_denied", "x" * 3000])
async def test_oauth_redirect_errors_render_in_our_words(stack, error):
    status, body = await _get(f"{stack.multi_url}/slack/oauth_redirect?error={quote(error)}&state=nope")
    note(f"oauth_redirect?error={error[:40]}", status, body)
    _clean(status, body)
    assert "<script>alert" not in body and "x" * 100 not in body


# --- what NOX says in a channel ----------------------------------------------------------------


async def test_an_incident_summary_cannot_ping_the_channel(stack, sender):
    before = len(stack.sandbox.calls)
    summary = f"<!channel> <!here> <!subteam^S0ONCALL> <@U0SECADMIN> db down {MARKER}"
    response = await sender.send_command(sender.slash_command("U0DEV", f"incident {summary}"))
    _clean(response.status, response.body)
    views = await stack.sandbox.wait_for(
        lambda: [v for v in stack.sandbox.open_views("U0DEV") if v.get("callback_id") == "nox_incident"], timeout=30
    )
    view = views[-1]
    submitted = await sender.send_interactive(
        sender.view_submission(
            "U0DEV",
            "nox_incident",
            {
                "summary": summary,
                "severity": {"type": "static_select", "selected_option": {"value": "high"}},
                "service": "db",
                "details": f"<!everyone> {MARKER}",
            },
            view_id=view["id"],
            private_metadata=view["private_metadata"],
        )
    )
    _clean(submitted.status, submitted.body)

    def posted() -> list[str]:
        """Text Slack parses for mentions: a message's `text` and mrkdwn objects (not plain_text)."""
        return [
            text
            for c in stack.sandbox.calls[before:]
            if c.method.startswith(("chat.", "conversations.")) and MARKER in json.dumps(c.params)
            for text in _mrkdwn(c.params)
        ]

    await rig.wait_until(lambda: [t for t in posted() if MARKER in t], 30, what="the incident messages")
    await asyncio.sleep(3)
    note("/nox incident <!channel> db down", submitted.status, " / ".join(t for t in posted() if MARKER in t))
    for text in posted():
        for ping in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0SECADMIN>"):
            assert ping not in text, text[:600]


def _mrkdwn(params: Any) -> list[str]:
    found: list[str] = []

    def walk(node: Any, top: bool = False) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str) and (top or node.get("type") == "mrkdwn"):
                found.append(node["text"])
            for key, value in node.items():
                if key in ("topic", "purpose") and isinstance(value, str):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(params, top=True)
    return found


PINGS = ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U0SECADMIN>")


async def test_pings_in_questions_and_runbooks_are_not_repeated_by_nox(stack, sender):
    """A question, a `/nox ask` and a runbook saved with pings and a disguised link: whatever NOX
    quotes back, no ping and no link hiding its destination."""
    before = len(stack.sandbox.calls)
    title = f"Rolling back {MARKER}"
    saved = await sender.send_interactive(
        sender.view_submission(
            "U0DEV",
            "kb_add",
            {
                "title": {"value": {"type": "plain_text_input", "value": title}},
                "content": {
                    "value": {
                        "type": "plain_text_input",
                        "value": f"To roll back {MARKER}: <!channel> run kubectl rollout undo, then log in at "
                        "[SSO](https://evil.example) or <https://evil.example|https://sso.example.com>.",
                    }
                },
                "tags": {"value": {"type": "plain_text_input", "value": ""}},
            },
            private_metadata="C0OPS",
        )
    )
    _clean(saved.status, saved.body)
    await stack.sandbox.wait_for(
        lambda: [e for e in stack.sandbox.ephemerals(user="U0DEV") if title in str(e)], timeout=30
    )
    question = _mention(sender, f"<!here> <!subteam^S0ONCALL> how do I roll back {MARKER}? <!everyone>")
    assert (await sender.send_event(question)).status == 200
    await rig.wait_until(lambda: rig.final_reply(stack.sandbox, *rig.target(question)), 30, what="the answer")
    asked = await sender.send_command(sender.slash_command("U0DEV", f"ask <!channel> how do I roll back {MARKER}?"))
    _clean(asked.status, asked.body)
    await asyncio.sleep(8)
    said = [
        text
        for c in stack.sandbox.calls[before:]
        if c.method.startswith("chat.") or c.method == "response_url"
        for text in _mrkdwn(c.params)
        if MARKER in text or "evil" in text
    ]
    note("pings in a question, /nox ask and a runbook", 200, " / ".join(said)[:240])
    assert said, "NOX said nothing"
    for text in said:
        for ping in PINGS:
            assert ping not in text, text[:600]
        assert "|https://sso.example.com>" not in text and "<https://evil.example|SSO>" not in text, text[:600]


async def test_a_regex_bomb_mention_does_not_delay_the_next_question(stack, sender):
    baseline = _mention(sender, f"how do I restart a crashed pod? {MARKER}")
    started = time.monotonic()
    assert (await sender.send_event(baseline)).status == 200
    await rig.wait_until(lambda: rig.final_reply(stack.sandbox, *rig.target(baseline)), 20, what="the first answer")
    idle = time.monotonic() - started
    shapes = [
        "a" * 39_900,
        "aB" * 19_950,
        "a-_." * 9_975,
        ("é日a1" * 10_000)[:39_900],
    ]
    for shape in shapes:
        response = await sender.send_event(_mention(sender, f"{shape} {MARKER}"))
        _clean(response.status, response.body)
    question = _mention(sender, f"how do I roll back a Kubernetes deployment? {MARKER}")
    started = time.monotonic()
    assert (await sender.send_event(question)).status == 200
    channel, ts = rig.target(question)
    await rig.wait_until(lambda: rig.final_reply(stack.sandbox, channel, ts), 20, what="the ordinary question's answer")
    note(
        "4 x 40k-char mentions then a question",
        200,
        f"answered in {time.monotonic() - started:.1f} s (idle {idle:.1f} s)",
    )
    assert time.monotonic() - started < 20


# --- SSRF through a tenant's Jira --------------------------------------------------------------


class _Redirector(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 — http.server's name
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
        self.end_headers()

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def jira_reset(stack: Stack, pool) -> Iterator[None]:
    """The sandbox team's workspace is shared with other suites: leave its Jira as we found it."""
    from jamono.home.settings_model import save_settings
    from jamono.platform.db import tenant_tx

    yield
    ws = stack.workspace  # type: ignore[attr-defined]
    unset = {"url": None, "email": None, "project_key": None, "issue_type": "Task", "has_token": False}
    with tenant_tx(pool, ws.tenant_id) as conn:
        conn.execute("DELETE FROM integration_credentials WHERE kind = 'jira'")
        save_settings(conn, ws.workspace_id, {"jira": unset})


@pytest.fixture
def redirector() -> Iterator[str]:
    server = HTTPServer(("127.0.0.2", 0), _Redirector)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.2:{server.server_address[1]}"
    server.shutdown()


def _jira_form(url: str) -> dict:
    from jamono.home import ids

    def text(value: str) -> dict:
        return {"value": {"type": "plain_text_input", "value": value}}

    return {
        ids.B_JIRA_URL: text(url),
        ids.B_JIRA_EMAIL: text("attacker@example.com"),
        ids.B_JIRA_TOKEN: text(JIRA_TOKEN),
        ids.B_JIRA_PROJECT: text("OPS"),
        ids.B_JIRA_ISSUE_TYPE: text("Task"),
        **{ids.B_JIRA_PRIORITY.format(severity=s): text("High") for s in ("critical", "high", "medium", "low")},
    }


async def _status(stack: Stack, sender: SlackEventSender) -> str:
    before = len(stack.sandbox.ephemerals(user=ADMIN))
    response = await sender.send_command(sender.slash_command(ADMIN, "status"))
    _clean(response.status, response.body)
    found = await stack.sandbox.wait_for(
        lambda: [e for e in stack.sandbox.ephemerals(user=ADMIN)[before:] if "Jira" in str(e.get("blocks"))], timeout=30
    )
    return str(found[-1]["blocks"])


async def _status_until(stack: Stack, sender: SlackEventSender, done: Any) -> str:
    """`/nox status` again until `done(text)`: the worker caches a workspace's settings for 30 s."""
    deadline = time.monotonic() + 45
    text = await _status(stack, sender)
    while not done(text) and time.monotonic() < deadline:
        await asyncio.sleep(3)
        text = await _status(stack, sender)
    return text


async def test_a_jira_on_loopback_is_refused_in_our_words(stack, sender, jira_reset):
    submission = sender.view_submission(ADMIN, "settings_jira", _jira_form("https://localhost:9/"))
    response = await sender.send_interactive(submission)
    _clean(response.status, response.body)
    status_text = await _status_until(stack, sender, lambda t: "Jira* — not connected" not in t)
    note("Jira URL https://localhost:9/ (settings modal)", response.status, response.body)
    note("then /nox status", 200, status_text[status_text.find("Jira") - 20 :])
    assert "NOX may not connect to localhost" in status_text, status_text
    text = response.body + status_text
    assert "localhost" not in text or "internal" in text
    assert "Connection refused" not in text and "Errno" not in text


async def test_a_jira_that_redirects_to_the_metadata_address_is_refused(stack, sender, pool, redirector, jira_reset):
    from pydantic import SecretStr

    from jamono.home.settings_model import save_settings
    from jamono.platform.crypto import load_secret_box
    from jamono.platform.db import tenant_tx
    from jamono.workspaces.credentials import CredentialStore

    ws = stack.workspace
    settings = rig.settings_from_env(stack.env)
    # Sealed with the stack's key (the process-wide store may hold another suite's).
    store = CredentialStore(load_secret_box(settings))
    with tenant_tx(pool, ws.tenant_id) as conn:
        jira = {"url": "https://jira.example.com", "email": "a@example.com", "project_key": "OPS", "issue_type": "Task"}
        save_settings(conn, ws.workspace_id, {"jira": {**jira, "has_token": True}})
        store.put(conn, ws.workspace_id, "jira_api_token", SecretStr(JIRA_TOKEN))
        store.set_endpoint(conn, ws.workspace_id, "jira", redirector)  # the operator's proxy, say
    text = await _status_until(stack, sender, lambda t: "169.254" in t)
    note("Jira redirecting to 169.254.169.254, /nox status", 200, text[text.find("Jira") - 20 :])
    assert "169.254.169.254" in text and ("may not connect" in text or "internal" in text), text
    assert "security-credentials" not in text
