"""HTML: a standalone page and a compact Jupyter fragment for every kind of output.

No JavaScript, no external resources, inline CSS only. Every string is escaped
unless it is :class:`Html`, markup this module built itself. Reports, plans
and histories share the building blocks: :func:`progress_bar_svg`,
:func:`html_table`, :func:`html_page` and :func:`html_fragment`.

Progress bars are readable without colour: counted CEUs are a solid bar,
rollover CEUs a hatched one and the shortfall a dashed outline, and every bar
says its figures in its ``<title>`` and ``aria-label``.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .._amounts import ceus, format_decimal
from .._messages import uncounted
from . import common, text
from .common import (
    SPLIT_HEADERS,
    deadlines_sentence,
    history_verdict,
    need_rows,
    period_label,
    period_rows,
    plan_sentence,
    requirement_rows,
    shareable_rows,
    split_rows,
    totals_sentence,
    verdict,
)

if TYPE_CHECKING:
    from .._models import ComplianceReport, Explanation, History, Plan

_ZERO = Decimal(0)
_BAR_WIDTH = 160
_BAR_HEIGHT = 14
_HATCH_STEP = 4
# How the three parts of a bar are painted; they differ in shape, not colour.
_SOLID = 'fill="currentColor"'
_DASHED = 'fill="none" stroke="currentColor" stroke-dasharray="3 2"'
_OUTLINE = 'fill="none" stroke="currentColor"'


class Html(str):
    """Trusted markup: inserted as is where plain strings are escaped."""

    __slots__ = ()


def escape(text: str) -> Html:
    """``text`` as HTML text (``Html`` is returned unchanged)."""
    return text if isinstance(text, Html) else Html(html.escape(text, quote=True))


def progress_bar_svg(
    required: Decimal, counted: Decimal, rollover: Decimal = _ZERO, *, label: str = ""
) -> Html:
    """An inline SVG bar: counted (solid), shortfall (dashed outline), rollover (hatched).

    The bar's length is ``max(required, counted) + rollover``; when it runs past
    ``required``, a tick marks where the requirement ends. ``label`` (e.g. the
    requirement's id) starts the bar's title and ``aria-label``.
    """
    shortfall = max(_ZERO, required - counted)
    extent = max(required, counted) + rollover
    description = (
        f"{label + ': ' if label else ''}{format_decimal(counted)} of "
        f"{format_decimal(required)} CEUs counted, {format_decimal(shortfall)} short"
        + (f", {format_decimal(rollover)} rollover" if rollover > 0 else "")
    )

    def x(amount: Decimal) -> float:
        return round(_BAR_WIDTH * float(amount / extent), 1) if extent > 0 else 0.0

    shapes = []
    if counted > 0:
        shapes.append(_rect(0, x(counted), _SOLID))
    if shortfall > 0:
        shapes.append(_rect(x(counted), x(required), _DASHED))
    if rollover > 0:
        start = x(max(required, counted))
        shapes += [_rect(start, _BAR_WIDTH, _OUTLINE), _hatch(start, _BAR_WIDTH)]
    if extent == 0:
        shapes.append(_rect(0, _BAR_WIDTH, _OUTLINE))
    if 0 < required < extent:
        tick = x(required)
        shapes.append(
            f'<line x1="{tick}" y1="0" x2="{tick}" y2="{_BAR_HEIGHT}" '
            'stroke="currentColor" stroke-width="2"/>'
        )
    return _svg(description, _BAR_WIDTH, "".join(shapes))


def need_bar_svg(needed: Decimal, of: Decimal, *, label: str) -> Html:
    """An inline SVG bar for a plan: a dashed outline, ``needed`` CEUs out of ``of``.

    A plan knows what each requirement still needs, not what already counts, so its
    bar shows only the part still missing, drawn as a report draws a shortfall.
    """
    width = round(_BAR_WIDTH * float(needed / of), 1) if of > 0 else 0.0
    description = f"{label} needs {format_decimal(needed)} of the {format_decimal(of)} new CEUs"
    return _svg(description, _BAR_WIDTH, _rect(0, width, _DASHED))


def bar_legend() -> Html:
    """A key to the bars' three fills, with a text label beside each."""
    keys = (
        ("counted", "solid", _rect(0, 16, _SOLID)),
        ("rollover", "hatched", _rect(0, 16, _OUTLINE) + _hatch(0, 16)),
        ("short", "dashed outline", _rect(0, 16, _DASHED)),
    )
    items = [
        Html(f'<span class="ceu-key">{_svg(f"{name}: {look}", 16, shape)} {name} ({look})</span>')
        for name, look, shape in keys
    ]
    return Html(f'<p class="ceu-legend">Bars: {" ".join(items)}</p>')


def html_table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric: Collection[int] = (),
    wrapped: Collection[int] = (),
) -> Html:
    """An accessible table: a caption, ``<th scope="col">`` headers, each row's first cell
    a ``<th scope="row">``. Cells are escaped unless :class:`Html`; columns whose index
    is in ``numeric`` are right-aligned, those in ``wrapped`` may wrap their text."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = []
    for row in rows:
        cells = [f'<th scope="row">{escape(row[0])}</th>']
        for i, cell in enumerate(row[1:], start=1):
            cls = ' class="num"' if i in numeric else ' class="wrap"' if i in wrapped else ""
            cells.append(f"<td{cls}>{escape(cell)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return Html(
        f'<div class="ceu-scroll"><table class="ceu-table"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def html_page(title: str, body: Html) -> str:
    """A standalone HTML5 document around ``body``, with the shared stylesheet."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}{_PAGE_CSS}</style>\n</head>\n"
        f'<body>\n<main class="ceu">\n{body}\n</main>\n</body>\n</html>\n'
    )


