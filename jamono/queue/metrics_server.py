"""The worker fleet's metrics endpoint: every process's samples merged, plus the broker's queue depths.

Runs as a Dramatiq fork of `jamono worker` (see `job_metrics.JobObservability.forks`).
"""

from __future__ import annotations

import hmac
import logging
import os
import signal
import socket
import threading
from collections.abc import Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import dramatiq

log = logging.getLogger(__name__)


class QueueDepth:
    """Messages waiting per queue (ready, delayed, dead), read from the broker at scrape time."""

    def __init__(self, broker: dramatiq.Broker, queues: Iterable[str]) -> None:
        self.broker = broker
        self.queues = sorted(set(queues))

    def counts(self, queue: str) -> dict[str, int]:
        from dramatiq.brokers.redis import RedisBroker

        if isinstance(self.broker, RedisBroker):
            ns, client = self.broker.namespace, self.broker.client
            pipe = client.pipeline(transaction=False)
            pipe.llen(f"{ns}:{queue}")
            pipe.llen(f"{ns}:{queue}.DQ")
            pipe.zcard(f"{ns}:{queue}.XQ")
            ready, delayed, dead = pipe.execute()
        else:  # RabbitMQ
            ready, delayed, dead = self.broker.get_queue_message_counts(queue)  # type: ignore[attr-defined]
        return {"ready": int(ready), "delayed": int(delayed), "dead": int(dead)}

    def collect(self):  # noqa: ANN201 — prometheus' collector protocol
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "jamono_queue_messages", "Messages in the broker per queue and state.", labels=["queue", "state"]
        )
        for queue in self.queues:
            try:
                counts = self.counts(queue)
            except Exception as exc:  # a scrape must answer even when the broker does not
                log.warning("queue depth unavailable: %s", type(exc).__name__)
                continue
            for state, n in counts.items():
                family.add_metric([queue, state], n)
        yield family


def serve_worker_metrics() -> int:
    """Dramatiq fork: merge every worker process's samples and serve them on WORKER_METRICS_PORT."""
    from prometheus_client import CollectorRegistry, multiprocess

    from jamono.platform.settings import get_settings
    from jamono.queue.connection import connect
    from jamono.queue.names import ANSWER_QUEUES, NOX_QUEUE, REMIND_QUEUE

    settings = get_settings()
    port = int(os.environ.get("JAMONO_WORKER_METRICS_PORT", settings.worker_metrics_port))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(QueueDepth(connect(settings), [NOX_QUEUE, *ANSWER_QUEUES, REMIND_QUEUE]))
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    try:
        server = start_metrics_server(settings.worker_metrics_host, port, registry, token)
    except OSError as exc:  # the workers keep working; only their metrics are not served
        log.error("worker metrics: cannot listen on port %s (%s); set WORKER_METRICS_PORT", port, exc.strerror)
        return 1
    log.info("worker metrics on %s port %s", settings.worker_metrics_host, port)
    # Dramatiq's fork handler exits at the first SIGTERM and "kills" at the second, which a signal
    # to the process group (then forwarded by the supervisor) always brings: one stop, exit 0.
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    while not stopped.wait(1.0):  # a timeout keeps the main thread responsive to signals
        pass
    server.shutdown()
    return 0


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


def start_metrics_server(host: str, port: int, registry: Any, token: str | None) -> WSGIServer:
    """prometheus-client's WSGI app on `host:port`, behind `Authorization: Bearer <token>` when one
    is given. Returned bound, not yet serving (`serve_forever`)."""
    from prometheus_client import make_wsgi_app

    metrics = make_wsgi_app(registry)
    expected = f"Bearer {token}".encode() if token else None

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        given = environ.get("HTTP_AUTHORIZATION", "").encode("latin-1", "replace")
        if expected is not None and not hmac.compare_digest(given, expected):
            start_response("401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")])
            return [b"metrics need Authorization: Bearer <METRICS_TOKEN>\n"]
        return metrics(environ, start_response)

    server_class = _ThreadingServer6 if ":" in host else _ThreadingServer
    return make_server(host, port, app, server_class, handler_class=_QuietHandler)
