"""Every test sees the shared services (PostgreSQL, Redis, a pool, a workspace) from tests/plugins."""

pytest_plugins = ["tests.plugins.services", "tests.plugins.stack"]
