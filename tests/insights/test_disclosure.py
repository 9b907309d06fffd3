"""Disclosure control: rounding, "< 5", and a brute-force attacker who knows the rule."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Hashable

import pytest

from weerbaar.insights.disclosure import (
    WITHHELD,
    ProtectedTables,
    Protection,
    feasible_range,
    is_safe,
    protect,
    shown,
)


@pytest.mark.parametrize(
    ("count", "value", "low", "high", "small"),
    [
        (0, 0, 0, 0, False),
        (1, None, 1, 4, True),
        (4, None, 1, 4, True),
        (5, 5, 5, 7, False),
        (7, 5, 5, 7, False),
        (8, 10, 8, 12, False),
        (12, 10, 8, 12, False),
        (13, 15, 13, 17, False),
        (1234, 1235, 1233, 1237, False),
    ],
)
def test_counts_are_rounded_to_five_and_small_ones_hidden(
    count: int, value: int | None, low: int, high: int, small: bool
) -> None:
    cell = shown(count)
    assert (cell.value, cell.low, cell.high, cell.is_small) == (value, low, high, small)
    assert low <= count <= high


def test_an_exact_total_gives_a_single_hidden_cell_away_and_the_check_sees_it() -> None:
    # What a naive page would publish: exact cells, the small one hidden, an exact total.
    exact = [shown(count, base=1) for count in (12, 3)]
    hidden = [exact[0], shown(3)]
    total = shown(15, base=1)
    assert feasible_range(hidden, 1, total, None) == (3, 3)
    assert not is_safe(hidden, None, total)


def test_two_hidden_cells_summing_to_two_are_both_one() -> None:
    cells = [shown(1), shown(1), shown(10, base=1)]
    assert feasible_range(cells, 0, shown(12, base=1), None) == (1, 1)


def test_a_rounded_total_still_pins_a_cell_at_the_edge_of_its_window() -> None:
    # groups 4, 7, 12: published "< 5", 5, 10 with total 23 → 25. The hidden cell must be 4.
    cells = [shown(4), shown(7), shown(12)]
    assert feasible_range(cells, 0, shown(23), None) == (4, 4)


def test_the_other_table_gives_the_total_away() -> None:
    # Months all large and exact-ish, groups with one small cell: the months bound the total.
    months = [shown(5, base=1), shown(6, base=1)]
    groups = [shown(8, base=1), shown(3)]
    assert feasible_range(groups, 1, WITHHELD, months) == (3, 3)


def test_large_tables_are_published_in_full() -> None:
    result = protect([40, 52, 47, 61], [100, 50, 50, 0])
    assert result.protection == Protection.FULL
    assert result.total.value == 200
    assert result.first is not None
    assert [cell.value for cell in result.first] == [40, 50, 45, 60]
    assert result.second is not None
    assert [cell.value for cell in result.second] == [100, 50, 50, 0]


def test_the_total_is_withheld_when_some_total_the_tables_allow_would_give_a_cell_away() -> None:
    result = protect([5, 5, 5], [4, 8, 3])
    assert result.protection == Protection.TOTAL_WITHHELD
    assert result.total.is_withheld
    assert result.total_between == (15, 20)


def test_nothing_is_published_when_even_the_tables_give_a_cell_away() -> None:
    result = protect([0, 2], [1, 1])
    assert result.protection == Protection.TABLES_WITHHELD
    assert result.first is None
    assert result.second is None
    assert result.total_between is None


def test_the_tables_must_describe_the_same_reports() -> None:
    with pytest.raises(ValueError, match="same reports"):
        protect([1, 2], [4])


def _view(result: ProtectedTables) -> Hashable:
    return (
        None if result.first is None else tuple(result.first),
        None if result.second is None else tuple(result.second),
        result.total,
        result.protection,
    )


@pytest.mark.parametrize(("months", "groups"), [(2, 3), (3, 2), (2, 2)])
def test_a_brute_force_attacker_learns_nothing_about_any_small_cell(
    months: int, groups: int
) -> None:
    """Publish every dataset of a small universe, group the datasets by the page they
    produce, and check that within each group every "< 5" still takes all of 1 to 4.

    The attacker knows the rule and the code (the choice to withhold the total included).
    Only datasets whose counts stay well inside the universe are checked, so that its edge
    does not count as knowledge."""
    universe = range(0, 11)
    inner = 6
    by_sum: dict[int, list[tuple[int, ...]]] = defaultdict(list)
    for group_counts in itertools.product(universe, repeat=groups):
        by_sum[sum(group_counts)].append(group_counts)
    pages: dict[Hashable, list[tuple[tuple[int, ...], tuple[int, ...]]]] = defaultdict(list)
    for month_counts in itertools.product(universe, repeat=months):
        for group_counts in by_sum[sum(month_counts)]:
            pages[_view(protect(month_counts, group_counts))].append((month_counts, group_counts))

    checked = 0
    for datasets in pages.values():
        for month_counts, group_counts in datasets:
            if max(month_counts + group_counts) > inner:
                continue
            result = protect(month_counts, group_counts)
            for table, cells in enumerate((result.first, result.second)):
                if cells is None:
                    continue
                for index, cell in enumerate(cells):
                    if not cell.is_small:
                        continue
                    possible = {dataset[table][index] for dataset in datasets}
                    assert possible == {1, 2, 3, 4}, (month_counts, group_counts, table, index)
                    checked += 1
    assert checked > 100