def html_fragment(body: Html, fallback: str) -> str:
    """A self-contained fragment for notebooks: ``body``, then the text ``fallback``."""
    return (
        f'<div class="ceu"><style>{_CSS}</style>{body}'
        f"<details><summary>Text</summary><pre>{escape(fallback)}</pre></details></div>"
    )


@common.visible_strings
def report(report: ComplianceReport) -> str:
    """The standalone page: requirements with bars, every record, notes and deadlines."""
    heading = f"<h1>{escape(f'CEU compliance: member {report.member_id}')}</h1>"
    return html_page(
        f"CEU compliance: {report.member_id} ({verdict(report.status)})",
        Html(heading + _report_sections(report, full=True)),
    )


@common.visible_strings
def report_fragment(report: ComplianceReport) -> str:
    """The Jupyter view: summary, requirements with bars, CEUs that did not count."""
    return html_fragment(_report_sections(report, full=False), text.report(report))


@common.visible_strings
def plan(plan: Plan) -> str:
    """The plan's standalone page: what it asks for, the needs, what can be shared, notes."""
    heading = f"<h1>{escape(f'Completion plan: member {plan.member_id}')}</h1>"
    return html_page(f"Completion plan: {plan.member_id}", Html(heading + _plan_sections(plan)))


@common.visible_strings
def plan_fragment(plan: Plan) -> str:
    """The plan's Jupyter view: the page's content, then its text as a fallback."""
    return html_fragment(_plan_sections(plan), text.plan(plan))


@common.visible_strings
def history(history: History) -> str:
    """The history's standalone page: the periods with bars, each period's full report,
    the split decisions and the notes."""
    heading = f"<h1>{escape(f'CEU history: member {history.member_id}')}</h1>"
    return html_page(
        f"CEU history: {history.member_id} ({history_verdict(history)})",
        Html(heading + _history_sections(history, full=True)),
    )


@common.visible_strings
def history_fragment(history: History) -> str:
    """The history's Jupyter view: the periods with bars, each period's compact report, the
    split decisions; the text as a fallback."""
    return html_fragment(_history_sections(history, full=False), text.history(history))


