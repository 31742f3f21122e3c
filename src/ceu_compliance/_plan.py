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
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._assign import plan_assignment
from ._engine import Prepared, RulesArg, prepare, report_of, resolve_pack
from ._models import (
    WARNINGS_DESCRIPTION,
    CEUs,
    ComplianceReport,
    Deadlines,
    InputWarning,
    Member,
    Rendered,
    Renderers,
    Rounder,
    Status,
    decimal_of,
    format_decimal,
)
from ._pack import RuleSet
from ._validation import parse_member

_ZERO = Decimal(0)
_DAYS_PER_MONTH = Fraction("30.4375")  # 365.25 / 12
_OUTPUT = ConfigDict(frozen=True, extra="forbid")


class Need(BaseModel):
    """The CEUs still needed for one requirement (``total`` or a credential minimum)."""

    model_config = _OUTPUT

    requirement: str
    ceus: CEUs


class Shareable(BaseModel):
    """CEUs that can serve a core and a specialty need at once, if approved for both."""

    model_config = _OUTPUT

    requirements: tuple[str, str] = Field(description="The core minimum, then the specialty one.")
    ceus: CEUs


class Plan(Rendered):
    """A completion plan (PL-MIN): how many more CEUs, of which kinds, by when.

    ``str(plan)`` is a plain-text rendering; ``plan.to_json()`` the
    INTERCHANGE.md JSON.
    """

    model_config = _OUTPUT

    member_id: str
    as_of: dt.date
    compliant: bool
    minimum_additional: CEUs = Field(description="PL-MIN's N: the fewest additional CEUs.")
    needs: tuple[Need, ...] = Field(
        description="Positive shortfalls under an assignment achieving N: total first."
    )
    shareable: tuple[Shareable, ...]
    deadline: dt.date = Field(
        description="The due date; inside an open extension, its last day. When "
        "extension_needed, the date already passed."
    )
    days_left: int = Field(description="Days from as_of to deadline; 0 once it has passed.")
    pace_per_month: CEUs = Field(description="N per whole month left (at least 1), rounded up.")
    status: Status = Field(description="The evaluation's status on as_of.")
    extension_needed: bool = Field(
        description="Past the due date, not compliant and no open extension: new CEUs count "
        "only after an extension is bought (P-EXTENSION)."
    )
    deadlines: Deadlines
    days_to_revocation: int = Field(description="Days from as_of to deadlines.revocation; 0 after.")
    notes: tuple[str, ...]
    warnings: tuple[InputWarning, ...] = Field(description=WARNINGS_DESCRIPTION)

    def _renderers(self) -> Renderers:
        from ._html import plan_html_fragment, plan_html_page
        from ._render import plan_markdown

        return Renderers(_text, plan_markdown, plan_html_page, plan_html_fragment)


