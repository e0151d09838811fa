"""`jamono eval intents --data FILE.jsonl [--json]`: score the offline brain.
Why and how: docs/design/evals.md."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from jamono.brain.offline import OfflineBrain
from jamono.brain.training import INTENTS, SEVERITIES, load_rows, summarize_predictions


def evaluate(data: str | Path, model_path: str | Path | None = None) -> dict[str, Any]:
    """Run the brain over a labelled file and compute the metrics."""
    rows = load_rows(data)
    brain = OfflineBrain(model_path).load()
    gold_intent, pred_intent, gold_sev, pred_sev, gold_meet, pred_meet = [], [], [], [], [], []
    confidence = []
    started = time.perf_counter()
    for row in rows:
        analysis = brain.analyze(str(row["text"]))
        gold_intent.append(INTENTS.index(str(row["intent"])))
        pred_intent.append(INTENTS.index(analysis.intent.value))
        sev = row.get("severity")
        gold_sev.append(SEVERITIES.index(str(sev)) if sev else -1)
        # Severity is scored on every gold incident, so ask the severity head
        # even when the intent head missed the incident (that miss is already
        # counted by incident recall).
        predicted = analysis.severity or brain.severity_if_incident(str(row["text"]))
        pred_sev.append(SEVERITIES.index(predicted.value))
        gold_meet.append(bool((row.get("meeting") or {}).get("needed")))
        pred_meet.append(analysis.meeting.needed)
        confidence.append(analysis.confidence)
    elapsed = time.perf_counter() - started
    metrics = summarize_predictions(
        np.array(gold_intent),
        np.array(pred_intent),
        np.array(gold_sev),
        np.array(pred_sev),
        np.array(gold_meet),
        np.array(pred_meet),
        np.array(confidence),
    )
    metrics.setdefault("severity_exact", None)
    metrics.setdefault("severity_within_one", None)
    confusion = np.zeros((len(INTENTS), len(INTENTS)), dtype=int)
    for g, p in zip(gold_intent, pred_intent, strict=True):
        confusion[g, p] += 1
    metrics["confusion"] = {
        INTENTS[g]: {INTENTS[p]: int(confusion[g, p]) for p in range(len(INTENTS))} for g in range(len(INTENTS))
    }
    metrics["model_variant"] = getattr(brain, "variant", None)
    metrics["ms_per_message"] = round(1000 * elapsed / max(1, len(rows)), 2)
    return metrics


def _report(m: dict[str, Any]) -> list[str]:
    def pct(v: object) -> str:
        return "n/a" if v is None else f"{float(v):.3f}"  # type: ignore[arg-type]

    lines = [
        f"messages            {m['n']}  (model variant: {m.get('model_variant')}, {m.get('ms_per_message')} ms/message)",
        f"accuracy            {pct(m['accuracy'])}",
        f"incident recall     {pct(m['incident_recall'])}",
        f"severity exact      {pct(m['severity_exact'])}",
        f"severity within-one {pct(m['severity_within_one'])}",
        f"meeting-needed F1   {pct(m['meeting_f1'])}",
        "per intent          precision  recall  support",
    ]
    for name, v in m["per_intent"].items():
        lines.append(f"  {name:<17} {v['precision']:.3f}      {v['recall']:.3f}   {v['support']}")
    lines.append("confusion (rows = gold, columns = predicted): " + "  ".join(INTENTS))
    for name, row in m["confusion"].items():
        lines.append(f"  {name:<17} " + "  ".join(f"{row[p]:>4}" for p in INTENTS))
    return lines


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; `argv` excludes the words "eval intents"."""
    parser = argparse.ArgumentParser(prog="jamono eval intents", description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="labelled JSONL file")
    parser.add_argument("--model", default=None, help="model artifact (default: the bundled one)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON on the last line")
    args = parser.parse_args(argv)
    metrics = evaluate(args.data, args.model)
    for line in _report(metrics):
        print(line)
    if args.json:
        keys = ("n", "accuracy", "incident_recall", "severity_exact", "severity_within_one", "meeting_f1", "per_intent")
        print(json.dumps({k: metrics[k] for k in keys}, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
