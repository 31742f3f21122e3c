"""evaluate_history(): consecutive renewal periods and their renewal-month splits (H-SPLIT).

The N periods ending at ``renewal_due`` are evaluated oldest first, each with the
credentials held on its own start and the rules in force on its own due date.
A record dated in a renewal month borders two periods: the one the month ends
and the next one (whose previous renewal month it is). Its CEUs may serve either,
split if useful, never both. The split is chosen by one exact linear program over
all periods, each period built as :func:`~ceu_compliance._assign.assign` builds it
(``_assign.Program``) and the records shared by two periods given variables of
their own, linked by "at most the record's CEUs in all". Lexicographically:

1. make the earliest period compliant if possible, then the next, and so on
   (each a feasibility test with the earlier decisions kept as constraints);
2. then minimise each period's shortfall (total shortfall plus the minimums'
   shortfalls), earliest period first;
3. then, at each boundary from the earliest, give the earlier period as few
   renewal-month CEUs as possible: what it does not need serves the later one.

Each period's report then comes from the ordinary evaluation, told the split:
CEUs serving the earlier period are ``already_applied`` in the later one, and the
rest is ``rollover`` in the earlier one (see docs/history.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from ._amounts import Rounder, ceus
from ._arithmetic import own_arithmetic
from ._assign import Program
from ._engine import Prepared, RulesArg, _evaluate, prepare
from ._errors import InvalidMemberError, Problem
from ._limits import Limits, check_limits
from ._lp import Constraint, Solution, maximize
from ._models import ComplianceReport, History, Member, SplitDecision
from ._pack import RulePack, RuleSet
from ._period import PeriodWindow, default_start
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
) -> History:
    """Evaluate the ``periods`` consecutive renewal periods ending at ``renewal_due`` (H-SPLIT).

    Only the latest period takes ``period_start``, ``required_total_override`` and
    ``extension_until``; the older ones are default periods, each ending the day
    before the next starts. A period in which the member held no credential on its
    start is left out (a note says so), so the history may hold fewer periods.
    ``applied_to_previous_period`` concerns only the oldest period's previous
    renewal month. With ``periods=1`` the one report is :func:`evaluate`'s. The
    input's ``warnings`` (unknown fields; ``strict`` refuses them) are the history's
    and each period's.

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
    pack, valid, day = checked_call(member, as_of=as_of, rules=rules, strict=strict, limits=limits)
    spans, notes = _spans(valid, pack, periods)
    borders = [_renewal_month_ids(valid, span.end) for span in spans[:-1]]
    chosen = _choose([prepare(s.member, s.rules, day) for s in spans], borders)
    decimal = Rounder()
    served = [{r: decimal(v) for r, v in border.items()} for border in chosen]

    reports: list[ComplianceReport] = []
    for k, span in enumerate(spans):
        report = _evaluate(
            span.member,
            span.rules,
            day,
            applied_before=served[k - 1] if k else None,
            counted_here=served[k] if k < len(borders) else None,
        )
        # A record is reported in the periods whose window holds it (a renewal-month
        # record in both); the oldest period also lists the records before the
        # history, the latest those after it.
        window = PeriodWindow.of(span.end, span.rules.period_months, period_start=span.start)
        first = window.window_start if k else dt.date.min
        last = span.end if k < len(borders) else dt.date.max
        own = tuple(o for o in report.records if first <= o.date <= last)
        reports.append(report.model_copy(update={"records": own}))

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


def _spans(member: Member, pack: RulePack, periods: int) -> tuple[list[_Span], list[str]]:
    """The periods to evaluate, oldest first, and notes on the ones left out."""
    first_certified = min(c.earned for c in member.credentials)
    rules = pack.at(member.renewal_due)
    start = member.period_start or default_start(member.renewal_due, rules.period_months)
    spans = [_Span(member, rules, start, member.renewal_due)]
    while len(spans) < periods:
        end = spans[0].start - _DAY
        if first_certified > end:
            break
        rules = pack.at(end)
        start = default_start(end, rules.period_months)
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
        records = tuple(
            r.model_copy(update={"applied_to_previous_period": False}) for r in span.member.records
        )
        spans[k] = replace(span, member=span.member.model_copy(update={"records": records}))
    return spans, notes


def _renewal_month_ids(member: Member, end: dt.date) -> frozenset[str]:
    """Records dated in the renewal month that ``end`` closes."""
    return frozenset(r.id for r in member.records if end.replace(day=1) <= r.date <= end)


