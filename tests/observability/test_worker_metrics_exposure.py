"""The workers' metrics endpoint faces this machine only, unless a token guards it; and answer
metrics name no workspace unless asked."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, Counter, generate_latest

from jamono.observability import metrics
from jamono.platform.settings import SettingsError, load_settings
from jamono.queue.metrics_server import start_metrics_server


def test_worker_metrics_listen_on_loopback_by_default() -> None:
    settings = load_settings(_env_file=None)
    assert settings.worker_metrics_host == "127.0.0.1"
    registry = CollectorRegistry()
    server = start_metrics_server(settings.worker_metrics_host, 0, registry, None)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_an_exposed_worker_metrics_host_needs_a_token() -> None:
    with pytest.raises(SettingsError, match="WORKER_METRICS_HOST: 0.0.0.0 .* METRICS_TOKEN"):
        load_settings(WORKER_METRICS_HOST="0.0.0.0", _env_file=None)
    assert load_settings(WORKER_METRICS_HOST="0.0.0.0", METRICS_TOKEN="t0k", _env_file=None)
    assert load_settings(WORKER_METRICS_HOST="0.0.0.0", WORKER_METRICS_PORT=0, _env_file=None)  # off: fine


def test_the_token_guards_the_worker_metrics() -> None:
    registry = CollectorRegistry()
    Counter("probe", "a probe", registry=registry).inc()
    server = start_metrics_server("127.0.0.1", 0, registry, "s3cret-t0ken")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/metrics"
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 401
        wrong = urllib.request.Request(url, headers={"Authorization": "Bearer nope"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(wrong, timeout=5)
        good = urllib.request.Request(url, headers={"Authorization": "Bearer s3cret-t0ken"})
        with urllib.request.urlopen(good, timeout=5) as response:
            assert b"probe_total 1.0" in response.read()
    finally:
        server.shutdown()
        server.server_close()


def test_answer_metrics_carry_no_team_id_unless_asked(monkeypatch) -> None:
    monkeypatch.setattr(metrics, "_workspace_labels", None)  # read the setting again (default: off)
    metrics.record_response("T0CUSTOMER1", 0.2, success=True)
    text = generate_latest(metrics.REGISTRY).decode()
    assert "T0CUSTOMER1" not in text and 'workspace="all"' in text
    monkeypatch.setattr(metrics, "_workspace_labels", True)
    metrics.record_response("T0CUSTOMER2", 0.2, success=True)
    assert 'workspace="T0CUSTOMER2"' in generate_latest(metrics.REGISTRY).decode()
