"""The requirements in force for one period: Q-TIER's total, P-PRORATE, the credential minimums.

A stage of the pipeline (period -> requirements -> eligibility -> items ->
assignment -> report): from the member's credentials, the rules and the
period, what must be met and the notes that say why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ._amounts import format_decimal, plural
from ._assign import Sink
from ._models import Member
from ._pack import CredentialSpec, RuleSet
from ._period import PeriodWindow

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Minimum:
    """A credential minimum in force: its catalog entry, when it was earned, what it needs.

    ``years`` holds (period-year, required) when the minimum is split by
    period-year (Q-CIRCC); the figure is None when the split is only reported.
    """

    spec: CredentialSpec
    earned: dt.date
    required: Decimal
    years: tuple[tuple[int, Decimal | None], ...]


@dataclass(frozen=True)
class Requirements:
    """What the period requires: the total, the minimums, what the assignment fills."""

    total: Decimal
    minimums: tuple[Minimum, ...]
    sinks: tuple[Sink, ...]
    notes: tuple[str, ...]


def requirements(member: Member, rules: RuleSet, window: PeriodWindow) -> Requirements:
    """Q-TIER, P-PRORATE and the credential minimums in force, with notes saying why."""
    start, end, months = window.start, window.end, window.months
    notes: list[str] = []
    held: dict[str, tuple[CredentialSpec, dt.date]] = {}
    for credential in member.credentials:
        spec = rules.credential(credential.code)
        assert spec is not None  # parse_member refused unknown codes
        if spec.code not in held or credential.earned < held[spec.code][1]:
            held[spec.code] = (spec, credential.earned)
    in_force = sorted(
        ((s, d) for s, d in held.values() if d <= start), key=lambda sd: rules.rank(sd[0].code)
    )
    later = sorted(f"{s.code} ({d})" for s, d in held.values() if start < d <= end)
    if later:
        notes.append(
            f"Earned during this period: {', '.join(later)}. Their requirements start with the "
            "next period; they raise neither the tier nor add a minimum now (Q-TIER)."
        )

    def prorated(amount: Decimal) -> Decimal:
        return _prorate(amount, months, rules.period_months, rules.prorate_step)

    tier = rules.tier_total(len(in_force))
    total = member.required_total_override or prorated(tier)
    codes = ", ".join(s.code for s, _ in in_force)
    notes.append(
        f"{plural(len(in_force), 'credential')} held on {start} ({codes}): "
        f"{format_decimal(tier)} CEUs per two-year period (Q-TIER)."
    )
    if member.required_total_override is not None:
        notes.append(
            f"Total required set by AAPC's own figure: {format_decimal(total)} CEUs (P-PRORATE)."
        )
    elif months != rules.period_months:
        notes.append(
            f"The period runs {months} months, so the total and minimums are pro-rated: "
            f"{format_decimal(total)} CEUs in all (P-PRORATE)."
        )

    minimums = []
    for spec, earned in in_force:
        if spec.minimum <= 0:
            continue
        required = prorated(spec.minimum)
        per_year: list[tuple[int, Decimal | None]] = []
        if spec.per_year is not None:
            for n, year_months in enumerate(window.year_months(), start=1):
                figure = None
                if rules.minimum_per_period_year:
                    figure = _prorate(spec.per_year, year_months, 12, rules.prorate_step)
                per_year.append((n, figure))
            if rules.minimum_per_period_year:
                required = sum((r or _ZERO for _, r in per_year), _ZERO)
        minimums.append(Minimum(spec, earned, required, tuple(per_year)))
    return Requirements(total, tuple(minimums), _sinks(minimums, rules), tuple(notes))


def _prorate(amount: Decimal, months: int, out_of: int, step: Decimal) -> Decimal:
    """P-PRORATE: ``amount`` x months / out_of, rounded up to a multiple of ``step``."""
    if months == out_of:
        return amount
    exact = Fraction(amount) * months / out_of / Fraction(step)
    return Decimal(-(-exact.numerator // exact.denominator)) * step


def _sinks(minimums: list[Minimum], rules: RuleSet) -> tuple[Sink, ...]:
    """What the assignment fills: each minimum, or each of its period-years (Q-CIRCC switch)."""
    sinks = []
    for m in minimums:
        code, layer = m.spec.code, m.spec.kind
        if rules.minimum_per_period_year and m.years:
            for n, figure in m.years:
                sinks.append(Sink(f"{code}@{n}", layer, figure or _ZERO, requirement=code, year=n))
        else:
            sinks.append(Sink(code, layer, m.required, requirement=code))
    return tuple(sinks)
