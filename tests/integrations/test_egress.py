"""The egress guard, through the real jira (requests/urllib3) and googleapiclient (httplib2) clients.

The stand-ins listen on loopback, which the guard refuses unless allowed: each test says which
policy it runs under. Redirects come from a tiny server on 127.0.0.2 (Linux answers on all of
127/8), so "the Jira host is allowed, the redirect target is not" can be played on one machine.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jamono.integrations import IntegrationError
from jamono.integrations.egress import EgressPolicy, EgressRefused, is_public
from jamono.integrations.google.calendar import GoogleCalendar
from jamono.integrations.jira.tracker import JiraTracker
from jamono.platform.settings import SettingsError, load_settings
from tests.integrations.doubles import ORGANIZER, Closer
from tests.standins.calendar_api import CalendarStandIn
from tests.standins.jira_api import JiraStandIn

STRICT = EgressPolicy()  # no allow-list: what a hosted deployment runs with
LOOPBACK = EgressPolicy.parse("127.0.0.1/32")


class _Scripted(BaseHTTPRequestHandler):
    server: _ScriptedServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.hits.append(self.path)
        status, headers, body = self.server.answer(self.path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


class _ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, answer) -> None:
        super().__init__((host, 0), _Scripted)
        self.answer = answer
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"


def _serve(host: str, answer) -> Iterator[_ScriptedServer]:
    server = _ScriptedServer(host, answer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def jira() -> Iterator[JiraStandIn]:
    with JiraStandIn() as standin:
        yield standin


# -- which addresses --


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.251",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "::1",
        "::",
        "fd00:ec2::254",
        "fc00::1",
        "fe80::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))
    assert not STRICT.address_allowed(address)
    with pytest.raises(EgressRefused):
        STRICT.addresses(address, 443)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "104.16.0.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert STRICT.address_allowed(address) and STRICT.addresses(address, 443) == [address]


def test_the_allow_list_takes_networks_and_host_names() -> None:
    policy = EgressPolicy.parse(" 10.0.0.0/8, jira.internal ,.corp.example", resolver=lambda h, p: ["10.9.9.9"])
    assert policy.addresses("10.20.30.40", 443) == ["10.20.30.40"]
    assert policy.addresses("jira.internal", 443) == ["10.9.9.9"]
    assert policy.addresses("wiki.corp.example", 443) == ["10.9.9.9"]
    with pytest.raises(EgressRefused):
        policy.addresses("192.168.0.1", 443)
    with pytest.raises(EgressRefused):
        EgressPolicy.parse("jira.internal", resolver=lambda h, p: ["192.168.0.7"]).addresses("jira.other", 443)


def test_a_malformed_allow_list_is_named_at_start() -> None:
    with pytest.raises(SettingsError, match="JAMONO_EGRESS_ALLOW"):
        load_settings(JAMONO_EGRESS_ALLOW="10.0.0.0/8, not a host!", _env_file=None)
    assert load_settings(JAMONO_EGRESS_ALLOW="10.0.0.0/8,jira.internal", _env_file=None).egress_allow


# -- Jira, through the jira library's requests session --


def test_jira_on_loopback_is_refused_without_the_allow_list(jira: JiraStandIn, closer: Closer) -> None:
    tracker = closer(
        JiraTracker(jira.url, jira.email, jira.api_token, max_retries=3, egress=STRICT, sleep=lambda s: None)
    )
    with pytest.raises(EgressRefused) as caught:
        tracker.check()
    assert "may not connect to 127.0.0.1" in caught.value.reason and "JAMONO_EGRESS_ALLOW" in caught.value.reason
    assert jira.requests == []  # refused before connecting, and not retried


def test_jira_allowed_explicitly_goes_through_the_guard(jira: JiraStandIn, closer: Closer) -> None:
    tracker = closer(JiraTracker(jira.url, jira.email, jira.api_token, egress=LOOPBACK))
    assert tracker.check().endswith("as NOX")


def test_a_host_name_resolving_to_a_private_address_is_refused(jira: JiraStandIn, closer: Closer) -> None:
    port = jira.url.rsplit(":", 1)[1]
    for private in ("10.1.2.3", "127.0.0.1", "169.254.169.254"):
        lookups: list[str] = []

        def resolver(host: str, _port: int, answer: str = private, lookups: list[str] = lookups) -> list[str]:
            lookups.append(host)
            return [answer]

        policy = EgressPolicy(resolver=resolver)
        tracker = closer(
            JiraTracker(
                f"http://jira.evil.example:{port}", jira.email, jira.api_token, egress=policy, sleep=lambda s: None
            )
        )
        with pytest.raises(EgressRefused):
            tracker.check()
        assert lookups == ["jira.evil.example"]
    assert jira.requests == []


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected(
    jira: JiraStandIn, closer: Closer
) -> None:
    """DNS rebinding needs a second lookup between the check and the connect: there is none."""
    port = jira.url.rsplit(":", 1)[1]
    answers = iter([["127.0.0.1"], ["169.254.169.254"], ["169.254.169.254"]])
    lookups: list[str] = []

    def rebinding(host: str, _port: int) -> list[str]:
        lookups.append(host)
        return next(answers)

    policy = EgressPolicy.parse("127.0.0.1/32", resolver=rebinding)
    tracker = closer(JiraTracker(f"http://jira.rebind.example:{port}", jira.email, jira.api_token, egress=policy))
    assert tracker.check().endswith("as NOX")  # two requests on one kept-alive connection
    assert lookups == ["jira.rebind.example"]


@pytest.mark.parametrize("target", ["loopback", "metadata"])
def test_a_redirect_to_an_internal_address_is_refused(jira: JiraStandIn, closer: Closer, target: str) -> None:
    location = (
        f"{jira.url}/rest/api/2/serverInfo"
        if target == "loopback"
        else "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    )
    for redirector in _serve("127.0.0.2", lambda path: (302, {"Location": location}, b"")):
        policy = EgressPolicy.parse("127.0.0.2/32")  # the Jira host is allowed, the target is not
        tracker = closer(JiraTracker(redirector.url, jira.email, jira.api_token, egress=policy, max_retries=0))
        with pytest.raises(EgressRefused):
            tracker.check()
        assert redirector.hits == ["/rest/api/2/serverInfo"]
    assert jira.requests == []


def test_a_huge_answer_is_cut_off(closer: Closer) -> None:
    huge = json.dumps({"serverTitle": "x" * (2 * 1024 * 1024)}).encode()
    for server in _serve("127.0.0.1", lambda path: (200, {"Content-Type": "application/json"}, huge)):
        tracker = closer(JiraTracker(server.url, "a@b.c", "t", egress=LOOPBACK, max_retries=0))
        with pytest.raises(EgressRefused, match="too large"):
            tracker.check()


def test_jiras_own_words_never_become_the_reason(closer: Closer) -> None:
    body = json.dumps({"errorMessages": ["<!channel> log in at https://evil.example"], "errors": {}}).encode()
    for server in _serve("127.0.0.1", lambda path: (403, {"Content-Type": "application/json"}, body)):
        tracker = closer(JiraTracker(server.url, "a@b.c", "t", egress=LOOPBACK, max_retries=0))
        with pytest.raises(IntegrationError) as caught:
            tracker.check()
    assert caught.value.reason == "Jira refused the request: the account lacks permission"


# -- Google, through googleapiclient and google-auth on httplib2 --


def test_google_endpoints_on_loopback_are_refused_without_the_allow_list(
    google: CalendarStandIn, closer: Closer
) -> None:
    info = google.new_service_account()
    calendar = closer(
        GoogleCalendar.from_service_account(
            info, ORGANIZER, api_endpoint=google.api_endpoint, egress=STRICT, max_retries=0
        )
    )
    with pytest.raises(IntegrationError):
        calendar.check()
    assert google.requests == []


def test_a_token_uri_aimed_at_the_metadata_service_is_refused(google: CalendarStandIn, closer: Closer) -> None:
    grant = google.new_oauth_grant("dan@example.com")
    grant["token_uri"] = "http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token"
    calendar = closer(
        GoogleCalendar.from_user_token(**grant, api_endpoint=google.api_endpoint, egress=LOOPBACK, max_retries=0)
    )
    with pytest.raises(IntegrationError) as caught:
        calendar.check()
    assert "may not connect to 169.254.169.254" in caught.value.reason
    assert google.requests == []


def test_google_redirects_are_not_followed(google: CalendarStandIn, closer: Closer) -> None:
    location = f"{google.url}/token"
    for redirector in _serve("127.0.0.2", lambda path: (307, {"Location": location}, b"")):
        grant = google.new_oauth_grant("dan@example.com")
        grant["token_uri"] = f"{redirector.url}/token"
        policy = EgressPolicy.parse("127.0.0.2/32")
        calendar = closer(
            GoogleCalendar.from_user_token(**grant, api_endpoint=google.api_endpoint, egress=policy, max_retries=0)
        )
        with pytest.raises(IntegrationError):
            calendar.check()
        assert redirector.hits == ["/token"]
    assert google.requests == []


def test_google_allowed_explicitly_works_through_the_guard(google: CalendarStandIn, closer: Closer) -> None:
    grant = google.new_oauth_grant("dan@example.com")
    calendar = closer(GoogleCalendar.from_user_token(**grant, api_endpoint=google.api_endpoint, egress=LOOPBACK))
    assert calendar.check() == "Google Calendar dan@example.com (UTC)"


def test_a_token_endpoints_words_never_become_the_reason(closer: Closer) -> None:
    """The token_uri is the tenant's: only an OAuth error code (invalid_grant…) is repeated."""
    body = json.dumps({"error": "<!channel> log in at https://evil.example", "error_description": "now"}).encode()
    for server in _serve("127.0.0.1", lambda path: (400, {"Content-Type": "application/json"}, body)):
        calendar = closer(
            GoogleCalendar.from_user_token(
                refresh_token="r",
                client_id="c",
                client_secret="s",
                token_uri=f"{server.url}/token",
                api_endpoint=f"{server.url}/calendar/v3/",
                egress=LOOPBACK,
                max_retries=0,
            )
        )
        with pytest.raises(IntegrationError) as caught:
            calendar.check()
    assert caught.value.reason == "Google rejected the credentials (token refresh failed)"
