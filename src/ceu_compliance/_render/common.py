"""What every format shares: the rows of each table and the sentences around them.

Each function takes an output (or part of one) and returns plain strings or
rows of them; the format modules lay them out as text, Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from pydantic import BaseModel

from .._amounts import format_decimal, plural
from .._codes import PlanRoute, Source, Status
from .._messages import listed
from .._pack import NOT_QUOTED
from .._printable import visible

if TYPE_CHECKING:
    from .._models import (
        ComplianceReport,
        Explanation,
        History,
        InputWarning,
        Need,
        NotApplied,
        Plan,
        RecordOutcome,
    )

_ZERO = Decimal(0)

_Output = TypeVar("_Output")
_P = ParamSpec("_P")


# ------------------------------------------------------------------ user strings


def printable(output: _Output) -> _Output:
    """``output`` (a model or a sequence of them) with every string :func:`visible`.

    A member id, title or provider may hold a line break, a terminal escape or a
    bidi override; rendered from this copy, none can forge a line
    ("Member M-2: COMPLIANT") or reach the terminal.
    """
    return cast(_Output, _printable(output))


def _printable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, tuple | list):
        return type(value)(_printable(v) for v in value)
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return value.model_copy(update={k: _printable(getattr(value, k)) for k in fields})
    return value


def visible_strings(
    render: Callable[Concatenate[_Output, _P], str],
) -> Callable[Concatenate[_Output, _P], str]:
    """``render`` given the :func:`printable` copy of its output (each format's entry points)."""

    @functools.wraps(render)
    def rendered(output: _Output, /, *args: _P.args, **kwargs: _P.kwargs) -> str:
        return render(printable(output), *args, **kwargs)

    return rendered


# ------------------------------------------------------------------ reports


def verdict(status: Status) -> str:
    """The status in capitals: ``COMPLIANT``, ``IN PROGRESS``, ``NONCOMPLIANT``, ``EXTENSION``."""
    return status.value.replace("_", " ").upper()


REQUIREMENT_HEADERS = ("Requirement", "Rule", "Required", "Counted", "Short", "Status")


def requirement_rows(report: ComplianceReport) -> list[tuple[str, str, str, str, str, str]]:
    """One row per requirement, in :data:`REQUIREMENT_HEADERS`' order."""
    return [
        (
            r.id,
            r.rule,
            format_decimal(r.required),
            format_decimal(r.counted),
            format_decimal(r.shortfall),
            "met" if r.met else "NOT MET",
        )
        for r in report.requirements
    ]


def when(report: ComplianceReport) -> str:
    """The period, the evaluation date and the rules: the line under a report's heading."""
    return (
        f"Period {report.period.start} to {report.period.end}, as of {report.as_of}, "
        f"rules {report.rules}"
    )


def totals_sentence(report: ComplianceReport) -> str:
    """Counted of required, excess and rollover, in one sentence."""
    return (
        f"Counted {format_decimal(report.counted_total)} of "
        f"{format_decimal(report.required_total)} CEUs; excess {format_decimal(report.excess)}; "
        f"rollover {format_decimal(report.rollover)}."
    )


def deadlines_sentence(report: ComplianceReport) -> str:
    """P-REVOKE's dates in one sentence."""
    d = report.deadlines
    return f"Submission opens {d.submission_opens}; due {d.due}; revocation {d.revocation}."


RECORD_HEADERS = (
    "Record",
    "Date",
    "Activity",
    "Title",
    "Provider",
    "Claimed",
    "Counted",
    "Rollover",
    "Applied to",
    "Not applied to",
    "Audit gaps",
)
RECORD_NUMERIC = (5, 6, 7)
RECORD_WRAPPED = (3, 4)  # title and provider may be long


def record_rows(report: ComplianceReport) -> list[tuple[str, ...]]:
    """One row per record, in :data:`RECORD_HEADERS`' order."""
    return [
        (
            r.id,
            str(r.date),
            r.activity.value,
            r.title or "",
            r.provider or "",
            format_decimal(r.claimed),
            format_decimal(r.counted),
            format_decimal(r.rollover),
            ", ".join(f"{a.requirement} {format_decimal(a.ceus)}" for a in r.applied_to),
            ", ".join(f"{n.requirement} ({n.code.value})" for n in r.not_applied),
            ", ".join(r.audit_gaps),
        )
        for r in report.records
    ]


def record_label(record: RecordOutcome) -> str:
    """A record by its id, then its date, activity, title and provider: for sentences."""
    known = [str(record.date), record.activity.value.replace("_", " ")]
    known += [f'"{record.title}"'] if record.title else []
    known += [record.provider] if record.provider else []
    return f"{record.id} ({', '.join(known)})"


NOT_APPLIED_HEADING = "Approvals that do not apply"


def not_applied(report: ComplianceReport) -> list[tuple[RecordOutcome, NotApplied]]:
    """Each credential minimum a record is approved for but cannot serve, with the record."""
    return [(o, n) for o in report.records for n in o.not_applied]


def not_applied_to(e: Explanation, requirement: str) -> str:
    """The records approved for ``requirement`` that cannot serve it, as one sentence."""
    refused = [
        f"{n.record} ({n.code.value})" for n in e.not_applied if n.requirement == requirement
    ]
    if not refused:
        return ""
    return f"Approved for {requirement} but cannot serve it: {', '.join(refused)}."


# ------------------------------------------------------------------ plans


def headline(p: Plan) -> str:
    """What the plan asks for, in one sentence without its full stop: from ``p.route``."""
    n, d = format_decimal(p.minimum_additional), p.deadlines
    if p.route is PlanRoute.COMPLIANT:
        return "Compliant: no more CEUs are needed"
    if p.route is PlanRoute.EARN:
        extension = ", the end of the CEU extension" if p.deadline != d.due else ""
        return (
            f"At least {n} more CEUs by {p.deadline}{extension} ({p.days_left} days left, "
            f"{format_decimal(p.pace_per_month)} CEUs a month)"
        )
    if p.route is PlanRoute.BUY_EXTENSION:
        return (
            f"At least {n} more CEUs, once a CEU extension is bought "
            f"(the due date, {d.due}, has passed)"
        )
    if p.route is PlanRoute.CANNOT_FILL:
        blocked = listed([need.requirement for need in p.needs if need.cannot_fill])
        return f"Not compliant, and the {blocked} shortfall cannot be made up for this period"
    if p.route is PlanRoute.EXTENSION_ENDED:
        return (
            f"Not compliant, and new CEUs cannot count any more: the CEU extension ended on "
            f"{d.extension_until} and is not offered again"
        )
    return (
        f"Not compliant, and new CEUs cannot count any more: the credentials were revoked on "
        f"{d.revocation} if CEUs were not submitted, and a CEU extension can no longer be bought"
    )


def composition(p: Plan) -> str:
    """What N is made of, one kind of CEU per need, for a plan that asks for new CEUs.

    E.g. "14 CEUs approved for CPMA and 8 approved for CEMC, of which up to 8 can be
    the same CEUs if a course is approved for both CPMA and CEMC, and 2 more from any
    pre-approved program"; after the due date every kind is the body's own education.
    """
    aapc = p.new_ceus_from is Source.AAPC_EDUCATION
    own = f"of {p.body} education"
    minimums = [n for n in p.needs if n.requirement != "total"]
    shared = sum((s.ceus for s in p.shareable), _ZERO)
    # The shared CEUs are counted once: the rest of N can be any CEUs that count.
    rest = p.minimum_additional - (sum((n.ceus for n in minimums), _ZERO) - shared)
    if not minimums:
        return f"{format_decimal(rest)} CEUs " + (own if aapc else "from any pre-approved program")
    anything = f"of any {p.body} education" if aapc else "from any pre-approved program"
    parts = [f"{format_decimal(n.ceus)} {_kind(n)}" for n in minimums]
    parts[0] = parts[0].replace(" ", f" CEUs {own} " if aapc else " CEUs ", 1)
    text = listed(parts)
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
        text += f", and {format_decimal(rest)} more {anything}"
    return text


def _kind(need: Need) -> str:
    """The one kind of CEU a minimum's need asks for: its approval, and its vendors if any."""
    vendors = f" from a contracted vendor ({listed(need.vendors, 'or')})" if need.vendors else ""
    return f"approved for {need.requirement}{vendors}"


ASKS_FOR_CEUS = (PlanRoute.EARN, PlanRoute.BUY_EXTENSION)
"""The routes on which a plan asks for new CEUs (the others say why none would help)."""


def plan_sentence(plan: Plan) -> str:
    """What the plan asks for: how many more CEUs, by when, at what pace and of which kinds."""
    if plan.route in ASKS_FOR_CEUS:
        return f"{headline(plan)}: {composition(plan)}."
    return f"{headline(plan)}."


NEED_HEADERS = ("Requirement", "CEUs needed")


def need_rows(plan: Plan) -> list[tuple[str, str]]:
    """One row per need: requirement, CEUs still needed."""
    return [(n.requirement, format_decimal(n.ceus)) for n in plan.needs]


SHAREABLE_HEADERS = ("Core minimum", "Specialty minimum", "CEUs")


def shareable_rows(plan: Plan) -> list[tuple[str, str, str]]:
    """One row per shareable pair: core minimum, specialty minimum, CEUs."""
    return [(*s.requirements, format_decimal(s.ceus)) for s in plan.shareable]


# ------------------------------------------------------------------ histories


def history_verdict(history: History) -> str:
    """How many of the history's periods are compliant: ``1 of 2 periods compliant``."""
    met = sum(r.compliant for r in history.periods)
    return f"{met} of {plural(len(history.periods), 'period')} compliant"


def period_label(report: ComplianceReport) -> str:
    """A period by its dates: ``2023-04-01 to 2025-03-31``."""
    return f"{report.period.start} to {report.period.end}"


PERIOD_HEADERS = ("Period", "Status", "Required", "Counted", "Rollover")


def period_rows(history: History) -> list[tuple[str, str, str, str, str]]:
    """One row per period, oldest first, in :data:`PERIOD_HEADERS`' order."""
    return [
        (
            period_label(r),
            verdict(r.status),
            format_decimal(r.required_total),
            format_decimal(r.counted_total),
            format_decimal(r.rollover),
        )
        for r in history.periods
    ]


SPLIT_HEADERS = (
    "Record",
    "Date",
    "Earlier period ends",
    "CEUs to the earlier period",
    "Later period ends",
    "CEUs to the later period",
)


def split_rows(history: History) -> list[tuple[str, str, str, str, str, str]]:
    """One row per split decision, in :data:`SPLIT_HEADERS`' order."""
    return [
        (
            s.record,
            str(s.date),
            str(s.earlier_period_end),
            format_decimal(s.to_earlier),
            str(s.later_period_end),
            format_decimal(s.to_later),
        )
        for s in history.splits
    ]


# ------------------------------------------------------------------ explanations


def explanation_heading(e: Explanation) -> str:
    """``Why member M-1 is compliant``, ``Why member M-1 is in an extension``."""
    return f"Why member {e.member_id} {_IS[e.status]}"


_IS = {
    Status.COMPLIANT: "is compliant",
    Status.IN_PROGRESS: "is not compliant yet",
    Status.NONCOMPLIANT: "is not compliant",
    Status.EXTENSION: "is in an extension",
}


def citation_sentence(citation: str | None, rules: str) -> str:
    """A citation as a sentence: verbatim ones in quotes, the project's readings as they are."""
    if citation is None:
        return f"Citation: none in rule pack {rules}."
    if citation.startswith(NOT_QUOTED):
        return f"Citation: {citation}"
    return f'Citation: "{citation}"'


# ------------------------------------------------------------------ rosters


@dataclass(frozen=True)
class Summary:
    """A roster's first table: a title, its headers, one row per member, and which of the
    columns hold numbers (right-aligned)."""

    title: str
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    numeric: tuple[int, ...]


REPORT_SUMMARY_HEADERS = (
    "Member",
    "Status",
    "Required",
    "Counted",
    "Shortfall",
    "Due",
    "Days left",
)


def report_summary(reports: Sequence[ComplianceReport]) -> Summary:
    """One row per member: status, the total's figures, every shortfall, due date, days left."""
    return Summary(
        _roster_title("CEU compliance", [(r.as_of, r.compliant) for r in reports]),
        REPORT_SUMMARY_HEADERS,
        [_report_row(r) for r in reports],
        (2, 3, 6),
    )


def history_summary(histories: Sequence[History]) -> Summary:
    """:func:`report_summary` of each member's latest period, and how many periods comply."""
    latest = [h.periods[-1] for h in histories]
    return Summary(
        _roster_title("CEU histories", [(r.as_of, r.compliant) for r in latest]),
        (*REPORT_SUMMARY_HEADERS, "Periods compliant"),
        [
            (*_report_row(r), history_verdict(h).removesuffix(" compliant"))
            for h, r in zip(histories, latest, strict=True)
        ],
        (2, 3, 6),
    )


def explanation_summary(explanations: Sequence[Explanation]) -> Summary:
    """As :func:`report_summary`; the due date is the period's end."""
    rows = []
    for e in explanations:
        total = e.requirements[0]
        rows.append(
            (
                e.member_id,
                verdict(e.status),
                format_decimal(total.required),
                format_decimal(total.counted),
                _shortfalls((r.id, r.shortfall) for r in e.requirements),
                str(e.period.end),
                str(max(0, (e.period.end - e.as_of).days)),
            )
        )
    return Summary(
        _roster_title("CEU explanations", [(e.as_of, e.compliant) for e in explanations]),
        REPORT_SUMMARY_HEADERS,
        rows,
        (2, 3, 6),
    )


def plan_summary(plans: Sequence[Plan]) -> Summary:
    """One row per member: status, the CEUs needed and of which requirements, deadline, days
    left."""
    return Summary(
        _roster_title("Completion plans", [(p.as_of, p.compliant) for p in plans]),
        ("Member", "Status", "CEUs needed", "Shortfall", "Deadline", "Days left"),
        [
            (
                p.member_id,
                verdict(p.status),
                format_decimal(p.minimum_additional),
                _shortfalls((n.requirement, n.ceus) for n in p.needs),
                str(p.deadline),
                str(p.days_left),
            )
            for p in plans
        ],
        (2, 5),
    )


def member_heading(member_id: str, status: Status) -> str:
    """A roster section's heading: ``Member M-1001: IN PROGRESS``."""
    return f"Member {member_id}: {verdict(status)}"


def _report_row(r: ComplianceReport) -> tuple[str, ...]:
    d = r.deadlines
    # Days left to earn CEUs for this period: to the due date, or to the extension's end.
    last = d.extension_until if d.extension_until and r.as_of > d.due else d.due
    due = f"{d.due}, extension to {d.extension_until}" if d.extension_until else str(d.due)
    return (
        r.member_id,
        verdict(r.status),
        format_decimal(r.required_total),
        format_decimal(r.counted_total),
        _shortfalls((q.id, q.shortfall) for q in r.requirements),
        due,
        str(max(0, (last - r.as_of).days)),
    )


def _shortfalls(shortfalls: Iterable[tuple[str, Decimal]]) -> str:
    """``total 4, CPMA 14``, or ``none``."""
    return ", ".join(f"{rid} {format_decimal(s)}" for rid, s in shortfalls if s > 0) or "none"


def _roster_title(kind: str, members: Sequence[tuple[dt.date, bool]]) -> str:
    """``CEU compliance of 3 members as of 2026-11-26: 1 compliant``."""
    dates = sorted({day for day, _ in members})
    when = f" as of {dates[0]}" if len(dates) == 1 else ""
    compliant = sum(ok for _, ok in members)
    return f"{kind} of {plural(len(members), 'member')}{when}: {compliant} compliant"


WARNINGS_HEADING = "Input warnings (accepted but ignored)"


def warning_lines(warnings: Sequence[InputWarning]) -> list[str]:
    """Each unknown input field as ``path: message``."""
    return [f"{w.path}: {w.message}" for w in warnings]


def quiet(report: ComplianceReport) -> ComplianceReport:
    """``report`` without its warnings: a history shows them once, not in every period."""
    return report.model_copy(update={"warnings": ()})


def parameter_lines(e: Explanation) -> list[str]:
    """The trace: each value of the rule pack behind the report, with its source."""
    lines = []
    for p in e.parameters:
        value = ", ".join(map(str, p.value)) if isinstance(p.value, list) else str(p.value)
        line = (
            f"{p.name} [{p.rule}] = {value}, since {p.since}: {_sentence(p.description)} "
            f"Source: {_sentence(p.reference)}"
        )
        if p.uncertain:
            line += f" Uncertain: {_sentence(p.uncertain)}"
        lines.append(line)
    return lines


PARAMETERS_HEADING = "Values of the rules used"


def _sentence(text: str) -> str:
    """``text`` ending with a full stop (a quote keeps its own punctuation)."""
    text = text.rstrip()
    return text if text.endswith((".", '"', "?", "!")) else text + "."
