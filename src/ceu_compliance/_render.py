"""Text and Markdown renderings of reports, and the pieces every rendering shares.

HTML lives in ``_html``; the explanation's text form in ``_explain``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ._messages import ceus, rollover_message
from ._models import ComplianceReport, RejectionCode, Status, format_decimal


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


def report_markdown(report: ComplianceReport) -> str:
    """GitHub-flavoured Markdown for tickets and emails: heading, pipe table, bullet lists."""
    lines = [
        f"## CEU compliance: member {markdown_escape(report.member_id)} — {verdict(report.status)}",
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
        lines += ["", "### CEUs that did not count", ""]
        lines += [
            f"- **{markdown_escape(p.record)}**: {ceus(p.ceus)}, `{p.code}` "
            f"({p.rule}). {markdown_escape(p.message)}"
            for p in parts
        ]
    if report.notes:
        lines += ["", "### Notes", ""]
        lines += [f"- {markdown_escape(note)}" for note in report.notes]
    lines += ["", markdown_escape(deadlines_sentence(report))]
    return "\n".join(lines) + "\n"


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
