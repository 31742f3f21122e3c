"""Every date rule in one place: the period, its renewal months, its years, deadlines.

Bounds are always computed from their anchor date in one step (``anchor -
24 months``), never by stepping month by month: relativedelta clamps the day
to the month's end, and repeated steps would drift (31 Mar -> 28 Feb -> 28 Jan).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from dateutil.relativedelta import relativedelta

from ._models import Member
from ._pack import RulePack, RuleSet, Shapes

_DAY = dt.timedelta(days=1)


def months_before(anchor: dt.date, months: int) -> dt.date:
    """``anchor`` minus ``months`` calendar months, the day clamped to the month's end.

    As ``anchor - relativedelta(months=months)``, in whole-number arithmetic
    (this runs for every member; ``tests/test_period.py`` checks the two agree).
    """
    year, month = divmod(anchor.year * 12 + anchor.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(anchor.day, last))


def default_start(end: dt.date, months: int) -> dt.date:
    """P-PERIOD: the day after ``end`` minus the period length (29 Feb -> 1 Mar)."""
    return months_before(end, months) + _DAY


def anniversary(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; a day the month lacks becomes the next
    month's first (29 February 2024 + 24 months is 1 March 2026), so that a cycle
    beginning on it lasts its full length."""
    later = months_before(day, -months)
    return later if later.day == day.day else later + _DAY


