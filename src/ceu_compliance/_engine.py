"""evaluate(): from a member to a report, through the stages of the pipeline.

Each stage is a module: period (``_period``) -> requirements
(``_requirements``) -> eligibility (``_eligibility``) -> items (``_items``) ->
assignment (``_assign``) -> report (``_report``). This module only strings
them together; plans and histories reuse :func:`prepare` and
:func:`report_of`. Pure and deterministic: the same member, date and rules
always give the same report.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ._arithmetic import own_arithmetic
from ._assign import assign
from ._eligibility import Context, run_stages
from ._items import NO_SPLIT, Prepared, Split, items
from ._limits import Limits
from ._models import ComplianceReport, Member
from ._pack import RulePack, RuleSet
from ._period import PeriodWindow, member_start, rules_for
from ._report import report
from ._requirements import requirements
from ._validation import MemberArg, checked_call

RulesArg = RulePack | str | Path | None


@own_arithmetic
def evaluate(
    member: MemberArg,
    *,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
    strict: bool = False,
    limits: Limits | None = None,
    rules_on: dt.date | None = None,
) -> ComplianceReport:
    """Evaluate one member's renewal period ending at ``renewal_due``.

    ``member`` is a :class:`Member`, a mapping in the JSON format of
    docs/format.md, or its JSON text (``str`` or UTF-8 ``bytes``). ``as_of`` (a
    ``datetime.date``, not a datetime) defaults to today. Non-compliance is
    reported, never raised. Unknown input fields are ignored and listed in the
    report's ``warnings``; ``strict=True`` refuses them instead. ``limits``
    bounds the input (default :class:`Limits`, docs/reliability.md).

    ``rules`` is a rule pack, a bundled body (``"aapc"``, the default, or
    ``"ahima"``) or a pack file. The pack's version that judges the period is the
    one in force on its due date (or on its start, for a pack whose versions go
    by start); ``rules_on`` picks the version in force on that day instead.

    Raises:
        InvalidMemberError: the input was refused; ``problems`` lists every reason.
        RulePackError: ``rules`` names a pack that does not load, or no version of it
            is in force on ``rules_on``.
        TypeError: an argument is not of the type named here.
    """
    pack, valid, day = checked_call(
        member, as_of=as_of, rules=rules, strict=strict, limits=limits, rules_on=rules_on
    )
    return evaluate_period(valid, version_for(pack, valid, rules_on), day)


def version_for(pack: RulePack, member: Member, rules_on: dt.date | None) -> RuleSet:
    """The version of ``pack`` that judges a valid member's period (:func:`rules_for`)."""
    return rules_for(
        pack,
        member.renewal_due,
        period_start=member.period_start,
        certified=min(c.earned for c in member.credentials),
        rules_on=rules_on,
    )


def evaluate_period(
    member: Member, rules: RuleSet, as_of: dt.date, split: Split = NO_SPLIT
) -> ComplianceReport:
    """The report of one valid member's period, under a history's ``split`` if any.

    With a split that decides the renewal month, the history's own note explains
    the rollover, so the report leaves its own out.
    """
    prepared = prepare(member, rules, as_of, split)
    return report_of(member, rules, as_of, prepared, rollover_note=split.counted_here is None)


def resplit(prepared: Prepared, rules: RuleSet, split: Split) -> Prepared:
    """``prepared`` (made without a split) under a history's ``split``.

    Eligibility does not depend on the split, so only its two effects are
    worked out again: previous-renewal-month CEUs that served the previous period,
    and the renewal-month CEUs this period counts.
    """
    window = prepared.window
    claims = split.apply(prepared.claims, window)
    return items(claims, prepared.requirements, rules, window, split)


def prepare(
    member: Member,
    rules: RuleSet,
    as_of: dt.date,
    split: Split = NO_SPLIT,
    *,
    until: dt.date | None = None,
) -> Prepared:
    """Every stage of :func:`evaluate` before the assignment (shared with plan and history).

    ``split`` carries a history's renewal-month decision for this period (H-SPLIT);
    ``until`` is the last day of the records a history shows of an older period
    (:func:`~ceu_compliance._eligibility.run_stages`).
    """
    certified = min(c.earned for c in member.credentials)
    window = PeriodWindow.of(
        member.renewal_due,
        rules.period_months,
        period_start=member_start(member, rules),
        extension_until=member.extension_until,
        renewal_month=rules.shapes.renewal_month,
    )
    required = requirements(member, rules, window)
    ctx = Context(rules, window, as_of, certified)
    claims = split.apply(run_stages(member.records, ctx, until=until), window)
    return items(claims, required, rules, window, split)


def report_of(
    member: Member,
    rules: RuleSet,
    as_of: dt.date,
    prepared: Prepared,
    *,
    rollover_note: bool = True,
    shown: tuple[dt.date, dt.date] | None = None,
) -> ComplianceReport:
    """The assignment of ``prepared`` and the report it makes.

    ``rollover_note`` is off in a history, whose own note explains the rollover;
    ``shown`` are the days of the records a history shows (:func:`report`).
    """
    assignment = assign(prepared.items, prepared.sinks, prepared.caps, prepared.required_total)
    return report(
        member, rules, as_of, prepared, assignment, rollover_note=rollover_note, shown=shown
    )