def _choose(
    periods: Sequence[Prepared], borders: Sequence[frozenset[str]]
) -> list[dict[str, Fraction]]:
    """Per border, the CEUs of each shared record that serve the earlier period.

    ``borders[b]`` holds the records shared by ``periods[b]`` and ``periods[b + 1]``.
    """
    lp = _Joint()
    for k, period in enumerate(periods):
        before = borders[k - 1] if k else frozenset()
        after = borders[k] if k < len(borders) else frozenset()
        lp.add(k, period, before | after)
    earlier = [
        {r: lp.shared[b][r][0] for r in sorted(border & lp.shared[b].keys())}
        for b, border in enumerate(borders)
    ]
    if not any(earlier):
        return [{} for _ in borders]
    for b, variables in enumerate(earlier):
        for record, variable in variables.items():
            later, limit = lp.shared[b + 1].get(record, (None, Fraction(0)))
            row = {variable: Fraction(1)} | ({} if later is None else {later: Fraction(1)})
            lp.constraints.append(Constraint(row, "<=", limit))

    compliant = [
        lp.reach(score, target) for score, target in zip(lp.scores, lp.targets, strict=True)
    ]
    for score, reached in zip(lp.scores, compliant, strict=True):
        if not reached:
            lp.optimise(score)
    solution = [lp.optimise(dict.fromkeys(v.values(), Fraction(-1))) for v in earlier if v][-1]
    return [{r: solution.values[v] for r, v in variables.items()} for variables in earlier]


class _Joint:
    """One linear program over every period of a history, solved lexicographically.

    Each period is the evaluation's own assignment program (variables prefixed by
    the period's index), plus a variable for the total's shortfall. Its ``score``,
    the CEUs assigned to minimums minus the total's shortfall, is the sum of the
    minimums' requirements less the period's whole shortfall: maximising it
    minimises the shortfall, and it reaches its ``target`` exactly when the period
    is compliant.
    """

    def __init__(self) -> None:
        self.variables: list[Hashable] = []
        self.constraints: list[Constraint] = []
        self.scores: list[dict[Hashable, Fraction]] = []
        self.targets: list[Fraction] = []
        # per period: shared record id -> its count variable and its CEUs
        self.shared: list[dict[str, tuple[Hashable, Fraction]]] = []

    def add(self, k: int, period: Prepared, shared: frozenset[str]) -> None:
        """Period ``k``, the records in ``shared`` each with a count variable of its own."""
        # In canonical (date, id) order, so that the input order cannot change the split.
        ranked = sorted(zip(period.items, period.live, strict=True), key=lambda p: p[0].order)
        ids = [claim.record.id for _, claim in ranked]
        apart = [i for i, record in enumerate(ids) if record in shared]
        # A shared record counts at most what it has; counting more never hurts a period.
        items = [
            replace(item, flexible=True) if i in apart else item
            for i, (item, _) in enumerate(ranked)
        ]
        program = Program.build(items, period.sinks, period.caps, apart=apart)
        self.variables += [(k, v) for v in program.variables]
        self.constraints += [
            Constraint({(k, v): a for v, a in c.coefficients.items()}, c.sense, c.rhs)
            for c in program.base
        ]
        shortfall = (k, "total shortfall")
        self.variables.append(shortfall)
        counted = {(k, v): Fraction(1) for v in program.c.values()}
        self.constraints.append(
            Constraint({shortfall: Fraction(1), **counted}, ">=", Fraction(period.required_total))
        )
        score: dict[Hashable, Fraction] = {(k, v): Fraction(1) for v in program.x.values()}
        self.scores.append({**score, shortfall: Fraction(-1)})
        self.targets.append(sum((Fraction(s.required) for s in period.sinks), Fraction(0)))
        self.shared.append(
            {
                ids[p.apart]: ((k, program.c[p]), Fraction(items[p.apart].amount))
                for p in program.profiles
                if p.apart >= 0
            }
        )

    def reach(self, objective: dict[Hashable, Fraction], target: Fraction) -> bool:
        """Whether ``objective`` can reach ``target``; if it can, it must from now on."""
        if maximize(self.variables, objective, self.constraints).value < target:
            return False
        self.constraints.append(Constraint(objective, ">=", target))
        return True

    def optimise(self, objective: dict[Hashable, Fraction]) -> Solution:
        """Maximise ``objective``, and keep its optimum from now on."""
        solution = maximize(self.variables, objective, self.constraints)
        self.constraints.append(Constraint(objective, ">=", solution.value))
        return solution


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
