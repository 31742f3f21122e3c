"""plan(): the fewest additional CEUs that would make a member compliant (PL-MIN).

A new CEU may be pre-approved for one core and one specialty minimum at once
(Q-CONCURRENT), so new CEUs can close a core and a specialty shortfall together.
With ``T`` the total's shortfall and ``C`` and ``S`` the sums of the core and
specialty minimums' shortfalls under an assignment of the existing CEUs, that
assignment needs ``max(T, C, S)`` more CEUs. PL-MIN's ``N`` is the least of
these over every valid assignment.

It is found on the evaluation's own assignment problem (``_assign.plan_assignment``:
the same items, minimums and caps; renewal-month CEUs may all count, nothing
has to be held back as rollover): the fewest new CEUs first, then the most CEUs
assigned to minimums, so the shortfalls shown are the smallest ones that achieve
``N``, with ties broken as in the report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from ._amounts import Rounder, decimal_of, format_decimal
from ._arithmetic import own_arithmetic
from ._assign import plan_assignment
from ._codes import CannotFill, PlanRoute, Source
from ._engine import RulesArg, prepare, report_of, version_for
from ._items import Prepared
from ._limits import Limits
from ._messages import listed
from ._models import ComplianceReport, Need, Plan, Shareable
from ._pack import RuleSet
from ._report import extension_fee
from ._requirements import Minimum
from ._validation import MemberArg, checked_call

_ZERO = Decimal(0)
_DAYS_PER_MONTH = Fraction("30.4375")  # 365.25 / 12


@own_arithmetic
def plan(
    member: MemberArg,
    *,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
    strict: bool = False,
    limits: Limits | None = None,
    rules_on: dt.date | None = None,
) -> Plan:
    """The completion plan for one member's renewal period ending at ``renewal_due``.

    Arguments as for :func:`ceu_compliance.evaluate`; the plan carries the
    evaluation's ``warnings``.

    Raises:
        InvalidMemberError: the input was refused; ``problems`` lists every reason.
        RulePackError: ``rules`` names a pack that does not load, or no version of it
            is in force on ``rules_on``.
        TypeError: an argument is not of the type named there.
    """
    pack, valid, day = checked_call(
        member, as_of=as_of, rules=rules, strict=strict, limits=limits, rules_on=rules_on
    )
    ruleset = version_for(pack, valid, rules_on)
    prepared = prepare(valid, ruleset, day)
    return _plan(report_of(valid, ruleset, day, prepared), prepared, ruleset)


@dataclass(frozen=True)
class _Optimum:
    least: Fraction
    total: Fraction
    by_requirement: Mapping[str, Fraction]  # minimums only, in report order
    by_sink: Mapping[str, Fraction]


def _optimum(prepared: Prepared) -> _Optimum:
    """PL-MIN's N and the shortfalls of an assignment that achieves it (module docstring)."""
    assignment, least = plan_assignment(
        prepared.items, prepared.sinks, prepared.caps, prepared.required_total
    )
    by_sink = {s.key: Fraction(s.required) for s in prepared.sinks}
    for applied in assignment.applied:
        for key, share in applied.items():
            by_sink[key] -= share
    by_requirement: dict[str, Fraction] = {}
    for sink in prepared.sinks:
        code = sink.requirement
        by_requirement[code] = by_requirement.get(code, Fraction(0)) + by_sink[sink.key]
    countable = sum(assignment.counted, Fraction(0))
    total = max(Fraction(0), Fraction(prepared.required_total) - countable)
    return _Optimum(least, total, by_requirement, by_sink)


