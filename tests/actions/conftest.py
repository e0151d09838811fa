"""A Slack sandbox of our own (sync clients), a secret box, and stand-ins for the service-level tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from jamono.integrations.retry import RetryPolicy
from jamono.platform.crypto import SecretBox, generate_key
from jamono.workspaces.credentials import CredentialStore, PluginOptions
from tests.standins.jira_api import JiraStandIn

FAST = PluginOptions(timeout_s=0.5, retry=RetryPolicy(max_retries=2, base_delay_s=0.01, max_delay_s=0.05))


@pytest.fixture(scope="session")
def slack() -> Iterator[object]:
    from jamono.sandbox.server import SandboxThread

    thread = SandboxThread()
    sandbox = thread.start()
    sandbox.add_user("U0ADMIN", "admin", real_name="Ada Admin", email="ada@example.com", is_admin=True)
    yield sandbox
    thread.stop()


@pytest.fixture
def slack_client(slack) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.api_url)


@pytest.fixture(scope="session")
def box() -> SecretBox:
    return SecretBox([generate_key()])


@pytest.fixture
def credentials(box: SecretBox) -> CredentialStore:
    return CredentialStore(box, FAST)


@pytest.fixture
def jira() -> Iterator[JiraStandIn]:
    with JiraStandIn() as standin:
        yield standin
