"""Loopback stand-ins for third-party APIs (no network in tests): see each module's docstring."""