@common.visible_strings
def explanation(e: Explanation) -> str:
    """The explanation's standalone page: each requirement with the records that fill it,
    then each CEU that did not count, every one with its citation."""
    heading = f"<h1>{escape(common.explanation_heading(e))}</h1>"
    return html_page(common.explanation_heading(e), Html(heading + _explanation_sections(e)))


@common.visible_strings
def explanation_fragment(e: Explanation) -> str:
    """The explanation's Jupyter view: the page's content, then its text as a fallback."""
    return html_fragment(_explanation_sections(e), text.explanation(e))


@common.visible_strings
def reports(reports: Sequence[ComplianceReport]) -> str:
    """A roster's page: the summary table, the key to the bars, then one section per member
    with the report in full."""
    return _roster(
        common.report_summary(reports),
        bar_legend(),
        [
            (
                common.member_heading(r.member_id, r.status),
                _report_sections(r, full=True, where=_IN_ROSTER.of(f", member {r.member_id}")),
            )
            for r in reports
        ],
    )


@common.visible_strings
def plans(plans: Sequence[Plan]) -> str:
    """A roster's page: the summary table, the key to the bars, then one section per member
    with the plan."""
    return _roster(
        common.plan_summary(plans),
        _need_legend("the member's"),
        [
            (
                common.member_heading(p.member_id, p.status),
                _plan_sections(p, where=_IN_ROSTER.of(f", member {p.member_id}")),
            )
            for p in plans
        ],
    )


@common.visible_strings
def histories(histories: Sequence[History]) -> str:
    """A roster's page: the summary table, the key to the bars, then one section per member
    with the history in full."""
    return _roster(
        common.history_summary(histories),
        bar_legend(),
        [
            (
                common.member_heading(h.member_id, h.periods[-1].status),
                _history_sections(h, full=True, where=_IN_ROSTER.of(f", member {h.member_id}")),
            )
            for h in histories
        ],
    )


@common.visible_strings
def explanations(explanations: Sequence[Explanation]) -> str:
    """A roster's page: the summary table, then one section per member with the
    explanation."""
    return _roster(
        common.explanation_summary(explanations),
        Html(""),
        [
            (common.member_heading(e.member_id, e.status), _explanation_sections(e, _IN_ROSTER))
            for e in explanations
        ],
    )


@dataclass(frozen=True)
class _Where:
    """Where sections sit on a page: the level of their headings, whether they show the key
    to the bars (a page holding several shows it once, above them), and what their tables'
    captions add to say whose they are."""

    level: int = 2
    legend: bool = True
    caption: str = ""

    def of(self, caption: str) -> _Where:
        """The same place, for sections whose captions add ``caption``."""
        return _Where(self.level, self.legend, caption)

    def inside(self, caption: str) -> _Where:
        """Sections a level further down, under a heading of these, without the key."""
        return _Where(self.level + 1, False, caption)


_ALONE = _Where()
_IN_ROSTER = _Where(level=3, legend=False)


def _roster(summary: common.Summary, legend: Html, sections: Sequence[tuple[str, Html]]) -> str:
    table = html_table("Summary", summary.headers, summary.rows, numeric=summary.numeric)
    body = [
        Html(f"<h1>{escape(summary.title)}</h1>"),
        table,
        legend,
        *(
            Html(f"<section><h2>{escape(heading)}</h2>{content}</section>")
            for heading, content in sections
        ),
    ]
    return html_page(summary.title, Html("".join(body)))


def _report_sections(report: ComplianceReport, *, full: bool, where: _Where = _ALONE) -> Html:
    """Summary, requirements with bars and what did not count or apply; with ``full`` also
    the totals, every record, the notes and the deadlines."""
    level = where.level
    parts = [_summary(report), _requirements_table(report, f"Requirements{where.caption}")]
    if where.legend:
        parts.append(bar_legend())
    if full:
        parts.append(_paragraph(totals_sentence(report)))
    parts.append(_uncounted_section(report, level))
    parts.append(_not_applied_section(report, level))
    if full:
        parts += [
            _records_table(report, f"Records{where.caption}"),
            _list_section("Notes", report.notes, level),
            _list_section(common.WARNINGS_HEADING, common.warning_lines(report.warnings), level),
            _paragraph(deadlines_sentence(report)),
        ]
    return Html("".join(parts))


