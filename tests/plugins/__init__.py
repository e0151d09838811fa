"""Shared fixtures as pytest plugins (loaded by tests/conftest.py), and the helpers they export."""
