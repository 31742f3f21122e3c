"""Plain text for terminals and logs: reports, plans, histories, explanations, rosters."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._amounts import ceus, format_decimal
from . import common

if TYPE_CHECKING:
    from .._models import ComplianceReport, Explanation, History, InputWarning, Plan

_WIDTH = 88


@common.visible_strings
def report(report: ComplianceReport) -> str:
    """Requirements table, then every record that did not fully count, in sentences."""
    # The status column says "met" or "NOT MET" without a header.
    headers = (*common.REQUIREMENT_HEADERS[:-1], "")
    lines = [
        f"Member {report.member_id}: {common.verdict(report.status)}",
        common.when(report),
        "",
        *_table(headers, common.requirement_rows(report), left=(0, 1, 5)),
        "",
        common.totals_sentence(report),
    ]
    partial = [r for r in report.records if r.rejections or r.rollover > 0]
    if partial:
        lines += ["", "Records that did not fully count:"]
        for outcome in partial:
            lines.append(
                f"- {common.record_label(outcome)}: claimed {format_decimal(outcome.claimed)}, "
                f"counted {format_decimal(outcome.counted)}"
            )
            for rejection in outcome.rejections:
                lines.append(f"    [{rejection.code.value}, {rejection.rule}] {rejection.message}")
            if outcome.rollover > 0:
                lines.append(
                    f"    [rollover, P-RENEWAL-MONTH] {format_decimal(outcome.rollover)} CEUs "
                    "left for the next period."
                )
    refused = common.not_applied(report)
    if refused:
        lines += ["", f"{common.NOT_APPLIED_HEADING}:"]
        for outcome, n in refused:
            lines.append(f"- {common.record_label(outcome)}: not applied to {n.requirement}")
            lines.append(f"    [{n.code.value}, {n.rule}] {n.message}")
    lines += _notes(report.notes)
    lines += _warnings(report.warnings)
    lines += ["", common.deadlines_sentence(report)]
    return "\n".join(lines) + "\n"


@common.visible_strings
def plan(plan: Plan) -> str:
    """What the plan asks for, its shortfalls, and its notes."""
    lines = [f"Completion plan for member {plan.member_id}, as of {plan.as_of} (PL-MIN)"]
    if plan.route in common.ASKS_FOR_CEUS:
        lines += [f"{common.headline(plan)}:", f"{common.composition(plan)}."]
    else:
        lines.append(f"{common.headline(plan)}.")
    if plan.needs:
        shortfalls = ", ".join(f"{n.requirement} {format_decimal(n.ceus)}" for n in plan.needs)
        lines.append(f"Shortfalls under this plan: {shortfalls}.")
    lines += _notes(plan.notes)
    lines += _warnings(plan.warnings)
    return "\n".join(lines) + "\n"


@common.visible_strings
def history(history: History) -> str:
    """Each period's report under a header, then the split decisions and the notes."""
    count = len(history.periods)
    lines = [
        f"History of member {history.member_id} as of {history.periods[-1].as_of}: "
        f"{common.history_verdict(history)}"
    ]
    for n, period in enumerate(history.periods, start=1):
        lines += ["", f"=== Period {n} of {count}: {common.period_label(period)} ==="]
        lines.append(report(common.quiet(period)).rstrip("\n"))
    if history.splits:
        lines += ["", "Renewal-month records shared by two periods (H-SPLIT):"]
        lines += [
            f"- {s.record} ({s.date}): {format_decimal(s.to_earlier)} CEUs to the period "
            f"ending {s.earlier_period_end}, {format_decimal(s.to_later)} to the period "
            f"ending {s.later_period_end}"
            for s in history.splits
        ]
    lines += _notes(history.notes)
    lines += _warnings(history.warnings)
    return "\n".join(lines) + "\n"