def cycles_near(first: dt.date, day: dt.date, months: int) -> tuple[tuple[dt.date, dt.date], ...]:
    """The cycles of ``months`` from ``first`` (the day the exam was passed) that end
    nearest ``day``, as (start, end): cycle k runs from the k-th anniversary to the
    day before the next, each worked out from ``first`` itself."""
    n = max(0, ((day.year - first.year) * 12 + day.month - first.month) // months)
    return tuple(
        (anniversary(first, k * months), anniversary(first, (k + 1) * months) - _DAY)
        for k in range(max(0, n - 1), n + 2)
    )


def first_day(
    end: dt.date,
    months: int,
    shapes: Shapes,
    *,
    explicit: dt.date | None = None,
    certified: dt.date | None = None,
) -> dt.date:
    """The first day of the period ending ``end``: ``explicit`` (period_start) when given;
    under cycles anchored on certification, the start of the cycle from ``certified``
    (the first exam) that ends on ``end``; otherwise P-PERIOD's default start.

    A certification cycle may differ from the default period by a day: the cycle
    from 1 March 2024 ends on 28 February 2026, whose default period starts on 29
    February 2024.
    """
    if explicit is not None:
        return explicit
    if shapes.cycle == "certification" and certified is not None:
        for start, cycle_end in cycles_near(certified, end, months):
            if cycle_end == end:
                return start
    return default_start(end, months)


def member_start(member: Member, rules: RuleSet) -> dt.date:
    """The first day of a valid member's period under ``rules`` (:func:`first_day`)."""
    return first_day(
        member.renewal_due,
        rules.period_months,
        rules.shapes,
        explicit=member.period_start,
        certified=min(c.earned for c in member.credentials),
    )


def months_spanned(start: dt.date, end: dt.date) -> int:
    """P-PRORATE: months from ``start`` to the day after ``end``, a partial month counting whole."""
    span = relativedelta(end + _DAY, start)
    return span.years * 12 + span.months + (1 if span.days else 0)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of ``day``'s calendar month."""
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class PeriodWindow:
    """A renewal period and the dates around it that decide what counts.

    ``months`` is the period's length for P-PRORATE. ``window_start`` is the
    first day of the previous renewal month: records from there to ``start``
    count for this period unless already applied (P-RENEWAL-MONTH).
    ``renewal_month_start`` opens the current renewal month, whose CEUs may roll
    over to the next period. Without ``renewal_month`` (a pack whose shapes have
    no such rollover, as AHIMA's) there is neither: the window is the period.
    """

    start: dt.date
    end: dt.date
    extension_until: dt.date | None
    months: int
    renewal_month: bool = True

    @classmethod
    def of(
        cls,
        end: dt.date,
        default_months: int,
        *,
        period_start: dt.date | None = None,
        extension_until: dt.date | None = None,
        renewal_month: bool = True,
    ) -> PeriodWindow:
        """The period ending on ``end``: P-PERIOD's default one, or from ``period_start``.

        A default period is ``default_months`` long by definition and never
        pro-rated (P-PRORATE), even when it starts on 29 February: due 28 February
        2026 starts 29 February 2024, and counting months from that start would
        make it 25. An explicit ``period_start`` equal to the default start gives
        the default period; any other is measured by :func:`months_spanned`.
        """
        start = default_start(end, default_months)
        if period_start is None or period_start == start:
            return cls(start, end, extension_until, default_months, renewal_month)
        months = months_spanned(period_start, end)
        return cls(period_start, end, extension_until, months, renewal_month)

    # The bounds below are read for every record: each is worked out once per window.

    @cached_property
    def window_start(self) -> dt.date:
        if not self.renewal_month:
            return self.start
        return month_bounds(self.start - _DAY)[0]

    @cached_property
    def renewal_month_start(self) -> dt.date:
        # Without a renewal month, no day of the period is in one.
        return self.end.replace(day=1) if self.renewal_month else self.end + _DAY

    def in_previous_renewal_month(self, day: dt.date) -> bool:
        return self.window_start <= day < self.start

    def in_renewal_month(self, day: dt.date) -> bool:
        return self.renewal_month_start <= day <= self.end

    def years(self) -> tuple[tuple[dt.date, dt.date], ...]:
        """The period-years: the first from ``start`` to the day before ``start`` + 1 year,
        the second from there to ``end``; a period shorter than a year has one.

        A default period has two even when it starts on 29 February (its second
        year then runs from 28 February to 28 February).
        """
        return self._years

    @cached_property
    def _years(self) -> tuple[tuple[dt.date, dt.date], ...]:
        second = months_before(self.start, -12)
        if second > self.end:
            return ((self.start, self.end),)
        return ((self.start, second - _DAY), (second, self.end))

    def year_months(self) -> tuple[int, ...]:
        """P-PRORATE for each period-year: the first 12 months, the second the rest of ``months``.

        A default period's two years are 12 months each, never pro-rated.
        """
        if len(self.years()) == 1:
            return (self.months,)
        return (12, self.months - 12)

    def year_of(self, day: dt.date) -> int:
        """1-based period-year of ``day``; earlier days are in the first, later in the last."""
        years = self._years
        return 1 if len(years) == 1 or day <= years[0][1] else 2


def submission_opens(due: dt.date, months: int) -> dt.date:
    """P-REVOKE: submission opens ``months`` calendar months before the due date."""
    return months_before(due, months)


def revocation(due: dt.date, days: int) -> dt.date:
    """P-REVOKE: credentials are revoked ``days`` after the due date without CEUs."""
    return due + dt.timedelta(days=days)


def rules_for(
    pack: RulePack,
    end: dt.date,
    *,
    period_start: dt.date | None = None,
    certified: dt.date | None = None,
    rules_on: dt.date | None = None,
) -> RuleSet:
    """The version of ``pack`` that judges the period ending ``end``.

    The one in force on ``rules_on`` when given; otherwise on the period's due
    date, or on its start when the pack's versions go by start (a body whose rule
    changes bind "anyone beginning a cycle" from a date). The start is the
    explicit one, or :func:`first_day` (``certified``, the first exam, anchors a
    certification cycle) under the version in force on the due date.

    Raises:
        RulePackError: no version is in force on that day.
    """
    if rules_on is not None:
        return pack.at(rules_on)
    if pack.pack.versions_by == "due":
        return pack.at(end)
    months = pack.at(end).period_months
    start = first_day(end, months, pack.shapes, explicit=period_start, certified=certified)
    return pack.at(start)
