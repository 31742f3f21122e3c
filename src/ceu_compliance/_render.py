"""Text and Markdown renderings, and the pieces every rendering shares.

Reports render here as text and Markdown; plans and histories as Markdown (their
text forms are their own ``to_text``). HTML lives in ``_html``; the
explanation's text form in ``_explain``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from ._messages import ceus, rollover_message
from ._models import ComplianceReport, RejectionCode, Status, format_decimal
from ._plan import Plan, composition, headline

if TYPE_CHECKING:
    from ._history import History


@dataclass(frozen=True)
class Uncounted:
    """CEUs of one record that did not count in this period: a rejection, or its rollover."""

    record: str
    ceus: Decimal
    code: RejectionCode | Literal["rollover"]
    rule: str
    message: str


def uncounted(report: ComplianceReport) -> Iterator[Uncounted]:
    """Every part of every record that did not count, in record order."""
    for outcome in report.records:
        for rejection in outcome.rejections:
            yield Uncounted(
                outcome.id, rejection.ceus, rejection.code, rejection.rule, rejection.message
            )
        if outcome.rollover > 0:
            yield Uncounted(
                outcome.id,
                outcome.rollover,
                "rollover",
                "P-RENEWAL-MONTH",
                rollover_message(outcome.id, outcome.rollover),
            )


def verdict(status: Status) -> str:
    """The status in capitals: ``COMPLIANT``, ``IN PROGRESS``, ``NONCOMPLIANT``, ``EXTENSION``."""
    return status.value.replace("_", " ").upper()


def requirement_rows(report: ComplianceReport) -> list[tuple[str, str, str, str, str, str]]:
    """One row per requirement: id, rule, required, counted, shortfall, met or not."""
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


def report_text(report: ComplianceReport) -> str:
    """Requirements table, then every record that did not fully count, in sentences."""
    lines = [
        f"Member {report.member_id}: {verdict(report.status)}",
        f"Period {report.period.start} to {report.period.end}, as of {report.as_of}, "
        f"rules {report.rules}",
        "",
    ]
    rows = [("Requirement", "Rule", "Required", "Counted", "Short", ""), *requirement_rows(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.ljust(w) if i in (0, 1, 5) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(totals_sentence(report))
    partial = [r for r in report.records if r.rejections or r.rollover > 0]
    if partial:
        lines += ["", "Records that did not fully count:"]
        for outcome in partial:
            lines.append(
                f"- {outcome.id}: claimed {format_decimal(outcome.claimed)}, "
                f"counted {format_decimal(outcome.counted)}"
            )
            for rejection in outcome.rejections:
                lines.append(f"    [{rejection.code.value}, {rejection.rule}] {rejection.message}")
            if outcome.rollover > 0:
                lines.append(
                    f"    [rollover, P-RENEWAL-MONTH] {format_decimal(outcome.rollover)} CEUs "
                    "left for the next period."
                )
    if report.notes:
        lines += ["", "Notes:"]
        lines += [f"- {note}" for note in report.notes]
    lines += ["", deadlines_sentence(report)]
    return "\n".join(lines) + "\n"


def report_markdown(report: ComplianceReport, *, level: int = 2) -> str:
    """GitHub-flavoured Markdown for tickets and emails: heading, pipe table, bullet lists.

    The heading is of ``level`` (``##`` by default), its sections one deeper.
    """
    heading, section = "#" * level, "#" * (level + 1)
    lines = [
        f"{heading} CEU compliance: member {markdown_escape(report.member_id)} — "
        f"{verdict(report.status)}",
        "",
        f"Period {report.period.start} to {report.period.end}, as of {report.as_of}, "
        f"rules {markdown_escape(report.rules)}.",
        "",
        "| Requirement | Rule | Required | Counted | Short | Status |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for row in requirement_rows(report):
        cells = [markdown_escape(cell) for cell in row]
        if cells[5] != "met":
            cells[5] = f"**{cells[5]}**"
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", markdown_escape(totals_sentence(report))]
    parts = list(uncounted(report))
    if parts:
        lines += ["", f"{section} CEUs that did not count", ""]
        lines += [
            f"- **{markdown_escape(p.record)}**: {ceus(p.ceus)}, `{p.code}` "
            f"({p.rule}). {markdown_escape(p.message)}"
            for p in parts
        ]
    if report.notes:
        lines += ["", f"{section} Notes", ""]
        lines += [f"- {markdown_escape(note)}" for note in report.notes]
    lines += ["", markdown_escape(deadlines_sentence(report))]
    return "\n".join(lines) + "\n"


def plan_sentence(plan: Plan) -> str:
    """What the plan asks for: how many more CEUs, by when, at what pace and of which kinds."""
    if plan.compliant:
        return "Compliant: no more CEUs are needed."
    return f"{headline(plan)}: {composition(plan)}."


def plan_markdown(plan: Plan) -> str:
    """The plan in Markdown: heading, what it asks for, the needs, what can be shared, notes."""
    lines = [
        f"## Completion plan: member {markdown_escape(plan.member_id)} — {verdict(plan.status)}",
        "",
        f"As of {plan.as_of} (PL-MIN). {markdown_escape(plan_sentence(plan))}",
    ]
    if plan.needs:
        lines += ["", "### Shortfalls under this plan", ""]
        lines += _markdown_table(("Requirement", "CEUs needed"), need_rows(plan), numeric=(1,))
    if plan.shareable:
        lines += ["", "### Shareable CEUs (Q-CONCURRENT)", ""]
        lines += _markdown_table(
            ("Core minimum", "Specialty minimum", "CEUs"), shareable_rows(plan), numeric=(2,)
        )
    lines += ["", "### Notes", "", *(f"- {markdown_escape(note)}" for note in plan.notes)]
    return "\n".join(lines) + "\n"


def need_rows(plan: Plan) -> list[tuple[str, str]]:
    """One row per need: requirement, CEUs still needed."""
    return [(n.requirement, format_decimal(n.ceus)) for n in plan.needs]


def shareable_rows(plan: Plan) -> list[tuple[str, str, str]]:
    """One row per shareable pair: core minimum, specialty minimum, CEUs."""
    return [(*s.requirements, format_decimal(s.ceus)) for s in plan.shareable]


def history_verdict(history: History) -> str:
    """How many of the history's periods are compliant: ``1 of 2 periods compliant``."""
    count = len(history.periods)
    met = sum(r.compliant for r in history.periods)
    return f"{met} of {count} period{'' if count == 1 else 's'} compliant"


def period_label(report: ComplianceReport) -> str:
    """A period by its dates: ``2023-04-01 to 2025-03-31``."""
    return f"{report.period.start} to {report.period.end}"


def period_rows(history: History) -> list[tuple[str, str, str, str, str]]:
    """One row per period, oldest first: dates, status, required, counted, rollover."""
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


def history_markdown(history: History) -> str:
    """The history in Markdown: the periods' table, each period's report, the splits, notes."""
    lines = [
        f"## CEU history: member {markdown_escape(history.member_id)} — {history_verdict(history)}",
        "",
        f"As of {history.periods[-1].as_of}, oldest period first.",
        "",
        *_markdown_table(
            ("Period", "Status", "Required", "Counted", "Rollover"),
            period_rows(history),
            numeric=(2, 3, 4),
        ),
    ]
    for report in history.periods:
        lines += ["", report_markdown(report, level=3).rstrip("\n")]
    if history.splits:
        lines += ["", "### Renewal-month records shared by two periods (H-SPLIT)", ""]
        lines += _markdown_table(SPLIT_HEADERS, split_rows(history), numeric=(3, 5))
    if history.notes:
        lines += ["", "### Notes", "", *(f"- {markdown_escape(n)}" for n in history.notes)]
    return "\n".join(lines) + "\n"


def _markdown_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Collection[int] = ()
) -> list[str]:
    """A pipe table's lines; cells escaped, columns in ``numeric`` right-aligned."""
    rule = ["---:" if i in numeric else "---" for i in range(len(headers))]
    return [
        f"| {' | '.join(headers)} |",
        f"| {' | '.join(rule)} |",
        *(f"| {' | '.join(markdown_escape(cell) for cell in row)} |" for row in rows),
    ]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&])")


def markdown_escape(text: str) -> str:
    """``text`` with every character Markdown or its inline HTML could act on backslashed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


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