@common.visible_strings
def explanation(e: Explanation) -> str:
    """Each requirement with the records that fill it, then each CEU that did not count,
    every one with its citation; wrapped to 88 columns."""
    lines = [
        common.explanation_heading(e),
        f"Period {e.period.start} to {e.period.end}, as of {e.as_of}.",
        *_wrap(f"Rules {e.rules}, from {e.source}.", ""),
        "",
        "Requirements:",
    ]
    for r in e.requirements:
        state = "met" if r.met else f"{format_decimal(r.shortfall)} short"
        lines.append(
            f"- {r.id} [{r.rule}]: {format_decimal(r.counted)} of "
            f"{format_decimal(r.required)} CEUs counted, {state}."
        )
        filled = ", ".join(f"{c.record} ({format_decimal(c.ceus)})" for c in r.filled_by)
        lines += _wrap(f"Filled by {filled or 'no record'}.", "    ")
        lines += _wrap(common.not_applied_to(e, r.id), "    ")
        lines += _wrap(common.citation_sentence(r.citation, e.rules), "    ")
    if e.not_counted:
        lines += ["", "CEUs that did not count:"]
    for part in e.not_counted:
        lines.append(f"- {part.record}: {ceus(part.ceus)}, {part.code} [{part.rule}]")
        lines += _wrap(part.reason, "    ")
        lines += _wrap(common.citation_sentence(part.citation, e.rules), "    ")
    if e.not_applied:
        lines += ["", f"{common.NOT_APPLIED_HEADING}:"]
    for n in e.not_applied:
        lines.append(f"- {n.record}: not applied to {n.requirement}, {n.code.value} [{n.rule}]")
        lines += _wrap(n.message, "    ")
        lines += _wrap(common.citation_sentence(n.citation, e.rules), "    ")
    if e.parameters:
        lines += ["", f"{common.PARAMETERS_HEADING} (version of {e.rules_version}):"]
    for line in common.parameter_lines(e):
        lines += _wrap(f"- {line}", "    ")
    return "\n".join(lines) + "\n"


@common.visible_strings
def reports(reports: Sequence[ComplianceReport]) -> str:
    """A roster: the summary table, then each member's report under a heading."""
    return _roster(
        common.report_summary(reports),
        [(r.member_id, report(r)) for r in reports],
    )


@common.visible_strings
def plans(plans: Sequence[Plan]) -> str:
    """A roster: the summary table, then each member's plan under a heading."""
    return _roster(
        common.plan_summary(plans),
        [(p.member_id, plan(p)) for p in plans],
    )


@common.visible_strings
def histories(histories: Sequence[History]) -> str:
    """A roster: the summary table, then each member's history under a heading."""
    return _roster(
        common.history_summary(histories),
        [(h.member_id, history(h)) for h in histories],
    )


@common.visible_strings
def explanations(explanations: Sequence[Explanation]) -> str:
    """A roster: the summary table, then each member's explanation under a heading."""
    return _roster(
        common.explanation_summary(explanations),
        [(e.member_id, explanation(e)) for e in explanations],
    )


def _roster(summary: common.Summary, sections: Sequence[tuple[str, str]]) -> str:
    """The title and the summary table, then each (member id, text) under the id, underlined."""
    left = [i for i in range(len(summary.headers)) if i not in summary.numeric]
    lines = [summary.title, "", *_table(summary.headers, summary.rows, left=left)]
    for heading, body in sections:
        lines += ["", "", heading, "=" * len(heading), "", body.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], left: Sequence[int] = (0,)
) -> list[str]:
    """Columns padded to their widest cell; those in ``left`` left-aligned, the rest right."""
    every = [tuple(headers), *(tuple(row) for row in rows)]
    widths = [max(len(row[i]) for row in every) for i in range(len(headers))]
    return [
        "  ".join(
            cell.ljust(w) if i in left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in every
    ]


def _notes(notes: Sequence[str]) -> list[str]:
    return ["", "Notes:", *(f"- {note}" for note in notes)] if notes else []


def _warnings(warnings: Sequence[InputWarning]) -> list[str]:
    lines = common.warning_lines(warnings)
    return ["", f"{common.WARNINGS_HEADING}:", *(f"- {line}" for line in lines)] if lines else []


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, _WIDTH, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False
    )