def _plan(report: ComplianceReport, prepared: Prepared, rules: RuleSet) -> Plan:
    as_of, deadlines = report.as_of, report.deadlines
    optimum = _optimum(prepared)
    # Rounded up: a plan that asks for a hair too little would not be enough.
    ceus = Rounder(ROUND_CEILING)

    past_due = as_of > deadlines.due
    source = Source.AAPC_EDUCATION if past_due else Source.PRE_APPROVED
    least = ceus(optimum.least)
    needs = [Need(requirement="total", ceus=ceus(optimum.total))]
    for m in prepared.minimums:
        short = optimum.by_requirement[m.code]
        needs.append(
            Need(
                requirement=m.code,
                ceus=ceus(short),
                vendors=m.vendors,
                cannot_fill=_cannot_fill(m, optimum, prepared, as_of, source, rules),
            )
        )
    needs = [need for need in needs if need.ceus > 0]
    kind = {s.requirement: s.layer for s in prepared.sinks}
    shareable = _pair(
        [n for n in needs if kind.get(n.requirement) == "core"],
        [n for n in needs if kind.get(n.requirement) == "specialty"],
    )

    open_extension = deadlines.extension_until is not None and as_of <= deadlines.extension_until
    deadline = deadlines.due
    if past_due and deadlines.extension_until is not None:
        deadline = deadlines.extension_until
    route = _route(report, open_extension, needs)
    days_left = max(0, (deadline - as_of).days)
    months_left = max(1, math.floor(days_left / _DAYS_PER_MONTH))
    pace = Decimal(math.ceil(Fraction(least) * 10 / months_left)) / 10

    notes = _notes(report, route, needs, prepared, optimum, rules)
    notes += ceus.notes()
    return Plan(
        member_id=report.member_id,
        as_of=as_of,
        body=rules.body,
        compliant=report.compliant,
        minimum_additional=least,
        needs=tuple(needs),
        shareable=tuple(shareable),
        deadline=deadline,
        days_left=days_left,
        pace_per_month=pace,
        status=report.status,
        route=route,
        new_ceus_from=source,
        extension_needed=not report.compliant and past_due and not open_extension,
        deadlines=deadlines,
        days_to_revocation=max(0, (deadlines.revocation - as_of).days),
        notes=tuple(notes),
        warnings=report.warnings,
    )


def _cannot_fill(
    m: Minimum,
    optimum: _Optimum,
    prepared: Prepared,
    as_of: dt.date,
    source: Source,
    rules: RuleSet,
) -> CannotFill | None:
    """Why no new CEU could fill minimum ``m``'s shortfall, if none could."""
    if _ended_years(m, optimum, prepared, as_of):
        return CannotFill.PERIOD_YEAR_ENDED
    own_is_a_vendor = any(rules.is_provider(a, m.vendors) for a in rules.own_providers)
    if source is Source.AAPC_EDUCATION and m.vendors and not own_is_a_vendor:
        return CannotFill.VENDOR_NOT_AAPC
    return None


def _ended_years(
    m: Minimum, optimum: _Optimum, prepared: Prepared, as_of: dt.date
) -> list[tuple[int, dt.date]]:
    """The period-years (number, last day) that ended before ``as_of`` with ``m`` short in them
    (the pack's switch making a minimum per period-year, Q-CIRCC)."""
    return [
        (n, last)
        for n, (_, last) in enumerate(prepared.years, start=1)
        if last < as_of and optimum.by_sink.get(f"{m.code}@{n}", 0) > 0
    ]


def _route(report: ComplianceReport, open_extension: bool, needs: Sequence[Need]) -> PlanRoute:
    """What the plan asks of the member: the one decision every sentence follows."""
    d, as_of = report.deadlines, report.as_of
    if report.compliant:
        return PlanRoute.COMPLIANT
    if as_of > d.due and not open_extension:
        if d.extension_until is not None:
            return PlanRoute.EXTENSION_ENDED
        if as_of > d.revocation:
            return PlanRoute.REVOKED
    if any(n.cannot_fill for n in needs):
        return PlanRoute.CANNOT_FILL
    return PlanRoute.EARN if as_of <= d.due or open_extension else PlanRoute.BUY_EXTENSION


def _ceil(value: Fraction) -> Decimal:
    return decimal_of(value, ROUND_CEILING)


