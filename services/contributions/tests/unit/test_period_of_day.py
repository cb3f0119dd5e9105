"""The period a day's patronage is counted in."""

from dataclasses import dataclass
from datetime import date

from habitat_contributions.domain.periods import period_of_day


@dataclass(frozen=True)
class Period:
    name: str
    starts_on: date
    ends_on: date
    status: str = "open"


Q1 = Period("Q1", date(2026, 1, 1), date(2026, 3, 31), "closed")
Q2 = Period("Q2", date(2026, 4, 1), date(2026, 6, 30))
Q4 = Period("Q4", date(2026, 10, 1), date(2026, 12, 31))


def test_the_period_containing_the_day_from_its_first_to_its_last_day():
    for day in (date(2026, 4, 1), date(2026, 5, 15), date(2026, 6, 30)):
        assert period_of_day(day, [Q1, Q2, Q4]) == Q2


def test_between_periods_the_latest_that_ended():
    assert period_of_day(date(2026, 8, 1), [Q4, Q2, Q1]) == Q2
    assert period_of_day(date(2027, 2, 1), [Q1, Q2, Q4]) == Q4


def test_before_any_period_or_with_none_there_is_none():
    assert period_of_day(date(2025, 12, 31), [Q1, Q2]) is None
    assert period_of_day(date(2026, 5, 1), []) is None


def test_where_periods_overlap_an_open_one_then_the_earliest():
    closed = Period("old", date(2026, 4, 1), date(2026, 6, 30), "closing")
    late_open = Period("late", date(2026, 5, 1), date(2026, 7, 31))
    early_open = Period("early", date(2026, 3, 1), date(2026, 5, 31))
    assert period_of_day(date(2026, 5, 15), [closed, late_open, early_open]) == early_open
    assert period_of_day(date(2026, 6, 15), [closed, late_open]) == late_open
    assert period_of_day(date(2026, 6, 15), [closed]) == closed