def _records_table(report: ComplianceReport, caption: str) -> Html:
    return html_table(
        caption,
        common.RECORD_HEADERS,
        common.record_rows(report),
        numeric=common.RECORD_NUMERIC,
        wrapped=common.RECORD_WRAPPED,
    )


def _summary(report: ComplianceReport) -> Html:
    return Html(
        f'<p class="ceu-summary">Member <strong>{escape(report.member_id)}</strong>: '
        f"<strong>{escape(verdict(report.status))}</strong>. {escape(common.when(report))}.</p>"
    )


def _requirements_table(report: ComplianceReport, caption: str) -> Html:
    rows = []
    for requirement, row in zip(report.requirements, requirement_rows(report), strict=True):
        rollover = report.rollover if requirement.id == "total" else _ZERO
        bar = progress_bar_svg(
            requirement.required, requirement.counted, rollover, label=requirement.id
        )
        rows.append((*row, bar))
    return html_table(
        caption,
        (*common.REQUIREMENT_HEADERS, "Progress"),
        rows,
        numeric=(2, 3, 4),
    )


def _uncounted_section(report: ComplianceReport, level: int) -> Html:
    items = [
        f"<li><strong>{escape(part.record)}</strong>: {escape(ceus(part.ceus))}, "
        f"<code>{escape(part.code)}</code> {escape(f'({part.rule}). {part.message}')}</li>"
        for part in uncounted(report)
    ]
    if not items:
        return Html("")
    return Html(f"<h{level}>CEUs that did not count</h{level}><ul>{''.join(items)}</ul>")


def _not_applied_section(report: ComplianceReport, level: int) -> Html:
    items = [
        f"<li><strong>{escape(outcome.id)}</strong>: not applied to {escape(n.requirement)}, "
        f"<code>{escape(n.code.value)}</code> {escape(f'({n.rule}). {n.message}')}</li>"
        for outcome, n in common.not_applied(report)
    ]
    if not items:
        return Html("")
    heading = escape(common.NOT_APPLIED_HEADING)
    return Html(f"<h{level}>{heading}</h{level}><ul>{''.join(items)}</ul>")


def _plan_sections(plan: Plan, where: _Where = _ALONE) -> Html:
    """What the plan asks for, the needs with a bar each, the CEUs that can serve two
    needs, the notes."""
    summary = (
        f'<p class="ceu-summary">Member <strong>{escape(plan.member_id)}</strong>: '
        f"<strong>{escape(verdict(plan.status))}</strong>. "
        f"{escape(f'As of {plan.as_of} (PL-MIN).')}</p>"
    )
    parts = [Html(summary), _paragraph(plan_sentence(plan))]
    if plan.needs:
        n = plan.minimum_additional
        rows = [
            (*row, need_bar_svg(need.ceus, n, label=need.requirement))
            for need, row in zip(plan.needs, need_rows(plan), strict=True)
        ]
        parts.append(
            html_table(
                f"Shortfalls under this plan{where.caption}",
                (*common.NEED_HEADERS, f"Of the {format_decimal(n)} new CEUs"),
                rows,
                numeric=(1,),
            )
        )
        if where.legend:
            parts.append(_need_legend(f"the {format_decimal(n)}"))
    if plan.shareable:
        parts.append(
            html_table(
                f"Shareable CEUs (Q-CONCURRENT){where.caption}",
                common.SHAREABLE_HEADERS,
                shareable_rows(plan),
                numeric=(2,),
            )
        )
    parts.append(_list_section("Notes", plan.notes, where.level))
    warnings = common.warning_lines(plan.warnings)
    parts.append(_list_section(common.WARNINGS_HEADING, warnings, where.level))
    return Html("".join(parts))


def _need_legend(whose: str) -> Html:
    """The key to a plan's bars: ``whose`` new CEUs they are parts of."""
    return Html(
        '<p class="ceu-legend">Each bar, a dashed outline, is the part of '
        f"{escape(whose)} new CEUs that a requirement needs.</p>"
    )


