"""Which word groups the keyword stage scores (knowledge/keyword_plan.py): all the words while
they are few, else the heaviest groups within the budget, so a tenant's size sets no cost."""

from __future__ import annotations

import math
import random

import pytest

from knowledge.keyword_plan import GROUP_MAX_WORDS, idf, plan_keywords

TOTAL = 25_000.0


def expected(group: tuple[int, ...], dfs: list[int]) -> float:
    return TOTAL * math.prod(dfs[i] / TOTAL for i in group)


def test_few_matching_chunks_are_all_scored():
    plan = plan_keywords([300, 0, 500], TOTAL, budget=600, full_scan_max=1000, n=40)
    assert plan.exact and plan.groups == [(0,), (2,)], "each word present, alone; the absent one is dropped"
    assert plan_keywords([0, 0], TOTAL, budget=600, full_scan_max=1000, n=40).groups == []


def test_a_rare_word_is_scored_alone_and_common_ones_only_together():
    # idf: 3.74 (rare), 3.27, 2.36: two common words together outweigh the rare one alone.
    dfs = [595, 989, 2346]
    plan = plan_keywords(dfs, TOTAL, budget=700, full_scan_max=1000, n=40)
    assert not plan.exact
    assert sorted(plan.groups) == [(0,), (1, 2)]
    assert plan.expected_rows == pytest.approx(595 + expected((1, 2), dfs))
    # A smaller budget: the chunks holding two of the words (enough of them to fill the list).
    plan = plan_keywords(dfs, TOTAL, budget=600, full_scan_max=1000, n=40)
    assert sorted(plan.groups) == [(0, 1), (0, 2), (1, 2)]
    assert 40 <= plan.expected_rows < 600


def test_the_heaviest_group_is_kept_even_over_budget():
    """One word nearly every chunk holds: its chunks are all there is (the search function bounds
    how many are read)."""
    plan = plan_keywords([22_882], TOTAL, budget=600, full_scan_max=1000, n=40)
    assert plan.groups == [(0,)] and plan.expected_rows == 22_882


def test_groups_are_added_until_enough_chunks_are_expected():
    """Rare groups expected in fewer than n chunks: lighter groups follow, past the budget."""
    dfs = [2, 3, 5000]
    plan = plan_keywords(dfs, TOTAL, budget=4, full_scan_max=1, n=40)
    assert sorted(plan.groups) == [(0,), (1,), (2,)]


@pytest.mark.parametrize("seed", range(40))
def test_plans_hold_their_promises(seed):
    rng = random.Random(seed)
    dfs = [int(TOTAL * rng.random() ** 3) for _ in range(rng.randint(1, 14))]
    budget, n = 600, 40
    plan = plan_keywords(dfs, TOTAL, budget=budget, full_scan_max=1000, n=n)
    present = {i for i, df in enumerate(dfs) if df > 0}
    if plan.exact:
        assert sum(dfs) <= 1000 and {g[0] for g in plan.groups} == present
        return
    assert plan.groups and all(set(g) <= present and 1 <= len(g) <= GROUP_MAX_WORDS for g in plan.groups)
    for a in plan.groups:  # no group is implied by another
        assert not any(a != b and set(b) <= set(a) for b in plan.groups)
    assert plan.expected_rows == pytest.approx(sum(expected(g, dfs) for g in plan.groups))
    if len(plan.groups) > 1:
        assert plan.expected_rows <= budget or plan.expected_rows - max(expected(g, dfs) for g in plan.groups) < n
    # The heaviest group (the rarest words together) is always scored.
    rarest = tuple(sorted(sorted(present, key=lambda i: (dfs[i], i))[:GROUP_MAX_WORDS]))
    assert any(set(g) <= set(rarest) for g in plan.groups)


def test_idf_stays_positive_for_a_word_in_every_chunk():
    assert 0 < idf(25_000, TOTAL) < idf(2_000, TOTAL) < idf(10, TOTAL)
