"""Working days: the Dutch public holidays and deadline arithmetic.

Deadlines for reports (and later questions) are promised in working days. They are computed
by pure functions of (start date, number of days, calendar), so a deadline can be checked by
hand and tested without a database. A `WorkingDayCalendar` knows the weekend, the national
public holidays and any extra closed days (a municipality's own closing days, passed in as
data), so nothing municipality-specific is hard-coded.

Public holidays observed: New Year's Day, Easter Monday, King's Day (27 April, the 26th when
the 27th is a Sunday), Liberation Day (5 May; a day off every year under the municipal
collective agreement, only every fifth year in some other sectors), Ascension Day, Whit
Monday, Christmas Day and Boxing Day. Good Friday is not a general day off and is not counted.
Easter Sunday and Whit Sunday fall on a Sunday anyway.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache


def easter_sunday(year: int) -> datetime.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, valid for 1583-4099)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@cache
def dutch_public_holidays(year: int) -> frozenset[datetime.date]:
    easter = easter_sunday(year)
    kings_day = datetime.date(year, 4, 27)
    if kings_day.weekday() == 6:  # Sunday: celebrated on Saturday the 26th
        kings_day = datetime.date(year, 4, 26)
    return frozenset(
        {
            datetime.date(year, 1, 1),
            easter + datetime.timedelta(days=1),
            kings_day,
            datetime.date(year, 5, 5),
            easter + datetime.timedelta(days=39),
            easter + datetime.timedelta(days=50),
            datetime.date(year, 12, 25),
            datetime.date(year, 12, 26),
        }
    )


@dataclass(frozen=True)
class WorkingDayCalendar:
    """Monday to Friday, minus the Dutch public holidays and `closed_days`."""

    closed_days: frozenset[datetime.date] = field(default_factory=frozenset)

    @classmethod
    def with_closed_days(cls, days: Iterable[datetime.date]) -> WorkingDayCalendar:
        return cls(closed_days=frozenset(days))

    def is_working_day(self, day: datetime.date) -> bool:
        return (
            day.weekday() < 5
            and day not in dutch_public_holidays(day.year)
            and day not in self.closed_days
        )

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The `days`-th working day after `start` (`start` itself never counts).

        A report received on Friday with a deadline of two working days is due on Tuesday;
        received on Saturday, also on Tuesday. Zero days means the first working day from
        `start` on (`start` itself when it is a working day).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        if days == 0:
            while not self.is_working_day(day):
                day += datetime.timedelta(days=1)
            return day
        counted = 0
        while counted < days:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
        count = 0
        day = start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


NATIONAL_CALENDAR = WorkingDayCalendar()
