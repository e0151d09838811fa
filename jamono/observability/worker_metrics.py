"""Metrics and correlation ids for Dramatiq workers, and their `/metrics` endpoint.

`JobObservability` is our small take on `dramatiq.middleware.prometheus`: per actor, job
durations and attempts by outcome (success, retry, failed = dead-lettered), jobs in progress; and
for each job it binds the request id the listener put in the message options, and the job id,
so every log line of the job (slack_sdk's included) carries both.

Several worker processes (`jamono worker --processes N`) share one port: `jamono worker` puts
prometheus-client in multiprocess mode (`prepare_multiprocess`, before anything imports it), each
process writes its samples to files in that directory, and one exposition process forked by
Dramatiq (`serve_worker_metrics`) merges them on `WORKER_METRICS_PORT`, adding queue depths read
from the broker at scrape time. One scrape target per worker machine; `WORKER_METRICS_PORT=0`
turns the endpoint off.
"""

from __future__ import annotations

import hmac
import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import dramatiq
from dramatiq.common import q_name
from dramatiq.middleware import Middleware

from jamono.observability import context
from jamono.observability.sentry import tag_ids

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess(port: int) -> Path | None:
    """Choose and empty the multiprocess directory; call before prometheus_client is imported.

    Returns None when metrics are off (port 0). An operator's own PROMETHEUS_MULTIPROC_DIR wins
    (and is emptied: a previous run's samples would be merged into ours); otherwise each
    `jamono worker` gets a fresh directory, so two on one machine never share files.
    """
    if port == 0:
        return None
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
    else:
        path = Path(tempfile.mkdtemp(prefix=f"jamono-worker-metrics-{port}-"))
    os.environ[MULTIPROC_ENV] = str(path)
    os.environ["JAMONO_WORKER_METRICS_PORT"] = str(port)
    return path


class JobObservability(Middleware):
    """Job durations and outcomes per actor, and the request/job ids bound for the job's logs."""

    def __init__(self, *, port: int = 0) -> None:
        from jamono.observability import metrics

        self._metrics = metrics
        self._port = port

    @property
    def forks(self) -> list[Callable[[], int]]:
        # Only `jamono worker` (multiprocess mode) serves the merged samples from a forked process.
        return [serve_worker_metrics] if self._port and os.environ.get(MULTIPROC_ENV) else []

    def before_process_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        request_id = message.options.get("request_id") or _event_id(message)
        message._jamono_scope = context.begin(context.Scope(request_id, message.message_id))  # type: ignore[attr-defined]
        tag_ids(request_id, message.message_id)  # Sentry's job scope is open by now (its middleware is first)
        message._jamono_started = time.perf_counter()  # type: ignore[attr-defined]
        self._metrics.JOBS_IN_PROGRESS.labels(q_name(message.queue_name), message.actor_name).inc()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: dramatiq.Message,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        labels = self._finish(message)
        if exception is None:
            self._metrics.JOBS.labels(*labels, "success").inc()

    def after_skip_message(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        self._finish(message)

    def _finish(self, message: dramatiq.Message) -> tuple[str, str]:
        labels = (q_name(message.queue_name), message.actor_name)
        started = getattr(message, "_jamono_started", None)
        if started is not None:
            message._jamono_started = None  # type: ignore[attr-defined]
            self._metrics.JOB_SECONDS.labels(*labels).observe(time.perf_counter() - started)
            self._metrics.JOBS_IN_PROGRESS.labels(*labels).dec()
        token = getattr(message, "_jamono_scope", None)
        if token is not None:
            message._jamono_scope = None  # type: ignore[attr-defined]
            context.end(token)
        return labels

    def after_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message, delay: int | None) -> None:
        # Dramatiq's Retries middleware re-enqueues a failed attempt, delayed, with a "retries" count.
        # (When the delay is over the worker moves it to its queue: another enqueue, not counted.)
        if delay is not None and "retries" in message.options:
            self._metrics.JOBS.labels(q_name(message.queue_name), message.actor_name, "retry").inc()

    def after_nack(self, broker: dramatiq.Broker, message: dramatiq.Message) -> None:
        """Retries exhausted (or too old): the message goes to the dead-letter queue."""
        self._metrics.JOBS.labels(q_name(message.queue_name), message.actor_name, "failed").inc()

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())


def _event_id(message: dramatiq.Message) -> str | None:
    """Socket Mode has no web request scope: the Slack event id in the payload still correlates."""
    payload = message.args[0] if message.args else None
    return payload.get("event_id") if isinstance(payload, dict) else None


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

    from jamono.jobs import ANSWERS_QUEUE, NOX_QUEUE
    from jamono.settings import get_settings
    from workers.broker import build_broker

    settings = get_settings()
    port = int(os.environ.get("JAMONO_WORKER_METRICS_PORT", settings.worker_metrics_port))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(QueueDepth(build_broker(settings), [NOX_QUEUE, ANSWERS_QUEUE, "incident_reminders"]))
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

    server_class = _ThreadingServer
    if ":" in host:
        server_class = type("_ThreadingServer6", (_ThreadingServer,), {"address_family": socket.AF_INET6})
    return make_server(host, port, app, server_class, handler_class=_QuietHandler)
