"""Metrics and correlation ids for Dramatiq workers, and their `/metrics` endpoint.
Why and how: docs/design/queue.md."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import dramatiq
from dramatiq.broker import MessageProxy
from dramatiq.common import q_name
from dramatiq.middleware import Middleware

from jamono.observability.sentry import tag_ids
from jamono.platform import context
from jamono.queue.names import queue_family

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
        from jamono.queue.metrics_server import serve_worker_metrics

        return [serve_worker_metrics] if self._port and os.environ.get(MULTIPROC_ENV) else []

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        request_id = message.options.get("request_id") or _event_id(message)
        message._jamono_scope = context.begin(context.Scope(request_id, message.message_id))  # type: ignore[attr-defined]
        tag_ids(request_id, message.message_id)  # Sentry's job scope is open by now (its middleware is first)
        message._jamono_started = time.perf_counter()  # type: ignore[attr-defined]
        self._metrics.JOBS_IN_PROGRESS.labels(queue_family(q_name(message.queue_name)), message.actor_name).inc()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        labels = self._finish(message)
        if exception is None:
            self._metrics.JOBS.labels(*labels, "success").inc()

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._finish(message)

    def _finish(self, message: MessageProxy) -> tuple[str, str]:
        labels = (queue_family(q_name(message.queue_name)), message.actor_name)
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
            self._metrics.JOBS.labels(queue_family(q_name(message.queue_name)), message.actor_name, "retry").inc()

    def after_nack(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        """Retries exhausted (or too old): the message goes to the dead-letter queue."""
        self._metrics.JOBS.labels(queue_family(q_name(message.queue_name)), message.actor_name, "failed").inc()

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())


def _event_id(message: MessageProxy) -> str | None:
    """Socket Mode has no web request scope: the Slack event id in the payload still correlates."""
    payload = message.args[0] if message.args else None
    return payload.get("event_id") if isinstance(payload, dict) else None
