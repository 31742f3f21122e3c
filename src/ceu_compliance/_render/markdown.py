"""GitHub-flavoured Markdown for tickets and emails: headings, pipe tables, bullet lists.

Every user string is escaped (:func:`markdown_escape`), so a ``|`` in a title
cannot break a table and ``<...>`` cannot become HTML.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from .._amounts import ceus, format_decimal
from .._messages import uncounted
from . import common

if TYPE_CHECKING:
    from .._models import ComplianceReport, Explanation, History, Plan


@common.visible_strings
def report(report: ComplianceReport, *, level: int = 2) -> str:
    """Heading, requirements table, the CEUs that did not count, notes, deadlines.

    The heading is of ``level`` (``##`` by default), its sections one deeper.
    """
    heading, section = "#" * level, "#" * (level + 1)
    lines = [
        f"{heading} CEU compliance: member {markdown_escape(report.member_id)} — "
        f"{common.verdict(report.status)}",
        "",
        f"{markdown_escape(common.when(report))}.",
        "",
        "| Requirement | Rule | Required | Counted | Short | Status |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for row in common.requirement_rows(report):
        cells = [markdown_escape(cell) for cell in row]
        if cells[5] != "met":
            cells[5] = f"**{cells[5]}**"
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", markdown_escape(common.totals_sentence(report))]
    parts = list(uncounted(report))
    if parts:
        lines += ["", f"{section} CEUs that did not count", ""]
        lines += [
            f"- **{markdown_escape(p.record)}**: {ceus(p.ceus)}, `{p.code}` "
            f"({p.rule}). {markdown_escape(p.message)}"
            for p in parts
        ]
    refused = common.not_applied(report)
    if refused:
        lines += ["", f"{section} {common.NOT_APPLIED_HEADING}", ""]
        lines += [
            f"- **{markdown_escape(outcome.id)}**: not applied to "
            f"{markdown_escape(n.requirement)}, `{n.code.value}` ({n.rule}). "
            f"{markdown_escape(n.message)}"
            for outcome, n in refused
        ]
    if report.records:
        lines += ["", f"{section} Records", ""]
        lines += _table(
            common.RECORD_HEADERS, common.record_rows(report), numeric=common.RECORD_NUMERIC
        )
    lines += _list(f"{section} Notes", report.notes)
    lines += _list(f"{section} {common.WARNINGS_HEADING}", common.warning_lines(report.warnings))
    lines += ["", markdown_escape(common.deadlines_sentence(report))]
    return "\n".join(lines) + "\n"


@common.visible_strings
def plan(plan: Plan) -> str:
    """Heading, what the plan asks for, the needs, what can be shared, notes."""
    lines = [
        f"## Completion plan: member {markdown_escape(plan.member_id)} — "
        f"{common.verdict(plan.status)}",
        "",
        f"As of {plan.as_of} (PL-MIN). {markdown_escape(common.plan_sentence(plan))}",
    ]
    if plan.needs:
        lines += ["", "### Shortfalls under this plan", ""]
        lines += _table(common.NEED_HEADERS, common.need_rows(plan), numeric=(1,))
    if plan.shareable:
        lines += ["", "### Shareable CEUs (Q-CONCURRENT)", ""]
        lines += _table(common.SHAREABLE_HEADERS, common.shareable_rows(plan), numeric=(2,))
    lines += _list("### Notes", plan.notes)
    lines += _list(f"### {common.WARNINGS_HEADING}", common.warning_lines(plan.warnings))
    return "\n".join(lines) + "\n"


@common.visible_strings
def history(history: History) -> str:
    """The periods' table, each period's report a level down, the splits, notes."""
    lines = [
        f"## CEU history: member {markdown_escape(history.member_id)} — "
        f"{common.history_verdict(history)}",
        "",
        f"As of {history.periods[-1].as_of}, oldest period first.",
        "",
        *_table(common.PERIOD_HEADERS, common.period_rows(history), numeric=(2, 3, 4)),
    ]
    for period in history.periods:
        lines += ["", report(common.quiet(period), level=3).rstrip("\n")]
    if history.splits:
        lines += ["", "### Renewal-month records shared by two periods (H-SPLIT)", ""]
        lines += _table(common.SPLIT_HEADERS, common.split_rows(history), numeric=(3, 5))
    lines += _list("### Notes", history.notes)
    lines += _list(f"### {common.WARNINGS_HEADING}", common.warning_lines(history.warnings))
    return "\n".join(lines) + "\n"


@common.visible_strings
def explanation(e: Explanation) -> str:
    """Each requirement with the records that fill it, then each CEU that did not count,
    every one with its citation."""
    lines = [
        f"## {markdown_escape(common.explanation_heading(e))}",
        "",
        f"Period {e.period.start} to {e.period.end}, as of {e.as_of}. "
        f"Rules {markdown_escape(e.rules)}, from {markdown_escape(e.source)}.",
        "",
        "### Requirements",
        "",
    ]
    for r in e.requirements:
        state = "met" if r.met else f"**{format_decimal(r.shortfall)} short**"
        filled = ", ".join(f"{c.record} ({format_decimal(c.ceus)})" for c in r.filled_by)
        lines += [
            f"- **{markdown_escape(r.id)}** ({r.rule}): {format_decimal(r.counted)} of "
            f"{format_decimal(r.required)} CEUs counted, {state}. "
            f"Filled by {markdown_escape(filled or 'no record')}. "
            f"{markdown_escape(common.not_applied_to(e, r.id))}".rstrip(),
            f"  {markdown_escape(common.citation_sentence(r.citation, e.rules))}",
        ]
    if e.not_counted:
        lines += ["", "### CEUs that did not count", ""]
    for part in e.not_counted:
        lines += [
            f"- **{markdown_escape(part.record)}**: {ceus(part.ceus)}, `{part.code}` "
            f"({part.rule}). {markdown_escape(part.reason)}",
            f"  {markdown_escape(common.citation_sentence(part.citation, e.rules))}",
        ]
    if e.not_applied:
        lines += ["", f"### {common.NOT_APPLIED_HEADING}", ""]
    for n in e.not_applied:
        lines += [
            f"- **{markdown_escape(n.record)}**: not applied to {markdown_escape(n.requirement)}, "
            f"`{n.code.value}` ({n.rule}). {markdown_escape(n.message)}",
            f"  {markdown_escape(common.citation_sentence(n.citation, e.rules))}",
        ]
    heading = f"### {common.PARAMETERS_HEADING} (version of {e.rules_version})"
    lines += _list(heading, common.parameter_lines(e))
    return "\n".join(lines) + "\n"


@common.visible_strings
def reports(reports: Sequence[ComplianceReport]) -> str:
    """A roster: the summary table, then each member's report as a section."""
    return _roster(common.report_summary(reports), [report(r) for r in reports])


@common.visible_strings
def plans(plans: Sequence[Plan]) -> str:
    """A roster: the summary table, then each member's plan as a section."""
    return _roster(common.plan_summary(plans), [plan(p) for p in plans])


@common.visible_strings
def histories(histories: Sequence[History]) -> str:
    """A roster: the summary table, then each member's history as a section."""
    return _roster(common.history_summary(histories), [history(h) for h in histories])


@common.visible_strings
def explanations(explanations: Sequence[Explanation]) -> str:
    """A roster: the summary table, then each member's explanation as a section."""
    return _roster(common.explanation_summary(explanations), [explanation(e) for e in explanations])


def _roster(summary: common.Summary, sections: Sequence[str]) -> str:
    """The roster's title and summary table; each section brings its own ``##`` heading."""
    lines = [
        f"# {markdown_escape(summary.title)}",
        "",
        *_table(summary.headers, summary.rows, numeric=summary.numeric),
    ]
    for section in sections:
        lines += ["", section.rstrip("\n")]
    return "\n".join(lines) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|&])")


def markdown_escape(text: str) -> str:
    """``text`` with every character Markdown or its inline HTML could act on backslashed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, numeric: Collection[int] = ()
) -> list[str]:
    """A pipe table's lines; cells escaped, columns in ``numeric`` right-aligned."""
    rule = ["---:" if i in numeric else "---" for i in range(len(headers))]
    return [
        f"| {' | '.join(headers)} |",
        f"| {' | '.join(rule)} |",
        *(f"| {' | '.join(markdown_escape(cell) for cell in row)} |" for row in rows),
    ]


def _list(heading: str, entries: Sequence[str]) -> list[str]:
    if not entries:
        return []
    return ["", heading, "", *(f"- {markdown_escape(entry)}" for entry in entries)]
