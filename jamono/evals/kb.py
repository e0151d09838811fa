"""`jamono eval kb`: retrieval quality of the knowledge base on a corpus and labelled queries.
Why and how: docs/design/evals.md."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from pydantic import BaseModel

MODES = ("hybrid", "vector", "text")
DEPTH = 10  # documents ranked per query (MRR@10)


class Query(BaseModel):
    id: str
    query: str
    relevant: list[str]


class Scores(BaseModel):
    n: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    relevant_top1: float  # share of queries whose first hit passes the relevance floor
    p50_ms: float
    misses: list[dict]

    def as_json(self) -> dict:
        return {
            "n": self.n,
            "recall@1": round(self.recall_at_1, 4),
            "recall@5": round(self.recall_at_5, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "relevant@1": round(self.relevant_top1, 4),
            "p50_ms": round(self.p50_ms, 2),
        }


def load_queries(path: Path) -> list[Query]:
    return [Query.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_rankings(
    queries: Sequence[Query],
    rankings: Sequence[list[str]],
    firsts_relevant: Sequence[bool],
    latencies_ms: Sequence[float],
) -> Scores:
    """Metrics over document rankings (lists of sources, best first, no duplicates)."""
    r1 = r5 = mrr = 0.0
    misses = []
    for q, ranked in zip(queries, rankings, strict=True):
        rel = set(q.relevant)
        r1 += len(rel & set(ranked[:1])) / len(rel)
        r5 += len(rel & set(ranked[:5])) / len(rel)
        first = next((i for i, s in enumerate(ranked[:DEPTH], 1) if s in rel), None)
        mrr += 1.0 / first if first else 0.0
        if first != 1:
            misses.append({"id": q.id, "rank": first, "top3": ranked[:3]})
    n = len(queries) or 1
    return Scores(
        n=len(queries),
        recall_at_1=r1 / n,
        recall_at_5=r5 / n,
        mrr_at_10=mrr / n,
        relevant_top1=sum(firsts_relevant) / n,
        p50_ms=statistics.median(latencies_ms or [0.0]),
        misses=misses,
    )


def evaluate(run_search: Callable[[str, str], tuple[list[str], bool]], queries: Sequence[Query], mode: str) -> Scores:
    """run_search(query, mode) -> (document sources best first, first hit relevant?)."""
    rankings, firsts, latencies = [], [], []
    for q in queries:
        started = time.perf_counter()
        ranked, first_relevant = run_search(q.query, mode)
        latencies.append((time.perf_counter() - started) * 1000)
        rankings.append(ranked)
        firsts.append(first_relevant)
    return score_rankings(queries, rankings, firsts, latencies)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jamono eval kb", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, required=True, help="folder of documents (sources = paths relative to it)"
    )
    parser.add_argument("--queries", type=Path, required=True, help="JSON lines: id, query, relevant")
    parser.add_argument(
        "--mode",
        choices=("all", *MODES),
        default="all",
        help="all (default): hybrid plus the vector-only and text-only baselines",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--verbose", action="store_true", help="list the queries whose first document is wrong")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if not args.corpus.is_dir():
        print(f"eval kb: corpus {args.corpus} is not a folder", file=sys.stderr)
        return 2
    queries = load_queries(args.queries)
    if not queries:
        print(f"eval kb: no queries in {args.queries}", file=sys.stderr)
        return 2

    from jamono.evals.corpus_tenant import corpus_tenant
    from jamono.platform.db import tenant_tx
    from knowledge.search import Mode, search

    with corpus_tenant(args.corpus, label="kb", report_to=sys.stderr if args.json else sys.stdout) as kb:

        def run_search(text: str, mode: str) -> tuple[list[str], bool]:
            with tenant_tx(kb.pool, kb.tenant_id) as conn:
                hits = search(conn, text, kb.embedder, k=3 * DEPTH, mode=cast(Mode, mode))
            ranked = list(dict.fromkeys(h.source for h in hits))[:DEPTH]
            return ranked, bool(hits and hits[0].relevant)

        run_search(queries[0].query, "hybrid")  # warm-up: model load, caches
        modes = MODES if args.mode == "all" else (args.mode,)
        results = {mode: evaluate(run_search, queries, mode) for mode in modes}

    out = sys.stderr if args.json else sys.stdout
    print(f"{'mode':<8}{'n':>4}{'R@1':>8}{'R@5':>8}{'MRR@10':>8}{'rel@1':>8}{'p50 ms':>9}", file=out)
    for mode, s in results.items():
        print(
            f"{mode:<8}{s.n:>4}{s.recall_at_1:>8.3f}{s.recall_at_5:>8.3f}{s.mrr_at_10:>8.3f}"
            f"{s.relevant_top1:>8.2f}{s.p50_ms:>9.1f}",
            file=out,
        )
        if args.verbose:
            for miss in s.misses:
                print(f"    {mode} miss {miss['id']}: rank {miss['rank']}, top {miss['top3']}", file=out)
    if args.json:
        primary = results.get("hybrid") or next(iter(results.values()))
        payload = {"mode": "hybrid" if "hybrid" in results else args.mode, **primary.as_json()}
        if len(results) > 1:
            payload["baselines"] = {m: s.as_json() for m, s in results.items() if m != "hybrid"}
        print(json.dumps(payload))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
