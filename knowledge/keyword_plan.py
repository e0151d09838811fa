"""Which chunks the keyword stage scores, chosen from the tenant's term statistics so that its
cost stays flat however large the tenant grows. Why and how: docs/design/knowledge.md."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations
from typing import NamedTuple

GROUP_MAX_WORDS = 3  # words held together in one candidate group
GROUP_WORDS_MAX = 10  # groups are formed from the query's rarest words only (10 + 45 + 120 groups)


class KeywordPlan(NamedTuple):
    """Word groups (indexes into the query's words): a chunk is scored when it holds every word of
    one group. `exact`: every chunk holding any query word is scored (the full ranking)."""

    groups: list[tuple[int, ...]]
    exact: bool
    expected_rows: float


def idf(df: int, total: float) -> float:
    """BM25's idf, kept positive (Lucene's +1): a word in most chunks weighs nearly nothing."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def plan_keywords(dfs: Sequence[int], total: float, *, budget: int, full_scan_max: int, n: int) -> KeywordPlan:
    """The groups to score: every present word alone when they hold at most `full_scan_max` chunks
    between them; else groups by decreasing summed idf while the expected chunks (words taken as
    independent) stay within `budget`, and at least until `n` chunks are expected."""
    present = [i for i, df in enumerate(dfs) if df > 0]
    if not present:
        return KeywordPlan([], True, 0.0)
    if sum(dfs[i] for i in present) <= full_scan_max:
        return KeywordPlan([(i,) for i in present], True, float(sum(dfs[i] for i in present)))
    total = max(total, float(max(dfs)))
    rarest = sorted(present, key=lambda i: (dfs[i], i))[:GROUP_WORDS_MAX]
    weight = {i: idf(dfs[i], total) for i in rarest}
    ranked = sorted(
        (group for size in range(1, GROUP_MAX_WORDS + 1) for group in combinations(sorted(rarest), size)),
        key=lambda g: (-sum(weight[i] for i in g), len(g), g),
    )
    chosen: list[tuple[int, ...]] = []
    expected: dict[tuple[int, ...], float] = {}
    for group in ranked:
        if any(set(c) <= set(group) for c in chosen):  # already matched by a smaller group
            continue
        rows = total * math.prod(dfs[i] / total for i in group)
        covered = [c for c in chosen if set(group) < set(c)]  # groups this one makes redundant
        after = sum(expected.values()) - sum(expected[c] for c in covered) + rows
        if chosen and after > budget and sum(expected.values()) >= n:
            break
        for c in covered:
            chosen.remove(c)
            del expected[c]
        chosen.append(group)
        expected[group] = rows
    return KeywordPlan(chosen, False, sum(expected.values()))