def _history_sections(history: History, *, full: bool, where: _Where = _ALONE) -> Html:
    """The periods with a bar each, each period's report (``full`` or compact), the split
    decisions and the notes."""
    summary = (
        f'<p class="ceu-summary">Member <strong>{escape(history.member_id)}</strong>: '
        f"<strong>{escape(history_verdict(history))}</strong>. "
        f"{escape(f'As of {history.periods[-1].as_of}, oldest period first.')}</p>"
    )
    rows = [
        (*row, progress_bar_svg(r.required_total, r.counted_total, r.rollover, label=row[0]))
        for r, row in zip(history.periods, period_rows(history), strict=True)
    ]
    periods = html_table(
        f"Periods, oldest first: total CEUs{where.caption}",
        (*common.PERIOD_HEADERS, "Progress"),
        rows,
        numeric=(2, 3, 4),
    )
    parts = [Html(summary), periods]
    if where.legend:
        parts.append(bar_legend())
    count, level = len(history.periods), where.level
    for n, report in enumerate(history.periods, start=1):
        title = f"Period {n} of {count}: {period_label(report)}"
        inside = where.inside(f"{where.caption}, {period_label(report)}")
        parts.append(
            Html(
                f"<section><h{level}>{escape(title)}</h{level}>"
                f"{_report_sections(common.quiet(report), full=full, where=inside)}</section>"
            )
        )
    if history.splits:
        parts.append(
            html_table(
                f"Renewal-month records shared by two periods (H-SPLIT){where.caption}",
                SPLIT_HEADERS,
                split_rows(history),
                numeric=(3, 5),
            )
        )
    parts.append(_list_section("Notes", history.notes, level))
    warnings = common.warning_lines(history.warnings)
    parts.append(_list_section(common.WARNINGS_HEADING, warnings, level))
    return Html("".join(parts))


def _explanation_sections(e: Explanation, where: _Where = _ALONE) -> Html:
    """The summary, each requirement and each CEU that did not count, with citations."""
    summary = (
        f'<p class="ceu-summary">Member <strong>{escape(e.member_id)}</strong>: '
        f"<strong>{escape(verdict(e.status))}</strong>. "
        f"{escape(f'Period {e.period.start} to {e.period.end}, as of {e.as_of}. ')}"
        f"{escape(f'Rules {e.rules}, from {e.source}.')}</p>"
    )
    requirements = []
    for r in e.requirements:
        state = "met" if r.met else f"{format_decimal(r.shortfall)} short"
        filled = ", ".join(f"{c.record} ({format_decimal(c.ceus)})" for c in r.filled_by)
        figures = (
            f"({r.rule}): {format_decimal(r.counted)} of {format_decimal(r.required)} CEUs "
            f"counted, {state}. Filled by {filled or 'no record'}. "
            f"{common.not_applied_to(e, r.id)}"
        ).rstrip()
        requirements.append(
            f"<li><strong>{escape(r.id)}</strong> {escape(figures)}"
            f"{_citation(r.citation, e.rules)}</li>"
        )
    h = where.level
    parts = [Html(summary), Html(f"<h{h}>Requirements</h{h}><ul>{''.join(requirements)}</ul>")]
    items = [
        f"<li><strong>{escape(part.record)}</strong>: {escape(ceus(part.ceus))}, "
        f"<code>{escape(part.code)}</code> {escape(f'({part.rule}). {part.reason}')}"
        f"{_citation(part.citation, e.rules)}</li>"
        for part in e.not_counted
    ]
    if items:
        parts.append(Html(f"<h{h}>CEUs that did not count</h{h}><ul>{''.join(items)}</ul>"))
    refused = [
        f"<li><strong>{escape(n.record)}</strong>: not applied to {escape(n.requirement)}, "
        f"<code>{escape(n.code.value)}</code> {escape(f'({n.rule}). {n.message}')}"
        f"{_citation(n.citation, e.rules)}</li>"
        for n in e.not_applied
    ]
    if refused:
        heading = escape(common.NOT_APPLIED_HEADING)
        parts.append(Html(f"<h{h}>{heading}</h{h}><ul>{''.join(refused)}</ul>"))
    used = f"{common.PARAMETERS_HEADING} (version of {e.rules_version})"
    parts.append(_list_section(used, common.parameter_lines(e), h))
    return Html("".join(parts))


