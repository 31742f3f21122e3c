"""The requirements in force for one period: the total, P-PRORATE, minimums and floors.

A stage of the pipeline (period -> requirements -> eligibility -> items ->
assignment -> report): from the member's credentials, the rules and the
period, what must be met and the notes that say why. The pack's shapes decide
how: the total is ``tiered`` by credentials held (Q-TIER) or ``per_credential``
(the largest credential's own total, plus an increment per other credential,
capped); each credential may have a minimum in one of the pack's two layers;
each floor asks a share of the total from a category of CEUs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ._amounts import format_decimal, plural
from ._assign import Sink
from ._models import Member
from ._pack import TOTALS, CredentialSpec, FloorSpec, RuleSet
from ._period import PeriodWindow

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Minimum:
    """A minimum in force: a credential's own (Q-CIRCC, Q-CPMA, ...) or a floor of the total.

    ``code`` is the requirement's id in the report; ``kind`` the pack's layer it
    belongs to and ``slot`` the assignment's layer that is (one CEU serves one
    minimum per slot at most). A credential's minimum carries the day it was
    ``earned`` and any ``vendors`` its CEUs must come from; a floor's carries the
    ``floor``. ``years`` holds (period-year, required) when the minimum is split by
    period-year (Q-CIRCC); the figure is None when the split is only reported.
    """

    code: str
    rule: str
    kind: str
    slot: Literal["core", "specialty"]
    required: Decimal
    years: tuple[tuple[int, Decimal | None], ...] = ()
    earned: dt.date | None = None
    vendors: tuple[str, ...] = ()
    floor: FloorSpec | None = None


@dataclass(frozen=True)
class Requirements:
    """What the period requires: the total, the minimums, what the assignment fills.

    ``total_rule`` is the rule ID of the total (the pack's: Q-TIER for a tiered
    total); ``held`` is the number of credentials in force (the extension fee
    may be charged per credential).
    """

    total: Decimal
    total_rule: str
    minimums: tuple[Minimum, ...]
    sinks: tuple[Sink, ...]
    notes: tuple[str, ...]
    held: int


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
    # A credential that another one held at the start supersedes needs no CEUs of its
    # own (AHIMA: RHIA replaces RHIT); one earned later supersedes from the next period.
    replaced_by = {code: spec.code for spec, _ in in_force for code in spec.supersedes}
    in_force = [(s, d) for s, d in in_force if s.code not in replaced_by]
    tier, rule, how = _total(rules, [spec for spec, _ in in_force])
    for code, by in sorted(replaced_by.items()):
        if code in held:
            notes.append(f"{code} is replaced by {by}: only {by}'s CEUs are due ({rule}).")
    later = sorted(
        f"{s.code} ({d})"
        for s, d in held.values()
        if start < d <= end and s.code not in replaced_by
    )
    if later:
        notes.append(
            f"Earned during this period: {', '.join(later)}. Their requirements start with the "
            f"next period; they raise neither the total nor add a minimum now ({rule})."
        )

    def prorated(amount: Decimal) -> Decimal:
        return _prorate(amount, months, rules.period_months, rules.prorate_step)

    total = member.required_total_override or prorated(tier)
    codes = ", ".join(s.code for s, _ in in_force)
    notes.append(
        f"{plural(len(in_force), 'credential')} held on {start} ({codes}): "
        f"{format_decimal(tier)} CEUs per {_period_name(rules.period_months)}{how} ({rule})."
    )
    if member.required_total_override is not None:
        notes.append(
            f"Total required set by {rules.body}'s own figure: {format_decimal(total)} CEUs "
            "(P-PRORATE)."
        )
    elif months != rules.period_months:
        notes.append(
            f"The period runs {months} months, so the total and minimums are pro-rated: "
            f"{format_decimal(total)} CEUs in all (P-PRORATE)."
        )

    minimums = []
    sole = len(in_force) == 1
    for spec, earned in in_force:
        amount = spec.sole_minimum if sole and spec.sole_minimum is not None else spec.minimum
        if amount <= 0:
            continue
        required = prorated(amount)
        per_year: list[tuple[int, Decimal | None]] = []
        if spec.per_year is not None:
            for n, year_months in enumerate(window.year_months(), start=1):
                figure = None
                if rules.minimum_per_period_year:
                    figure = _prorate(spec.per_year, year_months, 12, rules.prorate_step)
                per_year.append((n, figure))
            if rules.minimum_per_period_year:
                required = sum((r or _ZERO for _, r in per_year), _ZERO)
        slot = rules.layer_slot(spec.kind) if rules.concurrent_minimums else "core"
        minimums.append(
            Minimum(
                code=spec.code,
                rule=spec.rule or "",
                kind=spec.kind,
                slot=slot,
                required=required,
                years=tuple(per_year),
                earned=earned,
                vendors=spec.vendors,
            )
        )
    for floor in rules.floors:
        share = _round_up(total * floor.share, rules.prorate_step)
        minimums.append(
            Minimum(
                code=floor.id,
                rule=floor.rule,
                kind=floor.layer,
                slot=rules.layer_slot(floor.layer),
                required=share,
                floor=floor,
            )
        )
    if not rules.concurrent_minimums and len(minimums) > 1:
        notes.append(
            f"Under the rules of {rules.version}, a CEU counts toward one minimum at most "
            "(Q-CONCURRENT)."
        )
    return Requirements(
        total, rule, tuple(minimums), _sinks(minimums, rules), tuple(notes), len(in_force)
    )


def _total(rules: RuleSet, held: list[CredentialSpec]) -> tuple[Decimal, str, str]:
    """The total for the credentials ``held`` before pro-rating, its rule ID, and how a
    per-credential total is made (for the note)."""
    if rules.shapes.total == "tiered":
        return rules.tier_total(len(held)), total_rule(rules), ""
    increment, maximum = rules.total_increment, rules.total_maximum
    assert increment is not None and maximum is not None  # required by the shape
    largest = max(held, key=lambda spec: spec.total or _ZERO)
    own = largest.total or _ZERO
    total = min(maximum, own + increment * (len(held) - 1))
    how = ""
    if len(held) > 1:
        how = (
            f": {largest.code}'s {format_decimal(own)}, plus {format_decimal(increment)} for "
            f"each other credential, at most {format_decimal(maximum)}"
        )
    return total, total_rule(rules), how


def total_rule(rules: RuleSet) -> str:
    """The rule ID of the total: its shape's first parameter's (Q-TIER, AHIMA's AH-TOTAL)."""
    return rules.trace[TOTALS[rules.shapes.total][0]].rule


def _prorate(amount: Decimal, months: int, out_of: int, step: Decimal) -> Decimal:
    """P-PRORATE: ``amount`` x months / out_of, rounded up to a multiple of ``step``."""
    if months == out_of:
        return amount
    exact = Fraction(amount) * months / out_of / Fraction(step)
    return Decimal(-(-exact.numerator // exact.denominator)) * step


def _period_name(months: int) -> str:
    return "two-year period" if months == 24 else f"{months}-month period"


def _round_up(amount: Decimal, step: Decimal) -> Decimal:
    """``amount`` rounded up to a multiple of ``step`` (a floor never asks a hair too little)."""
    exact = Fraction(amount) / Fraction(step)
    return Decimal(-(-exact.numerator // exact.denominator)) * step


def _sinks(minimums: list[Minimum], rules: RuleSet) -> tuple[Sink, ...]:
    """What the assignment fills: each minimum, or each of its period-years (Q-CIRCC switch)."""
    sinks = []
    for m in minimums:
        if rules.minimum_per_period_year and m.years:
            for n, figure in m.years:
                key = f"{m.code}@{n}"
                sinks.append(Sink(key, m.slot, figure or _ZERO, requirement=m.code, year=n))
        else:
            sinks.append(Sink(m.code, m.slot, m.required, requirement=m.code))
    return tuple(sinks)
