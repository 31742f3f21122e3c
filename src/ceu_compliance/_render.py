"""Plain-text rendering of reports for terminals and logs."""

from __future__ import annotations

from ._models import ComplianceReport, format_decimal


def report_text(report: ComplianceReport) -> str:
    """Requirements table, then every record that did not fully count, in sentences."""
    verdict = "COMPLIANT" if report.compliant else report.status.value.replace("_", " ").upper()
    lines = [
        f"Member {report.member_id}: {verdict}",
        f"Period {report.period.start} to {report.period.end}, as of {report.as_of}, "
        f"rules {report.rules}",
        "",
    ]
    rows = [("Requirement", "Rule", "Required", "Counted", "Short", "")]
    for r in report.requirements:
        rows.append(
            (
                r.id,
                r.rule,
                format_decimal(r.required),
                format_decimal(r.counted),
                format_decimal(r.shortfall),
                "met" if r.met else "NOT MET",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.ljust(w) if i in (0, 1, 5) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(
        f"Counted {format_decimal(report.counted_total)} of "
        f"{format_decimal(report.required_total)} CEUs; excess {format_decimal(report.excess)}; "
        f"rollover {format_decimal(report.rollover)}."
    )
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
    d = report.deadlines
    lines += [
        "",
        f"Submission opens {d.submission_opens}; due {d.due}; revocation {d.revocation}.",
    ]
    return "\n".join(lines) + "\n"