def _citation(citation: str | None, rules: str) -> Html:
    sentence = escape(common.citation_sentence(citation, rules))
    return Html(f'<br><small class="ceu-cite">{sentence}</small>')


def _list_section(heading: str, entries: Sequence[str], level: int = 2) -> Html:
    if not entries:
        return Html("")
    items = "".join(f"<li>{escape(e)}</li>" for e in entries)
    return Html(f"<h{level}>{escape(heading)}</h{level}><ul>{items}</ul>")


def _paragraph(sentence: str) -> Html:
    return Html(f"<p>{escape(sentence)}</p>")


def _svg(description: str, width: int, shapes: str) -> Html:
    label = escape(description)
    return Html(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ceu-bar" role="img" '
        f'aria-label="{label}" width="{width}" height="{_BAR_HEIGHT}" '
        f'viewBox="0 0 {width} {_BAR_HEIGHT}"><title>{label}</title>{shapes}</svg>'
    )


def _rect(x0: float, x1: float, paint: str) -> str:
    return (
        f'<rect x="{x0}" y="0.5" width="{round(x1 - x0, 1)}" height="{_BAR_HEIGHT - 1}" {paint}/>'
    )


def _hatch(x0: float, x1: float) -> str:
    """Diagonal lines filling ``[x0, x1]``, clipped by hand (no ``id``, so bars never clash)."""
    h = _BAR_HEIGHT
    lines = []
    start = int(x0) - h
    for c in range(start - start % _HATCH_STEP, int(x1) + 1, _HATCH_STEP):
        # The line from (c, h) to (c + h, 0), restricted to x0 <= x <= x1.
        left, right = max(c, x0), min(c + h, x1)
        if left < right:
            lines.append(
                f'<line x1="{left}" y1="{h - (left - c)}" x2="{right}" y2="{h - (right - c)}"/>'
            )
    return f'<g stroke="currentColor" stroke-width="1.2">{"".join(lines)}</g>'


# Shared by pages and fragments; colours are left to the page, so that a
# notebook's own theme (light or dark) colours the fragment and its bars.
_CSS = (
    ".ceu{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.45}"
    ".ceu h1{font-size:1.5rem;margin:0 0 .5rem}"
    ".ceu h2{font-size:1.15rem;margin:1.25rem 0 .5rem}"
    ".ceu h3{font-size:1rem;margin:1rem 0 .5rem}"
    ".ceu-scroll{overflow-x:auto}"
    ".ceu-table{border-collapse:collapse;margin:.75rem 0}"
    ".ceu-table caption{text-align:left;font-weight:600;padding:.25rem 0}"
    ".ceu-table th,.ceu-table td{border:1px solid #9a9a9a;padding:.25rem .5rem;"
    "text-align:left;vertical-align:middle;white-space:nowrap}"
    ".ceu-table .num{text-align:right;font-variant-numeric:tabular-nums}"
    ".ceu-table .wrap{white-space:normal;min-width:10rem}"
    ".ceu-bar{vertical-align:middle}"
    ".ceu-legend{font-size:.9rem}"
    ".ceu-key{margin-right:1rem;white-space:nowrap}"
    ".ceu pre{white-space:pre-wrap}"
)
_PAGE_CSS = (
    "body{margin:1.5rem;color:#1b1b1b;background:#fff}"
    ".ceu{max-width:60rem}"
    ".ceu-table thead th{background:#ececec}"
    ".ceu-bar{color:#1f4e79}"
    "@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#161616}"
    ".ceu-table thead th{background:#2b2b2b}.ceu-bar{color:#9cc3ea}}"
)
