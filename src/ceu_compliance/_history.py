"""evaluate_history(): consecutive renewal periods and their renewal-month splits (H-SPLIT).

The N periods ending at ``renewal_due`` are evaluated oldest first, each with the
credentials held on its own start and the rules in force on its own due date.
A record dated in a renewal month borders two periods: the one the month ends
and the next one (whose previous renewal month it is). Its CEUs may serve either,
split if useful, never both. The split is chosen by one exact linear program over
all periods (:func:`~ceu_compliance._assign.split`), lexicographically:

1. make the earliest period compliant if possible, then the next, and so on
   (each a feasibility test with the earlier decisions kept as constraints);
2. then minimise each period's shortfall (total shortfall plus the minimums'
   shortfalls), earliest period first;
3. then, at each boundary from the earliest, give the earlier period as few
   renewal-month CEUs as possible: what it does not need serves the later one;
   among records, the earliest serve the earlier period first.

A history whose periods share no renewal-month record needs no program at all.

Each period's report then comes from the ordinary evaluation, told the split:
CEUs serving the earlier period are ``already_applied`` in the later one, and the
rest is ``rollover`` in the earlier one (see docs/history.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from ._amounts import Rounder, ceus
from ._arithmetic import own_arithmetic
from ._assign import Span, split
from ._engine import RulesArg, prepare, report_of, resplit
from ._errors import InvalidMemberError, Problem, RulePackError
from ._items import Prepared, Split
from ._limits import Limits, check_limits
from ._models import ComplianceReport, History, Member, SplitDecision
from ._pack import RulePack, RuleSet
from ._period import first_day, rules_for
from ._validation import MemberArg, checked_call, input_warnings

_DAY = dt.timedelta(days=1)


@own_arithmetic
def evaluate_history(
    member: MemberArg,
    *,
    periods: int,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
    strict: bool = False,
    limits: Limits | None = None,
    rules_on: dt.date | None = None,
) -> History:
    """Evaluate the ``periods`` consecutive renewal periods ending at ``renewal_due`` (H-SPLIT).

    Only the latest period takes ``period_start``, ``required_total_override`` and
    ``extension_until``; the older ones are default periods, each ending the day
    before the next starts. A period in which the member held no credential on its
    start is left out (a note says so), so the history may hold fewer periods.
    ``applied_to_previous_period`` concerns only the oldest period's previous
    renewal month. With ``periods=1`` the one report is :func:`evaluate`'s. The
    input's ``warnings`` (unknown fields; ``strict`` refuses them) are the history's
    and each period's. Each period is judged by the version of the rules for it
    (see :func:`ceu_compliance.evaluate`); ``rules_on`` makes one version judge all.

    Raises:
        InvalidMemberError: the input was refused; ``problems`` lists every reason
            (``periods`` not from 1 to ``limits.max_periods`` is one).
        RulePackError: ``rules`` does not load, or has no rules in force on a period's due date.
        TypeError: an argument is not of its type (``periods`` an ``int``).
    """
    if isinstance(periods, bool) or not isinstance(periods, int):
        raise TypeError(f"periods must be an int, not {type(periods).__name__}")
    most = check_limits(limits).max_periods
    if not 1 <= periods <= most:
        raise InvalidMemberError(
            [
                Problem(
                    "periods_out_of_range",
                    "periods",
                    f"periods must be a positive integer of at most {most} "
                    f"(Limits.max_periods), got {periods:,}",
                )
            ]
        )
    pack, valid, day = checked_call(
        member, as_of=as_of, rules=rules, strict=strict, limits=limits, rules_on=rules_on
    )
    spans, notes = _spans(valid, pack, periods, rules_on)
    # Without a renewal month (the pack's shapes) no record is shared by two periods.
    borders = [
        _renewal_month_ids(valid, span.end) if span.rules.shapes.renewal_month else frozenset()
        for span in spans[:-1]
    ]
    # An older period shows no record after its end: those are left out from the start.
    prepared = [
        prepare(s.member, s.rules, day, until=s.end if k < len(borders) else None)
        for k, s in enumerate(spans)
    ]
    chosen = _choose(prepared, borders)
    decimal = Rounder()
    served = [{r: decimal(v) for r, v in border.items()} for border in chosen]

    reports: list[ComplianceReport] = []
    for k, span in enumerate(spans):
        split = Split(
            served_before=served[k - 1] if k else {},
            counted_here=served[k] if k < len(borders) else None,
        )
        # A record is reported in the periods whose window holds it (a renewal-month
        # record in both); the oldest period also lists the records before the
        # history, the latest those after it.
        window = prepared[k].window
        first = window.window_start if k else dt.date.min
        last = span.end if k < len(borders) else dt.date.max
        report = report_of(
            span.member,
            span.rules,
            day,
            resplit(prepared[k], span.rules, split),
            rollover_note=split.counted_here is None,
            shown=(first, last),
        )
        own = tuple(o for o in report.records if first <= o.date <= last)
        if len(own) < len(report.records):
            report = report.model_copy(update={"records": own})
        reports.append(report)

    splits: list[SplitDecision] = []
    for k, shared in enumerate(served):
        earlier, later = reports[k], reports[k + 1]
        mine = [
            SplitDecision(
                record=outcome.id,
                date=outcome.date,
                earlier_period_end=earlier.period.end,
                later_period_end=later.period.end,
                to_earlier=outcome.counted,
                to_later=outcome.rollover,
            )
            for outcome in earlier.records
            if outcome.id in shared
        ]
        if mine:
            reports[k] = _with_note(earlier, _earlier_note(mine))
            reports[k + 1] = _with_note(later, _later_note(mine))
            splits += mine
    notes += decimal.notes()
    return History(
        member_id=valid.member_id,
        periods=tuple(reports),
        splits=tuple(splits),
        notes=tuple(notes),
        warnings=input_warnings(valid),
    )


@dataclass(frozen=True)
class _Span:
    """One period of the history: the member as that period sees it, and its rules."""

    member: Member
    rules: RuleSet
    start: dt.date
    end: dt.date


def _spans(
    member: Member, pack: RulePack, periods: int, rules_on: dt.date | None
) -> tuple[list[_Span], list[str]]:
    """The periods to evaluate, oldest first, each with its own version of the rules, and
    notes on the ones left out.

    Raises:
        RulePackError: a period has no version of the rules in force, naming it.
    """
    first_certified = min(c.earned for c in member.credentials)
    end, explicit = member.renewal_due, member.period_start
    rules = _version(pack, end, explicit, first_certified, rules_on)
    start = first_day(
        end, rules.period_months, rules.shapes, explicit=explicit, certified=first_certified
    )
    spans = [_Span(member, rules, start, end)]
    while len(spans) < periods:
        end = spans[0].start - _DAY
        if first_certified > end:
            break
        rules = _version(pack, end, None, first_certified, rules_on)
        start = first_day(end, rules.period_months, rules.shapes, certified=first_certified)
        if first_certified > start:
            break
        older = member.model_copy(
            update={
                "renewal_due": end,
                "period_start": None,
                "required_total_override": None,
                "extension_until": None,
            }
        )
        spans.insert(0, _Span(older, rules, start, end))
    notes = []
    if len(spans) < periods:
        notes.append(
            f"{periods - len(spans)} of the {periods} periods asked for are left out: the member "
            f"held no credential at the start of the period ending {spans[0].start - _DAY} "
            f"(first certified {first_certified}), nor of any earlier one (H-SPLIT)."
        )
    # The split decides every renewal month inside the history; the flag keeps its
    # meaning only for the oldest period's previous renewal month.
    for k, span in enumerate(spans[1:], start=1):
        if not any(r.applied_to_previous_period for r in span.member.records):
            continue
        records = tuple(
            r.model_copy(update={"applied_to_previous_period": False})
            if r.applied_to_previous_period
            else r
            for r in span.member.records
        )
        spans[k] = replace(span, member=span.member.model_copy(update={"records": records}))
    return spans, notes


def _version(
    pack: RulePack,
    end: dt.date,
    start: dt.date | None,
    certified: dt.date,
    rules_on: dt.date | None,
) -> RuleSet:
    """The version of the rules for the period ending ``end``, or an error naming the period."""
    try:
        return rules_for(pack, end, period_start=start, certified=certified, rules_on=rules_on)
    except RulePackError as exc:
        problem = exc.problems[0]
        message = f"the period ending {end} has no rules to judge it: {problem.message}"
        raise RulePackError([replace(problem, message=message)]) from None


def _renewal_month_ids(member: Member, end: dt.date) -> frozenset[str]:
    """Records dated in the renewal month that ``end`` closes."""
    return frozenset(r.id for r in member.records if end.replace(day=1) <= r.date <= end)


def _choose(
    periods: Sequence[Prepared], borders: Sequence[frozenset[str]]
) -> list[dict[str, Fraction]]:
    """Per border, the CEUs of each shared record that serve the earlier period.

    ``borders[b]`` holds the records shared by ``periods[b]`` and ``periods[b + 1]``.
    """
    spans = []
    for k, period in enumerate(periods):
        shared = (borders[k - 1] if k else frozenset()) | (
            borders[k] if k < len(borders) else frozenset()
        )
        ids = [claim.record.id for claim in period.live]
        spans.append(
            Span(
                items=period.items,
                sinks=period.sinks,
                caps=period.caps,
                total_required=period.required_total,
                shared={i: rid for i, rid in enumerate(ids) if rid in shared},
            )
        )
    return split(spans)


def _with_note(report: ComplianceReport, note: str) -> ComplianceReport:
    return report.model_copy(update={"notes": (*report.notes, note)})


def _earlier_note(splits: Sequence[SplitDecision]) -> str:
    parts = "; ".join(
        f"{s.record} serves this period with {ceus(s.to_earlier)} and leaves {ceus(s.to_later)}"
        for s in splits
    )
    return (
        f"Renewal-month CEUs shared with the period ending {splits[0].later_period_end} are "
        "split to make the earliest periods compliant first, then to leave the smallest "
        f"shortfalls, earliest first (H-SPLIT): {parts} to the next period."
    )


def _later_note(splits: Sequence[SplitDecision]) -> str:
    parts = "; ".join(f"{s.record} served it with {ceus(s.to_earlier)}" for s in splits)
    return (
        f"Previous-renewal-month CEUs shared with the period ending {splits[0].earlier_period_end} "
        f"(H-SPLIT): {parts}; what is left of them can count here."
    )
