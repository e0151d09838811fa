"""Stand-ins on loopback and plugins pointed at them, with sleeps recorded instead of slept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from jamono.integrations.google.calendar import GoogleCalendar
from jamono.integrations.jira.tracker import JiraTracker
from tests.integrations.doubles import ORGANIZER, Closer, Sleeps, T  # noqa: F401
from tests.standins.calendar_api import CalendarStandIn, new_private_key
from tests.standins.jira_api import JiraStandIn


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def closer() -> Iterator[Closer]:
    """Registers plugins built inside a test so their connections are closed afterwards."""
    opened: list[Any] = []

    def register(plugin: T) -> T:
        opened.append(plugin)
        return plugin

    yield register
    for plugin in opened:
        plugin.close()


@pytest.fixture
def jira() -> Iterator[JiraStandIn]:
    with JiraStandIn() as standin:
        yield standin


@pytest.fixture
def tracker(jira: JiraStandIn, sleeps: Sleeps) -> Iterator[JiraTracker]:
    with JiraTracker(jira.url, jira.email, jira.api_token, timeout_s=0.5, max_retries=3, sleep=sleeps) as plugin:
        yield plugin


@pytest.fixture(scope="session")
def service_account_key() -> rsa.RSAPrivateKey:
    return new_private_key()


@pytest.fixture
def google() -> Iterator[CalendarStandIn]:
    with CalendarStandIn() as standin:
        yield standin


@pytest.fixture
def calendar(
    google: CalendarStandIn, service_account_key: rsa.RSAPrivateKey, sleeps: Sleeps
) -> Iterator[GoogleCalendar]:
    info = google.new_service_account(private_key=service_account_key)
    with GoogleCalendar.from_service_account(
        info, ORGANIZER, api_endpoint=google.api_endpoint, timeout_s=0.5, max_retries=3, sleep=sleeps
    ) as plugin:
        yield plugin
