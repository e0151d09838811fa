"""Fixtures for the sandbox's own tests: a sandbox in the test's loop, or in its own thread."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from jamono.sandbox import SandboxThread, SlackSandbox


@pytest.fixture
async def sandbox() -> AsyncIterator[SlackSandbox]:
    async with SlackSandbox() as sb:
        yield sb


@pytest.fixture
async def client(sandbox: SlackSandbox) -> AsyncIterator[AsyncWebClient]:
    web = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    yield web
    if web.session is not None:
        await web.session.close()


@pytest.fixture
def threaded_sandbox() -> Iterator[SlackSandbox]:
    """For the sync WebClient, which would block a loop that also served the sandbox."""
    with SandboxThread() as sb:
        yield sb
