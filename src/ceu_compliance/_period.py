"""Every date rule in one place: the period, its renewal months, its years, deadlines.

Bounds are always computed from their anchor date in one step (``anchor -
24 months``), never by stepping month by month: relativedelta clamps the day
to the month's end, and repeated steps would drift (31 Mar -> 28 Feb -> 28 Jan).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

_DAY = dt.timedelta(days=1)


def months_before(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` minus ``months`` calendar months, the day clamped to the month's end."""
    return anchor - relativedelta(months=months)


def default_start(end: dt.date, months: int) -> dt.date:
    """P-PERIOD: the day after ``end`` minus the period length (29 Feb -> 1 Mar)."""
    return months_before(end, months) + _DAY


def months_spanned(start: dt.date, end: dt.date) -> int:
    """P-PRORATE: months from ``start`` to the day after ``end``, a partial month counting whole."""
    span = relativedelta(end + _DAY, start)
    return span.years * 12 + span.months + (1 if span.days else 0)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of ``day``'s calendar month."""
    first = day.replace(day=1)
    return first, first + relativedelta(months=1) - _DAY


@dataclass(frozen=True)
class PeriodWindow:
    """A renewal period and the dates around it that decide what counts.

    ``window_start`` is the first day of the previous renewal month: records
    from there to ``start`` count for this period unless already applied
    (P-RENEWAL-MONTH). ``renewal_month_start`` opens the current renewal
    month, whose CEUs may roll over to the next period.
    """

    start: dt.date
    end: dt.date
    extension_until: dt.date | None

    @property
    def window_start(self) -> dt.date:
        return month_bounds(self.start - _DAY)[0]

    @property
    def renewal_month_start(self) -> dt.date:
        return self.end.replace(day=1)

    def in_previous_renewal_month(self, day: dt.date) -> bool:
        return self.window_start <= day < self.start

    def in_renewal_month(self, day: dt.date) -> bool:
        return self.renewal_month_start <= day <= self.end

    def years(self) -> tuple[tuple[dt.date, dt.date], ...]:
        """The period-years: 12-month slices from ``start``, the last ending at ``end``."""
        bounds: list[tuple[dt.date, dt.date]] = []
        n = 0
        while True:
            first = self.start + relativedelta(years=n)
            following = self.start + relativedelta(years=n + 1)
            if following > self.end:
                bounds.append((first, self.end))
                return tuple(bounds)
            bounds.append((first, following - _DAY))
            n += 1

    def year_of(self, day: dt.date) -> int:
        """1-based period-year of ``day``; earlier days are in the first, later in the last."""
        years = self.years()
        for number, (_, last) in enumerate(years, start=1):
            if day <= last:
                return number
        return len(years)


def submission_opens(due: dt.date, months: int) -> dt.date:
    """P-REVOKE: submission opens ``months`` calendar months before the due date."""
    return months_before(due, months)


def revocation(due: dt.date, days: int) -> dt.date:
    """P-REVOKE: credentials are revoked ``days`` after the due date without CEUs."""
    return due + dt.timedelta(days=days)
