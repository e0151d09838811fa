"""`jamono eval similar --past P.jsonl --reports R.jsonl [--json]`: hit@1, hit@3 and MRR of
similar-incident retrieval; `--json` prints exactly n, hit@1, hit@3, mrr as the last line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jamono.memory.similar import Index, PastIncident


def _rows(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(past_path: str | Path, reports_path: str | Path) -> tuple[dict[str, float | int], list[dict]]:
    index = Index([PastIncident.model_validate(r) for r in _rows(past_path)])
    reports = _rows(reports_path)
    hit1 = hit3 = 0
    rr = 0.0
    misses: list[dict] = []
    for report in reports:
        gold = set(report.get("similar") or [])
        ranked = [m.id for m in index.rank(str(report["text"]), limit=len(index.ids))]
        first = next((i for i, pid in enumerate(ranked) if pid in gold), None)
        if first is not None:
            hit1 += first == 0
            hit3 += first < 3
            rr += 1.0 / (first + 1)
        if first != 0:
            misses.append({"id": report["id"], "gold": sorted(gold), "top3": ranked[:3]})
    n = len(reports)
    metrics: dict[str, float | int] = {
        "n": n,
        "hit@1": round(hit1 / n, 4) if n else 0.0,
        "hit@3": round(hit3 / n, 4) if n else 0.0,
        "mrr": round(rr / n, 4) if n else 0.0,
    }
    return metrics, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="jamono eval similar", description=__doc__)
    parser.add_argument("--past", required=True)
    parser.add_argument("--reports", required=True)
    parser.add_argument("--json", action="store_true", help="last line: one JSON object with n, hit@1, hit@3, mrr")
    args = parser.parse_args(argv)
    for path in (args.past, args.reports):
        if not Path(path).is_file():
            print(f"no such file: {path}", file=sys.stderr)
            return 2
    try:
        metrics, misses = evaluate(args.past, args.reports)
    except (ValueError, KeyError) as exc:
        print(f"bad input: {exc}", file=sys.stderr)
        return 2
    print(f"reports  {metrics['n']}")
    print(f"hit@1    {metrics['hit@1']:.3f}")
    print(f"hit@3    {metrics['hit@3']:.3f}")
    print(f"mrr      {metrics['mrr']:.3f}")
    for miss in misses:
        print(f"  not first: {miss['id']} gold={miss['gold']} top3={miss['top3']}")
    if args.json:
        print(json.dumps(metrics))
    return 0
