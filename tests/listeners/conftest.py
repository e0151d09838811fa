# The listener tests use the integration rig (sandbox, real Redis queue, HTTP app on loopback).
from tests.integration.conftest import (  # noqa: F401
    broker,
    bundled_kb,
    e2e_settings,
    isolated,
    nox_url,
    sandbox,
    sandbox_workspace,
    sender,
    worker,
)