def _pair(core: Sequence[Need], specialty: Sequence[Need]) -> list[Shareable]:
    """Greedily pair core needs with specialty needs, in requirement order."""
    pairs: list[Shareable] = []
    left = [n.ceus for n in specialty]
    j = 0
    for need in core:
        room = need.ceus
        while room > 0 and j < len(specialty):
            shared = min(room, left[j])
            pairs.append(
                Shareable(requirements=(need.requirement, specialty[j].requirement), ceus=shared)
            )
            room -= shared
            left[j] -= shared
            if left[j] == 0:
                j += 1
    return pairs


def _notes(
    report: ComplianceReport,
    route: PlanRoute,
    needs: Sequence[Need],
    prepared: Prepared,
    optimum: _Optimum,
    rules: RuleSet,
) -> list[str]:
    """The plan's notes: where new CEUs can count (from ``route``), why a need cannot be
    filled, how the plan's shortfalls relate to the report's, and the revocation date."""
    if route is PlanRoute.COMPLIANT:
        return ["Compliant: no more CEUs are needed for this period (PL-MIN)."]
    d, as_of = report.deadlines, report.as_of
    fee, body = format_decimal(extension_fee(rules, prepared.held)), rules.body
    notes = []
    if route is PlanRoute.EXTENSION_ENDED:
        notes.append(
            f"The CEU extension ended on {d.extension_until} and is not offered again: new CEUs "
            "cannot count toward this period any more (P-EXTENSION)."
        )
    elif route is PlanRoute.REVOKED:
        notes.append(
            f"Past the revocation date: the credentials were revoked on {d.revocation} if CEUs "
            "were not submitted, and a CEU extension can no longer be bought, so new CEUs cannot "
            "count toward this period (P-REVOKE, P-EXTENSION)."
        )
    elif as_of <= d.due:
        notes.append(
            f"New CEUs count when earned from {as_of} to the due date, {d.due} (P-PERIOD)."
        )
    elif d.extension_until is not None:
        notes.append(
            f"Inside the CEU extension until {d.extension_until}: only {body} education earned "
            "by then counts (P-EXTENSION)."
        )
    elif route is PlanRoute.BUY_EXTENSION:
        notes.append(
            f"Past the due date, {d.due}, with no CEU extension: one can be bought from {body} "
            f"for ${fee} until {d.revocation}, and then only {body} education counts "
            "(P-EXTENSION)."
        )
    else:
        notes.append(
            f"Past the due date, {d.due}, with no CEU extension: one could be bought from {body} "
            f"for ${fee} until {d.revocation}, but then only {body} education counts, which "
            "cannot make up the shortfall below (P-EXTENSION)."
        )
    minimum_of = {m.code: m for m in prepared.minimums}
    for need in needs:
        m = minimum_of.get(need.requirement)
        if m is None or need.cannot_fill is None:
            continue
        short = f"{need.requirement} shortfall of {format_decimal(need.ceus)} CEUs"
        if need.cannot_fill is CannotFill.PERIOD_YEAR_ENDED:
            ended = [
                f"period-year {n} ended on {last}"
                for n, last in _ended_years(m, optimum, prepared, as_of)
            ]
            notes.append(
                f"{need.requirement}'s {' and '.join(ended)}: the {short} can no longer be made "
                f"up ({m.rule})."
            )
        else:
            notes.append(
                f"{need.requirement} CEUs must come from a contracted vendor "
                f"({listed(need.vendors, 'or')}), and after the due date only {body} education "
                f"counts: the {short} cannot be made up ({m.rule}, P-EXTENSION)."
            )
    shown = {r.id: r.shortfall for r in report.requirements if r.id != "total"}
    if any(shown[k] != _ceil(v) for k, v in optimum.by_requirement.items()):
        notes.append(
            "The report assigns CEUs to leave the smallest sum of minimum shortfalls; this plan "
            "assigns them to need the fewest new CEUs, so the shortfalls can differ (PL-MIN)."
        )
    if as_of <= d.revocation:
        notes.append(
            f"Credentials are revoked on {d.revocation} if CEUs are not submitted by then; "
            f"submission opens on {d.submission_opens} (P-REVOKE)."
        )
    elif route is not PlanRoute.REVOKED:
        notes.append(
            f"The credentials were revoked on {d.revocation} if CEUs were not submitted (P-REVOKE)."
        )
    return notes
