"""The period's bounds and length (P-PERIOD, P-PRORATE), on every due date of a century.

tests/test_rules.py checks the same rules through ``evaluate``; here the date
logic of ``_period`` is checked on its own, where it is cheap enough to try
every day from 2000 to 2100.
"""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from ceu_compliance._period import PeriodWindow, months_before

DAY = dt.timedelta(days=1)
MONTHS = 24


def every_day(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + DAY * n for n in range((last - first).days + 1)]


CENTURY = every_day(dt.date(2000, 1, 1), dt.date(2100, 12, 31))


def two_years_before(day: dt.date) -> dt.date:
    """P-PERIOD's own words: the same day two years earlier, 29 February giving 28 February."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year - 2, 2, 28)
    return day.replace(year=day.year - 2)


def test_p_prorate_a_default_period_is_never_pro_rated_on_any_due_date_of_a_century() -> None:
    """P-PERIOD, P-PRORATE: every due date 2000-2100 starts the day after two years before,
    and its period is exactly 24 months, given or not as an explicit period_start."""
    for due in CENTURY:
        start = two_years_before(due) + DAY
        default = PeriodWindow.of(due, MONTHS)
        assert (default.start, default.months) == (start, MONTHS), due
        assert PeriodWindow.of(due, MONTHS, period_start=start) == default, due


@pytest.mark.parametrize(
    ("due", "start"),
    [
        ("2026-02-28", "2024-02-29"),  # after a leap year: counting months would give 25
        ("2030-02-28", "2028-02-29"),
        ("2102-02-28", "2100-03-01"),  # 2100 is not a leap year
        ("2028-02-29", "2026-03-01"),
        ("2025-02-28", "2023-03-01"),
        ("2026-02-27", "2024-02-28"),
        ("2026-03-01", "2024-03-02"),
    ],
)
def test_p_prorate_default_periods_around_the_leap_day_are_24_months_of_two_years(
    due: str, start: str
) -> None:
    """P-PRORATE: a default period and each of its two period-years are never pro-rated."""
    window = PeriodWindow.of(dt.date.fromisoformat(due), MONTHS)
    assert window.start == dt.date.fromisoformat(start)
    assert window.months == MONTHS
    assert window.year_months() == (12, 12)


@pytest.mark.parametrize(
    ("due", "period_start", "months"),
    [
        ("2026-02-28", "2024-02-28", 25),  # one day longer than the default: a 25th month
        ("2026-02-28", "2024-03-01", 24),  # one day shorter: a partial month counts whole
        ("2026-02-28", "2024-03-29", 24),
        ("2026-02-28", "2024-04-01", 23),
        ("2027-03-31", "2025-04-02", 24),
        ("2027-03-31", "2026-04-01", 12),
        ("2027-03-31", "2027-03-31", 1),
    ],
)
def test_p_prorate_an_explicit_start_other_than_the_default_counts_its_months(
    due: str, period_start: str, months: int
) -> None:
    """P-PRORATE: months from period_start to the day after the due date, partial ones whole."""
    window = PeriodWindow.of(
        dt.date.fromisoformat(due), MONTHS, period_start=dt.date.fromisoformat(period_start)
    )
    assert window.months == months


@given(
    due=st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)),
    days=st.integers(0, 1500),
)
def test_p_prorate_period_years_share_out_the_period_s_months(due: dt.date, days: int) -> None:
    """P-PRORATE, Q-CIRCC: one period-year, or two, the first of 12 months; together they
    make the period's months."""
    window = PeriodWindow.of(due, MONTHS, period_start=due - DAY * days)
    months = window.year_months()
    assert len(months) == len(window.years()) in (1, 2)
    assert sum(months) == window.months
    assert min(months) >= 1
    assert len(months) == 1 or months[0] == 12


@given(
    anchor=st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 1, 31)),
    months=st.integers(-36, 36),
)
def test_months_before_is_relativedelta_without_its_cost(anchor: dt.date, months: int) -> None:
    """P-PERIOD, P-REVOKE: the whole-number month step clamps exactly as relativedelta does."""
    assert months_before(anchor, months) == anchor - relativedelta(months=months)
