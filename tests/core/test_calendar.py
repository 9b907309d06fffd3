"""Working days and Dutch public holidays."""

from __future__ import annotations

import datetime

import pytest

from weerbaar.core.calendar import WorkingDayCalendar, dutch_public_holidays, easter_sunday

D = datetime.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),
        (2285, D(2285, 3, 22)),
    ],
)
def test_easter_sunday(year: int, easter: datetime.date) -> None:
    assert easter_sunday(year) == easter


def test_holidays_of_2026() -> None:
    assert dutch_public_holidays(2026) == {
        D(2026, 1, 1),
        D(2026, 4, 6),
        D(2026, 4, 27),
        D(2026, 5, 5),
        D(2026, 5, 14),
        D(2026, 5, 25),
        D(2026, 12, 25),
        D(2026, 12, 26),
    }


def test_kings_day_moves_to_saturday_when_the_27th_is_a_sunday() -> None:
    assert D(2025, 4, 26) in dutch_public_holidays(2025)
    assert D(2025, 4, 27) not in dutch_public_holidays(2025)


class TestAddWorkingDays:
    calendar = WorkingDayCalendar()

    def test_friday_plus_two_is_tuesday(self) -> None:
        assert self.calendar.add_working_days(D(2026, 11, 20), 2) == D(2026, 11, 24)

    def test_weekend_start_counts_from_monday(self) -> None:
        assert self.calendar.add_working_days(D(2026, 11, 21), 1) == D(2026, 11, 23)

    def test_christmas_and_new_year_are_skipped(self) -> None:
        # Thu 24 Dec 2026 + 3: Fri 25 and Sat 26 and Sun 27 off → Mon 28, Tue 29, Wed 30.
        assert self.calendar.add_working_days(D(2026, 12, 24), 3) == D(2026, 12, 30)
        assert self.calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)

    def test_zero_days_is_the_first_working_day(self) -> None:
        assert self.calendar.add_working_days(D(2026, 11, 23), 0) == D(2026, 11, 23)
        assert self.calendar.add_working_days(D(2026, 11, 22), 0) == D(2026, 11, 23)

    def test_closed_days_of_a_municipality_are_skipped(self) -> None:
        closed = WorkingDayCalendar.with_closed_days([D(2026, 11, 24)])
        assert closed.add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 25)

    def test_negative_days_are_refused(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            self.calendar.add_working_days(D(2026, 11, 23), -1)

    def test_working_days_between_is_the_inverse(self) -> None:
        start = D(2026, 4, 24)
        for days in range(0, 30):
            end = self.calendar.add_working_days(start, days)
            if days:
                assert self.calendar.working_days_between(start, end) == days