def plan(
    member: Member | Mapping[str, Any] | str | bytes,
    *,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
    strict: bool = False,
) -> Plan:
    """The completion plan for one member's renewal period ending at ``renewal_due``.

    Arguments as for :func:`ceu_compliance.evaluate`; the plan carries the
    evaluation's ``warnings``.

    Raises:
        InvalidMemberError: the input was refused; ``problems`` lists every reason.
        RulePackError: ``rules`` names a pack that does not load.
    """
    pack = resolve_pack(rules)
    valid = parse_member(member, pack, strict=strict)
    day = as_of or dt.date.today()
    ruleset = pack.at(valid.renewal_due)
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

    least = ceus(optimum.least)
    needs = [Need(requirement="total", ceus=ceus(optimum.total))]
    needs += [Need(requirement=k, ceus=ceus(v)) for k, v in optimum.by_requirement.items()]
    needs = [need for need in needs if need.ceus > 0]
    kind = {s.requirement: s.layer for s in prepared.sinks}
    shareable = _pair(
        [n for n in needs if kind.get(n.requirement) == "core"],
        [n for n in needs if kind.get(n.requirement) == "specialty"],
    )

    open_extension = deadlines.extension_until is not None and as_of <= deadlines.extension_until
    deadline = deadlines.due
    if as_of > deadlines.due and deadlines.extension_until is not None:
        deadline = deadlines.extension_until
    extension_needed = not report.compliant and as_of > deadlines.due and not open_extension
    days_left = max(0, (deadline - as_of).days)
    months_left = max(1, math.floor(days_left / _DAYS_PER_MONTH))
    pace = Decimal(math.ceil(Fraction(least) * 10 / months_left)) / 10

    notes = _notes(report, prepared, rules, optimum, open_extension)
    notes += ceus.notes()
    return Plan(
        member_id=report.member_id,
        as_of=as_of,
        compliant=report.compliant,
        minimum_additional=least,
        needs=tuple(needs),
        shareable=tuple(shareable),
        deadline=deadline,
        days_left=days_left,
        pace_per_month=pace,
        status=report.status,
        extension_needed=extension_needed,
        deadlines=deadlines,
        days_to_revocation=max(0, (deadlines.revocation - as_of).days),
        notes=tuple(notes),
        warnings=report.warnings,
    )


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
    prepared: Prepared,
    rules: RuleSet,
    optimum: _Optimum,
    open_extension: bool,
) -> list[str]:
    if report.compliant:
        return ["Compliant: no more CEUs are needed for this period (PL-MIN)."]
    d, as_of = report.deadlines, report.as_of
    notes = []
    if as_of <= d.due:
        notes.append(
            f"New CEUs count when earned from {as_of} to the due date, {d.due} (P-PERIOD)."
        )
    elif open_extension:
        notes.append(
            f"Inside the CEU extension until {d.extension_until}: only AAPC education earned by "
            "then counts (P-EXTENSION)."
        )
    elif d.extension_until is None:
        notes.append(
            f"Past the due date, {d.due}, with no CEU extension: one must be bought from AAPC "
            f"(${format_decimal(rules.extension_fee_usd)}) first, and then only AAPC education "
            "counts (P-EXTENSION)."
        )
    else:
        notes.append(
            f"The CEU extension ended on {d.extension_until} and is not offered again: new CEUs "
            "cannot count toward this period any more (P-EXTENSION)."
        )
    aapc_only = as_of > d.due
    for m in prepared.minimums:
        if not m.spec.vendors or optimum.by_requirement.get(m.spec.code, 0) <= 0:
            continue
        vendors = ", ".join(m.spec.vendors)
        note = (
            f"{m.spec.code} CEUs must be pre-approved for {m.spec.code} and come from one of the "
            f"contracted vendors: {vendors} ({m.spec.rule})."
        )
        if aapc_only and not any(
            rules.is_provider(a, m.spec.vendors) for a in rules.aapc_providers
        ):
            note += (
                " After the due date only AAPC education counts, so this shortfall cannot be "
                "made up."
            )
        notes.append(note)
    for n, (_, last) in enumerate(prepared.years, start=1):
        for m in prepared.minimums:
            short = optimum.by_sink.get(f"{m.spec.code}@{n}", Fraction(0))
            if short > 0 and last < as_of:
                notes.append(
                    f"{m.spec.code}'s period-year {n} ended on {last}: its shortfall of "
                    f"{format_decimal(_ceil(short))} CEUs can no longer be made up "
                    f"({m.spec.rule})."
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
    else:
        notes.append(f"The revocation date, {d.revocation}, has passed (P-REVOKE).")
    return notes


def _text(p: Plan) -> str:
    lines = [f"Completion plan for member {p.member_id}, as of {p.as_of} (PL-MIN)"]
    if p.compliant:
        lines.append("Compliant: no more CEUs are needed.")
    else:
        lines.append(f"{headline(p)}:")
        lines.append(f"{composition(p)}.")
        shortfalls = ", ".join(f"{n.requirement} {format_decimal(n.ceus)}" for n in p.needs)
        lines.append(f"Shortfalls under this plan: {shortfalls}.")
    lines += ["", "Notes:", *(f"- {note}" for note in p.notes)]
    return "\n".join(lines) + "\n"


def headline(p: Plan) -> str:
    """How many more CEUs, by when and at what pace, for a plan that is not yet compliant."""
    n = format_decimal(p.minimum_additional)
    if not p.extension_needed:
        aapc = " of AAPC education" if p.status is Status.EXTENSION else ""
        return (
            f"At least {n} more CEUs{aapc} by {p.deadline} ({p.days_left} days left, "
            f"{format_decimal(p.pace_per_month)} CEUs a month)"
        )
    if p.deadlines.extension_until is None:
        return (
            f"At least {n} more CEUs, once a CEU extension is bought "
            f"(the due date, {p.deadline}, has passed)"
        )
    return (
        f"At least {n} more CEUs were needed; the CEU extension ended on "
        f"{p.deadline} and is not offered again"
    )


def composition(p: Plan) -> str:
    """What N is made of, e.g. "14 CEUs approved for CPMA and 8 approved for CEMC, ..."."""
    minimums = [n for n in p.needs if n.requirement != "total"]
    shared = sum((s.ceus for s in p.shareable), _ZERO)
    # The shared CEUs are counted once: the rest of N can be any pre-approved CEUs.
    rest = p.minimum_additional - (sum((n.ceus for n in minimums), _ZERO) - shared)
    if not minimums:
        return f"{format_decimal(rest)} CEUs from any pre-approved program"
    parts = [f"{format_decimal(n.ceus)} approved for {n.requirement}" for n in minimums]
    parts[0] = parts[0].replace(" approved", " CEUs approved", 1)
    text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    if len(p.shareable) == 1:
        (s,) = p.shareable
        text += (
            f", of which up to {format_decimal(s.ceus)} can be the same CEUs if a course is "
            f"approved for both {s.requirements[0]} and {s.requirements[1]}"
        )
    elif p.shareable:
        pairs = ", ".join(
            f"up to {format_decimal(s.ceus)} for {s.requirements[0]} and {s.requirements[1]}"
            for s in p.shareable
        )
        text += f", of which these can be the same CEUs if a course is approved for both: {pairs}"
    if rest > 0:
        text += f", and {format_decimal(rest)} more from any pre-approved program"
    return text
