"""Disclosure control for published counts: small counts hidden, and not recoverable.

The rule (docs/decisions/0009-transparency-suppression.md):

1. A count of 1 to 4 is shown as "< 5"; 0 is shown as 0.
2. Every other count, the total included, is rounded to the nearest multiple of 5. The
   total is rounded from the exact total, not summed from rounded rows.
3. Before anything is shown, `protect()` reads the page the way an attacker would: for
   every "< 5" it computes the smallest and largest value the cell can have given every
   other number shown (both tables add up to the same total). The page is safe only if
   that is still the full range 1 to 4. The total is shown only if the page is safe with
   every total the two tables allow (so leaving it out reveals nothing about the true
   one); if even the tables without a total are unsafe, no counts are shown at all.

Why not just hide "< 5" cells, or just round the totals: with an exact total and exact
other cells, a single hidden cell is the difference; two hidden cells adding up to 2 or 8
are both 1 or both 4; and a total rounded to 5 still gives a hidden cell away when its
rounding window overlaps 1 to 4 only at an edge. The check catches every such case because
it uses exactly what the page shows and what the rule above tells the reader.

Pure functions of integers: nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

THRESHOLD = 5  # counts below this (and above 0) are never shown
SMALL_LOW, SMALL_HIGH = 1, THRESHOLD - 1
BASE = 5  # every other count is rounded to a multiple of this


@dataclass(frozen=True)
class Shown:
    """A count as it is published, and what a reader can conclude about the true value:
    it lies in [low, high] (high None: no upper bound)."""

    value: int | None  # the published number; None for "< 5" and for a withheld count
    low: int
    high: int | None
    is_small: bool = False
    is_withheld: bool = False


WITHHELD = Shown(value=None, low=0, high=None, is_withheld=True)


def shown(count: int, base: int = BASE) -> Shown:
    """How `count` is published with rounding base `base` (rules 1 and 2)."""
    if count < 0:
        raise ValueError("a count cannot be negative")
    if count == 0:
        return Shown(value=0, low=0, high=0)
    if count < THRESHOLD:
        return Shown(value=None, low=SMALL_LOW, high=SMALL_HIGH, is_small=True)
    rounded = (count + base // 2) // base * base  # half up: with base 5, 7 → 5 and 8 → 10
    return Shown(
        value=rounded,
        low=max(THRESHOLD, rounded - base // 2),
        high=rounded + (base - 1) // 2,
    )


def _sum_high(cells: Sequence[Shown]) -> int | None:
    total = 0
    for cell in cells:
        if cell.high is None:
            return None
        total += cell.high
    return total


def _minus(high: int | None, value: int) -> int | None:
    return None if high is None else high - value


def feasible_range(
    cells: Sequence[Shown], index: int, total: Shown, other: Sequence[Shown] | None
) -> tuple[int, int | None]:
    """The values cell `index` of `cells` can take, given everything published.

    `cells` and `other` (the second table, if shown) both add up to the true total, which
    `total` describes. Exact: the true total is bounded by `total` and by what `other`
    allows; the other cells of this table take any value within their bounds, each
    independently, so the cell is the total minus their sum.
    """
    total_low = total.low
    total_high = total.high
    if other is not None:
        total_low = max(total_low, sum(cell.low for cell in other))
        other_high = _sum_high(other)
        if other_high is not None:
            total_high = other_high if total_high is None else min(total_high, other_high)
    rest = [cell for position, cell in enumerate(cells) if position != index]
    rest_low = sum(cell.low for cell in rest)
    rest_high = _sum_high(rest)
    cell = cells[index]
    low = cell.low if rest_high is None else max(cell.low, total_low - rest_high)
    high_bound = _minus(total_high, rest_low)
    if cell.high is None:
        high = high_bound
    else:
        high = cell.high if high_bound is None else min(cell.high, high_bound)
    return low, high


def _small_cells_safe(cells: Sequence[Shown], total: Shown, other: Sequence[Shown] | None) -> bool:
    for index, cell in enumerate(cells):
        if cell.is_small and feasible_range(cells, index, total, other) != (
            SMALL_LOW,
            SMALL_HIGH,
        ):
            return False
    return True


def is_safe(first: Sequence[Shown], second: Sequence[Shown] | None, total: Shown) -> bool:
    """No "< 5" on the page can be narrowed below 1 to 4 by the other numbers on it."""
    if not _small_cells_safe(first, total, second):
        return False
    return second is None or _small_cells_safe(second, total, first)


class Protection(StrEnum):
    """What `protect()` could publish; the page explains it to the reader."""

    FULL = "full"  # both tables and the total
    TOTAL_WITHHELD = "total_withheld"  # both tables, the total only as a derived range
    TABLES_WITHHELD = "tables_withheld"  # no counts at all


@dataclass(frozen=True)
class ProtectedTables:
    first: list[Shown] | None  # None: withheld
    second: list[Shown] | None
    total: Shown
    protection: Protection
    # What the published tables alone say about the total: shown instead of a withheld
    # total, it reveals nothing the tables do not.
    total_between: tuple[int, int] | None


def possible_totals(first: Sequence[Shown], second: Sequence[Shown]) -> range:
    """Every total a reader of the two tables alone cannot rule out."""
    high_first, high_second = _sum_high(first), _sum_high(second)
    # Published cells are never withheld, so they are always bounded.
    assert high_first is not None
    assert high_second is not None
    low = max(sum(cell.low for cell in first), sum(cell.low for cell in second))
    return range(low, min(high_first, high_second) + 1)


def protect(first: Sequence[int], second: Sequence[int]) -> ProtectedTables:
    """Publish two breakdowns of the same reports (e.g. per month and per category group)
    and their total so that no "< 5" can be recovered from the rest of the page.

    Every choice is made from what would be published, never from the true counts, so the
    choice itself tells the reader nothing: the tables are shown when the tables alone are
    safe (a fact the reader can check), and the total when the tables would be safe with
    every total they allow. Tables that are unsafe even without a total are both left
    out: showing one of them would tell the reader that the other was unsafe, and that
    can pin a cell of the one shown. That takes a handful of reports spread very unevenly.
    """
    if sum(first) != sum(second):
        raise ValueError("both tables must break down the same reports")
    first_cells = [shown(count, BASE) for count in first]
    second_cells = [shown(count, BASE) for count in second]
    if not is_safe(first_cells, second_cells, WITHHELD):
        return ProtectedTables(None, None, WITHHELD, Protection.TABLES_WITHHELD, None)
    totals = possible_totals(first_cells, second_cells)
    between = (totals.start, totals.stop - 1)
    candidates = {shown(total, BASE) for total in totals}
    if all(is_safe(first_cells, second_cells, candidate) for candidate in candidates):
        total = shown(sum(first), BASE)
        return ProtectedTables(first_cells, second_cells, total, Protection.FULL, between)
    return ProtectedTables(first_cells, second_cells, WITHHELD, Protection.TOTAL_WITHHELD, between)
