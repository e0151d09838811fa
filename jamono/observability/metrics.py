"""NOX's Prometheus metrics, and the helpers the rest of the code calls to record them.
Why and how: docs/design/observability.md."""

from __future__ import annotations

import functools
import re
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

AGENT = "nox"
F = TypeVar("F", bound=Callable[..., Any])

# --- the ack path (web) -------------------------------------------------------------------------

ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0)
EVENT_TYPES = (
    "app_mention",
    "message",
    "app_home_opened",
    "url_verification",
    "slash_command",
    "block_actions",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "other",
)
EVENT_OUTCOMES = ("queued", "ignored", "refused", "failed")
_EVENT_TYPE_SET = frozenset(EVENT_TYPES)


class AckStats(Collector):
    """Ack latency histogram and Slack events by type and outcome, for the web process."""

    def __init__(self) -> None:
        self._buckets = [0] * (len(ACK_BUCKETS) + 1)  # the last one is +Inf
        self._sum = 0.0
        self._events = {(t, o): 0 for t in EVENT_TYPES for o in EVENT_OUTCOMES}

    def record(self, event_type: str, outcome: str, seconds: float) -> None:
        """One Slack request answered: `event_type` from EVENT_TYPES (else counted as "other")."""
        self._buckets[bisect_left(ACK_BUCKETS, seconds)] += 1
        self._sum += seconds
        key = (event_type, outcome)
        if key in self._events:
            self._events[key] += 1
        else:
            self._events["other", outcome] += 1

    @property
    def count(self) -> int:
        return sum(self._buckets)

    def collect(self) -> Iterable[Metric]:
        cumulative, running = [], 0
        for bound, n in zip((*ACK_BUCKETS, float("inf")), list(self._buckets), strict=True):
            running += n
            cumulative.append((str(bound) if bound != float("inf") else "+Inf", running))
        yield HistogramMetricFamily(
            "jamono_slack_ack_seconds",
            "Time from a Slack request's arrival to NOX's response (the ack).",
            buckets=cumulative,
            sum_value=self._sum,
        )
        events = CounterMetricFamily(
            "jamono_slack_events", "Slack requests by type and outcome.", labels=["type", "outcome"]
        )
        for (event_type, outcome), n in list(self._events.items()):
            events.add_metric([event_type, outcome], n)
        yield events


ACK = AckStats()
REGISTRY.register(ACK)

# --- workers --------------------------------------------------------------------------------------

JOB_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
JOB_SECONDS = Histogram(
    "jamono_job_duration_seconds", "Time a worker spent on a job, by actor.", ["queue", "actor"], buckets=JOB_BUCKETS
)
JOBS = Counter(
    "jamono_jobs",
    "Job attempts by actor and outcome: success, retry, failed (dead letter).",
    ["queue", "actor", "outcome"],
)
JOBS_IN_PROGRESS = Gauge(
    "jamono_jobs_in_progress", "Jobs running now.", ["queue", "actor"], multiprocess_mode="livesum"
)

# --- NOX ------------------------------------------------------------------------------------------

RESPONSE_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120)
AGENT_RESPONSE_SECONDS = Histogram(
    "agent_response_time_seconds",
    "From the Slack event to NOX's answer in the thread, per agent and workspace.",
    ["agent", "workspace"],
    buckets=RESPONSE_BUCKETS,
)
AGENT_RESPONSES = Counter(
    "jamono_agent_responses",
    "NOX's answers by workspace and outcome (success, failure).",
    ["agent", "workspace", "outcome"],
)
LLM_TOKENS = Counter("jamono_llm_tokens", "LLM tokens used, by kind (prompt, completion) and model.", ["kind", "model"])
ACTIONS = Counter("jamono_actions", "Actions (Jira tickets, meetings…) by type and outcome.", ["type", "outcome"])
KB_SEARCH_SECONDS = Histogram(
    "jamono_kb_search_seconds",
    "Knowledge base search latency, by mode.",
    ["mode"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

_SAFE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _label(value: object) -> str:
    """A label value we can expose: short and plain, else "other" (no free text, no secrets)."""
    text = str(value) if value is not None else ""
    return text if _SAFE.fullmatch(text) and not text.startswith(("xox", "sk-")) else "other"


def record_action(action_type: str, outcome: str) -> None:
    """An action NOX took or tried: e.g. ("jira.create_ticket", "created" | "duplicate" | "failed")."""
    ACTIONS.labels(_label(action_type), _label(outcome)).inc()


_workspace_labels: bool | None = None


def workspace_labels() -> bool:
    """METRICS_WORKSPACE_LABELS: whether answer metrics carry Slack team ids (read once)."""
    global _workspace_labels
    if _workspace_labels is None:
        from jamono.platform.settings import SettingsError, get_settings

        try:
            _workspace_labels = get_settings().metrics_workspace_labels
        except SettingsError:
            _workspace_labels = False
    return _workspace_labels


def record_response(workspace: str, seconds: float, *, success: bool) -> None:
    """NOX answered (or visibly failed) an event of `workspace` (a Slack team id), `seconds` after it.
    The team id is a label only when METRICS_WORKSPACE_LABELS asks for it: a scrape of a
    multi-tenant deployment otherwise lists every customer's workspace."""
    team = _label(workspace) if workspace_labels() else "all"
    AGENT_RESPONSE_SECONDS.labels(AGENT, team).observe(max(seconds, 0.0))
    AGENT_RESPONSES.labels(AGENT, team, "success" if success else "failure").inc()


def record_tokens(model: str | None, prompt: int, completion: int) -> None:
    name = _label(model or "unknown")
    if prompt:
        LLM_TOKENS.labels("prompt", name).inc(prompt)
    if completion:
        LLM_TOKENS.labels("completion", name).inc(completion)


def observe_kb_search(search: F) -> F:
    """Decorates knowledge.search.search: its latency per mode (hybrid, vector, text)."""
    children = {mode: KB_SEARCH_SECONDS.labels(mode) for mode in ("hybrid", "vector", "text")}

    @functools.wraps(search)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            child = children.get(kwargs.get("mode", "hybrid"))
            if child is not None:
                child.observe(time.perf_counter() - started)

    return timed  # type: ignore[return-value]


def render(registry: CollectorRegistry = REGISTRY) -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


def slack_event_type(body: dict) -> str:
    """The type a Slack request is counted under (one of EVENT_TYPES)."""
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event")
        kind = event.get("type") if isinstance(event, dict) else None
    elif kind is None and "command" in body:
        kind = "slash_command"
    return kind if kind in _EVENT_TYPE_SET else "other"


def slack_outcome(status: int, queued: bool) -> str:
    if status >= 500:
        return "failed"
    if status >= 400:
        return "refused"
    return "queued" if queued else "ignored"
