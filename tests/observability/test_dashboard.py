"""The Grafana dashboard only charts metrics NOX exports, and has the seed's four boards."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from dramatiq.brokers.stub import StubBroker
from prometheus_client import REGISTRY

import jamono.observability.metrics  # noqa: F401 — registers NOX's metrics
from jamono.queue.metrics_server import QueueDepth

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "nox-dashboard.json"
BOARDS = ["Agent performance", "User engagement", "System health", "Error rates"]
_SUFFIXES = {
    "counter": ["_total"],
    "histogram": ["_bucket", "_sum", "_count"],
    "gauge": [""],
    "summary": ["_sum", "_count", ""],
}


def exported() -> set[str]:
    """Every sample name NOX's web and worker endpoints can show."""
    families = list(REGISTRY.collect()) + list(QueueDepth(StubBroker(), ["nox"]).collect())
    return {family.name + suffix for family in families for suffix in _SUFFIXES.get(family.type, [""])}


def metric_names(expr: str) -> set[str]:
    """The series an expression selects: identifiers left once strings, label matchers, ranges,
    grouping clauses and function calls are taken out."""
    expr = re.sub(r'"[^"]*"', "", expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        rest = expr[match.end() :].lstrip()
        if not rest.startswith("(") and match.group() not in {"and", "or", "unless", "bool", "offset"}:
            names.add(match.group())
    return names


def _panels(items: list[dict]) -> list[dict]:
    found = []
    for panel in items:
        found.append(panel)
        found.extend(_panels(panel.get("panels", [])))
    return found


def test_every_panel_charts_metrics_we_export():
    dashboard = json.loads(DASHBOARD.read_text())
    ours = exported()
    charts = [p for p in _panels(dashboard["panels"]) if p["type"] != "row"]
    assert len(charts) >= 16
    for panel in charts:
        assert panel["targets"], f"panel {panel['title']!r} has no query"
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names, f"panel {panel['title']!r}: no metric in {target['expr']!r}"
            assert names <= ours, f"panel {panel['title']!r} charts {sorted(names - ours)}, which NOX does not export"
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            metric = re.fullmatch(r"label_values\((\w+),\s*\w+\)", variable["query"])
            assert metric and metric.group(1) in ours, variable["query"]


def test_the_seed_s_four_boards_are_rows_with_panels():
    dashboard = json.loads(DASHBOARD.read_text())
    rows = [p for p in dashboard["panels"] if p["type"] == "row"]
    assert [r["title"] for r in rows] == BOARDS
    positions = [dashboard["panels"].index(r) for r in rows] + [len(dashboard["panels"])]
    for start, end in itertools.pairwise(positions):
        assert end - start - 1 >= 3, "every board has several panels"
    ids = [p["id"] for p in _panels(dashboard["panels"])]
    assert len(ids) == len(set(ids))


def test_the_checker_catches_a_metric_we_do_not_export():
    assert metric_names('histogram_quantile(0.9, sum by (le) (rate(nox_made_up_seconds_bucket{a="b"}[5m])))') == {
        "nox_made_up_seconds_bucket"
    }
    assert "nox_made_up_seconds_bucket" not in exported()
    assert {"agent_response_time_seconds_bucket", "jamono_slack_events_total", "jamono_queue_messages"} <= exported()
