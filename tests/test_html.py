"""HTML and Markdown renderings: structure, accessibility, escaping, no scripts or network."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest

from ceu_compliance import (
    CEURecord,
    ComplianceReport,
    Explanation,
    History,
    Plan,
    RejectionCode,
    evaluate,
    evaluate_history,
    plan,
)
from ceu_compliance._messages import REMEDIES, rejection_message, split_message
from ceu_compliance._render.html import Html, html_table, progress_bar_svg
from ceu_compliance._render.markdown import markdown_escape
from conftest import interchange_member

HOSTILE = "<script>alert(1)</script>\"&'"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#x27;"
AS_OF = dt.date(2026, 11, 26)
HISTORY_AS_OF = dt.date(2027, 4, 15)
Rendered = ComplianceReport | Plan | History | Explanation


def _member(member_id: str = "M-1001", record_id: str = "r5", provider: str = "Acme") -> Any:
    """INTERCHANGE.md's member, with a workshop and a course whose strings need escaping."""
    member = interchange_member()
    member["member_id"] = member_id
    member["records"][2:] = [
        {"id": "r4", "date": "2026-05-02", "ceus": 8, "activity": "workshop",
         "provider": "AAPC", "index_number": "W-1", "approved_for": ["CEMC"]},
        {"id": record_id, "date": "2026-06-02", "ceus": 1, "activity": "course",
         "provider": provider, "title": "Coding | Billing *basics*"},
    ]  # fmt: skip
    return member


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    return evaluate(_member(), as_of=AS_OF)


@pytest.fixture(scope="module")
def hostile() -> ComplianceReport:
    return evaluate(_member(HOSTILE, HOSTILE, HOSTILE), as_of=AS_OF)


def _history_member(member_id: str = "M-2001", shared_id: str = "m") -> Any:
    """CPC and CPMA over two periods; record ``shared_id`` (March 2025) serves both."""

    def course(rid: str, date: str, ceus: int, **extra: Any) -> dict[str, Any]:
        return {
            "id": rid,
            "date": date,
            "ceus": ceus,
            "activity": "course",
            "provider": "AAPC",
            "index_number": f"AAPC-{date}",
            **extra,
        }

    return {
        "member_id": member_id,
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2015-01-10"},
                        {"code": "CPMA", "earned": "2018-02-01"}],
        "records": [
            course("a1", "2023-06-10", 30),
            course("a2", "2024-05-10", 12, approved_for=["CPMA"]),
            course(shared_id, "2025-03-15", 6, approved_for=["CPMA"], title=shared_id),
            course("b1", "2025-09-10", 22),
            course("b2", "2026-06-10", 16, approved_for=["CPMA"]),
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def a_plan() -> Plan:
    return plan(_member(), as_of=AS_OF)


@pytest.fixture(scope="module")
def history() -> History:
    return evaluate_history(_history_member(), periods=2, as_of=HISTORY_AS_OF)


@pytest.fixture(scope="module")
def rendered(
    report: ComplianceReport, hostile: ComplianceReport, a_plan: Plan, history: History
) -> dict[str, Rendered]:
    """A report, a plan and a history, each also for a member whose ids are hostile."""
    hostile_history = _history_member(HOSTILE, HOSTILE)
    return {
        "report": report,
        "hostile report": hostile,
        "plan": a_plan,
        "hostile plan": plan(_member(HOSTILE, HOSTILE, HOSTILE), as_of=AS_OF),
        "history": history,
        "hostile history": evaluate_history(hostile_history, periods=2, as_of=HISTORY_AS_OF),
        "explanation": report.explain(),
        "hostile explanation": hostile.explain(),
    }


KINDS = ["report", "plan", "history"]
EVERY_KIND = [*KINDS, "explanation"]
RENDERS = ["to_html", "_repr_html_"]


class Page(HTMLParser):
    """Every start tag with its attributes, and the text inside given tags."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "rect", "line", "br"}:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        for tag in set(self._open):
            self.text.setdefault(tag, []).append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]

    def joined(self, tag: str) -> str:
        return "".join(self.text.get(tag, []))


# ------------------------------------------------------------ standalone page


def test_page_is_a_standalone_document(report: ComplianceReport) -> None:
    page = report.to_html()
    assert page.startswith("<!DOCTYPE html>\n")
    parsed = Page(page)
    assert parsed.named("html") == [{"lang": "en"}]
    assert {"charset": "utf-8"} in parsed.named("meta")
    assert "<title>CEU compliance: M-1001 (IN PROGRESS)</title>" in page.split("</head>")[0]
    assert len(parsed.named("style")) == 1


@pytest.mark.parametrize("render", RENDERS)
@pytest.mark.parametrize("kind", EVERY_KIND)
def test_no_script_and_no_external_resource(
    rendered: dict[str, Rendered], kind: str, render: str
) -> None:
    for r in (rendered[kind], rendered[f"hostile {kind}"]):
        markup = getattr(r, render)()
        assert "<script" not in markup
        parsed = Page(markup)
        tags = {t for t, _ in parsed.tags}
        assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
        for _, attrs in parsed.tags:
            assert not any(name.startswith("on") for name in attrs)
            assert not {"src", "href", "srcset", "action"} & set(attrs)
        assert "url(" not in markup and "@import" not in markup
        urls = set(re.findall(r"https?://[^\s\"'<>]+", markup))
        assert urls <= {"http://www.w3.org/2000/svg"}


@pytest.mark.parametrize("render", RENDERS)
def test_every_user_string_is_escaped(hostile: ComplianceReport, render: str) -> None:
    markup = getattr(hostile, render)()
    assert HOSTILE not in markup
    assert ESCAPED in markup
    parsed = Page(markup)
    assert not parsed.named("script")
    # The member id and the record id come back intact as text, not as markup.
    assert parsed.joined("strong").count(HOSTILE) == 2


@pytest.mark.parametrize("render", RENDERS)
@pytest.mark.parametrize("kind", ["plan", "history", "explanation"])
def test_plans_and_histories_escape_every_user_string(
    rendered: dict[str, Rendered], kind: str, render: str
) -> None:
    markup = getattr(rendered[f"hostile {kind}"], render)()
    assert HOSTILE not in markup
    assert ESCAPED in markup
    parsed = Page(markup)
    assert not parsed.named("script")
    # The member id is the summary's first <strong>, intact as text.
    assert parsed.joined("strong").startswith(HOSTILE)
    if kind == "history":  # the shared record: its split row, and its messages
        assert HOSTILE in parsed.joined("th")
        assert HOSTILE in parsed.joined("li")
    if kind == "explanation":  # the record, in its requirement and its uncounted CEUs
        assert HOSTILE in parsed.joined("li")


@pytest.mark.parametrize("render", RENDERS)
def test_an_explanation_cites_every_requirement_and_uncounted_part(
    rendered: dict[str, Rendered], render: str
) -> None:
    explanation = rendered["explanation"]
    assert isinstance(explanation, Explanation)
    parsed = Page(getattr(explanation, render)())
    items = parsed.joined("li")
    for r in explanation.requirements:
        assert r.id in parsed.joined("strong")
        assert r.citation and r.citation in items
    for part in explanation.not_counted:
        assert part.reason in items


@pytest.mark.parametrize("render", RENDERS)
@pytest.mark.parametrize("kind", KINDS)
def test_tables_are_accessible(rendered: dict[str, Rendered], kind: str, render: str) -> None:
    parsed = Page(getattr(rendered[kind], render)())
    tables = parsed.named("table")
    assert tables
    assert len(parsed.named("caption")) == len(tables)
    headers = parsed.named("th")
    assert headers and all(h.get("scope") in {"col", "row"} for h in headers)
    # Every row starts with a row header.
    rows = re.findall(r"<tbody>(.*?)</tbody>", getattr(rendered[kind], render)())
    assert all(row.startswith('<th scope="row">') for b in rows for row in b.split("<tr>")[1:])


@pytest.mark.parametrize("render", RENDERS)
def test_report_tables_name_every_requirement(report: ComplianceReport, render: str) -> None:
    parsed = Page(getattr(report, render)())
    assert "Requirements" in parsed.joined("caption")
    for requirement in report.requirements:
        assert requirement.id in parsed.joined("th")


def _svgs(markup: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", markup, flags=re.S)


@pytest.mark.parametrize("render", RENDERS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_svg_is_labelled(rendered: dict[str, Rendered], kind: str, render: str) -> None:
    for svg in _svgs(getattr(rendered[kind], render)()):
        (tag,) = Page(svg).named("svg")
        assert tag["role"] == "img"
        label = tag["aria-label"]
        assert label and Page(svg).joined("title") == label
        assert " id=" not in svg


@pytest.mark.parametrize("render", RENDERS)
def test_a_report_has_a_bar_per_requirement_and_a_legend(
    report: ComplianceReport, render: str
) -> None:
    assert len(_svgs(getattr(report, render)())) == len(report.requirements) + 3


def test_bars_describe_their_figures(report: ComplianceReport) -> None:
    labels = [a["aria-label"] for a in Page(report.to_html()).named("svg")]
    assert "CPMA: 2 of 16 CEUs counted, 14 short" in labels
    assert "CEMC: 4 of 8 CEUs counted, 4 short" in labels


def test_page_lists_every_record_and_the_uncounted_messages(report: ComplianceReport) -> None:
    parsed = Page(report.to_html())
    for outcome in report.records:
        assert outcome.id in parsed.joined("th")
        for rejection in outcome.rejections:
            assert rejection.message in parsed.joined("li")
    for note in report.notes:
        assert note in parsed.joined("li")


def test_the_records_table_shows_date_activity_title_and_provider_next_to_the_id(
    report: ComplianceReport, hostile: ComplianceReport
) -> None:
    page = report.to_html()
    assert (
        '<th scope="col">Record</th><th scope="col">Date</th><th scope="col">Activity</th>'
        '<th scope="col">Title</th><th scope="col">Provider</th>'
    ) in page
    assert (
        '<th scope="row">r5</th><td>2026-06-02</td><td>course</td>'
        '<td class="wrap">Coding | Billing *basics*</td><td class="wrap">Acme</td>'
    ) in page
    assert f'<td class="wrap">{ESCAPED}</td>' in hostile.to_html()


def test_markdown_has_a_records_table_with_the_same_columns(report: ComplianceReport) -> None:
    lines = report.to_markdown().splitlines()
    header = lines.index(
        "| Record | Date | Activity | Title | Provider | Claimed | Counted | Rollover "
        "| Applied to | Not applied to | Audit gaps |"
    )
    rows = lines[header + 2 : header + 2 + len(report.records)]
    assert rows[-1].startswith(
        "| r5 | 2026-06-02 | course | Coding \\| Billing \\*basics\\* | Acme |"
    )


def test_text_names_each_listed_record_by_date_activity_title_and_provider(
    report: ComplianceReport,
) -> None:
    text = report.to_text()
    assert '- r5 (2026-06-02, course, "Coding | Billing *basics*", Acme): claimed 1, counted 0' in (
        text
    )


def test_a_record_outcome_carries_its_date_activity_title_and_provider(
    report: ComplianceReport,
) -> None:
    data = json.loads(report.to_json())["records"]
    assert {k: data[-1][k] for k in ("id", "date", "activity", "title", "provider")} == {
        "id": "r5",
        "date": "2026-06-02",
        "activity": "course",
        "title": "Coding | Billing *basics*",
        "provider": "Acme",
    }
    assert data[0]["title"] is None  # r1 has none


# -------------------------------------------------------------- the fragment


def test_fragment_is_compact_with_a_text_fallback(report: ComplianceReport) -> None:
    fragment = report._repr_html_()
    parsed = Page(fragment)
    assert not {"html", "head", "body", "meta"} & {t for t, _ in parsed.tags}
    assert fragment.startswith('<div class="ceu">') and fragment.endswith("</div>")
    assert len(parsed.named("table")) == 1
    assert parsed.joined("summary") == "Text"
    assert parsed.joined("pre") == report.to_text()
    for outcome in report.records:
        for rejection in outcome.rejections:
            assert rejection.message in parsed.joined("li")


def test_fragment_shows_rollover() -> None:
    member = {
        "member_id": "M-ROLL",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2016-05-14"}],
        "records": [
            {"id": "a1", "date": "2025-06-10", "ceus": 30, "activity": "course",
             "provider": "AAPC", "index_number": "X1"},
            {"id": "a2", "date": "2027-03-10", "ceus": 10, "activity": "course",
             "provider": "AAPC", "index_number": "X2"},
        ],
    }  # fmt: skip
    parsed = Page(evaluate(member, as_of=dt.date(2027, 3, 20))._repr_html_())
    labels = [a["aria-label"] for a in parsed.named("svg")]
    assert "total: 36 of 36 CEUs counted, 0 short, 4 rollover" in labels
    assert "Record a2 has 4 CEUs from the renewal month" in parsed.joined("li")


# ---------------------------------------------------------------- plans


@pytest.mark.parametrize("render", RENDERS)
def test_plan_shows_what_it_asks_for_and_each_need(a_plan: Plan, render: str) -> None:
    markup = getattr(a_plan, render)()
    parsed = Page(markup)
    needs = re.findall(r'<tr><th scope="row">([^<]*)</th><td class="num">([^<]*)</td><td>', markup)
    assert needs == [("total", "8"), ("CPMA", "14"), ("CEMC", "4")]
    # A bar per need: the part of the N new CEUs it needs, a dashed outline.
    labels = [a["aria-label"] for a in parsed.named("svg")]
    assert labels == [
        "total needs 8 of the 14 new CEUs",
        "CPMA needs 14 of the 14 new CEUs",
        "CEMC needs 4 of the 14 new CEUs",
    ]
    rects = [a for t, a in parsed.tags if t == "rect"]
    assert [r["width"] for r in rects] == ["91.4", "160.0", "45.7"]
    assert all(r["fill"] == "none" and r["stroke-dasharray"] for r in rects)
    assert '<tr><th scope="row">CPMA</th><td>CEMC</td><td class="num">4</td></tr>' in markup
    assert parsed.joined("caption") == "Shortfalls under this planShareable CEUs (Q-CONCURRENT)"
    text = parsed.joined("p")
    assert "At least 14 more CEUs by 2027-03-31 (125 days left, 3.5 CEUs a month): " in text
    assert "of which up to 4 can be the same CEUs" in text
    for note in a_plan.notes:
        assert note in parsed.joined("li")


def test_plan_page_is_a_standalone_document(a_plan: Plan) -> None:
    page = a_plan.to_html()
    assert page.startswith("<!DOCTYPE html>\n")
    assert "<title>Completion plan: M-1001</title>" in page
    assert Page(page).joined("h1") == "Completion plan: member M-1001"


def test_plan_fragment_has_the_text_as_fallback(a_plan: Plan) -> None:
    fragment = a_plan._repr_html_()
    assert fragment.startswith('<div class="ceu">')
    parsed = Page(fragment)
    assert not {"html", "body", "h1"} & {t for t, _ in parsed.tags}
    assert parsed.joined("summary") == "Text"
    assert parsed.joined("pre") == a_plan.to_text()


def test_a_compliant_plan_has_no_needs_table() -> None:
    member = _member()
    member["credentials"] = member["credentials"][:1]
    member["required_total_override"] = 10
    compliant = plan(member, as_of=AS_OF)
    assert compliant.compliant and compliant.needs == ()
    parsed = Page(compliant.to_html())
    assert not parsed.named("table")
    assert "Compliant: no more CEUs are needed." in parsed.joined("p")


def test_plan_markdown(a_plan: Plan) -> None:
    lines = a_plan.to_markdown().splitlines()
    assert lines[0] == "## Completion plan: member M-1001 — IN PROGRESS"
    assert lines[2].startswith("As of 2026-11-26 (PL-MIN). At least 14 more CEUs by 2027-03-31")
    header = lines.index("| Requirement | CEUs needed |")
    assert lines[header + 1 : header + 5] == [
        "| --- | ---: |", "| total | 8 |", "| CPMA | 14 |", "| CEMC | 4 |"
    ]  # fmt: skip
    assert "| CPMA | CEMC | 4 |" in lines
    assert f"- {markdown_escape(a_plan.notes[0])}" in lines


# ------------------------------------------------------------------ histories


@pytest.mark.parametrize("render", RENDERS)
def test_history_has_a_row_and_a_bar_per_period(history: History, render: str) -> None:
    markup = getattr(history, render)()
    parsed = Page(markup)
    assert "Periods, oldest first: total CEUs" in parsed.joined("caption")
    for label, status in (("2023-04-01 to 2025-03-31", "COMPLIANT"),
                          ("2025-04-01 to 2027-03-31", "COMPLIANT")):  # fmt: skip
        assert f'<th scope="row">{label}</th><td>{status}</td>' in markup
    labels = [a["aria-label"] for a in parsed.named("svg")]
    assert "2023-04-01 to 2025-03-31: 46 of 40 CEUs counted, 0 short, 2 rollover" in labels
    assert "2025-04-01 to 2027-03-31: 40 of 40 CEUs counted, 0 short" in labels
    # The periods' bars, a legend, and each period's requirements (total and CPMA).
    assert len(labels) == 2 + 3 + 2 * 2
    assert parsed.joined("h2").startswith(
        "Period 1 of 2: 2023-04-01 to 2025-03-31Period 2 of 2: 2025-04-01 to 2027-03-31"
    )
    assert "Requirements, 2025-04-01 to 2027-03-31" in parsed.joined("caption")


@pytest.mark.parametrize("render", RENDERS)
def test_history_shows_the_split_decisions(history: History, render: str) -> None:
    markup = getattr(history, render)()
    assert "<caption>Renewal-month records shared by two periods (H-SPLIT)</caption>" in markup
    assert (
        '<th scope="row">m</th><td>2025-03-15</td><td>2025-03-31</td><td class="num">4</td>'
        '<td>2027-03-31</td><td class="num">2</td>'
    ) in markup


def test_history_page_holds_each_period_in_full(history: History) -> None:
    page = history.to_html()
    assert page.startswith("<!DOCTYPE html>\n")
    assert "<title>CEU history: M-2001 (2 of 2 periods compliant)</title>" in page
    parsed = Page(page)
    assert parsed.joined("h1") == "CEU history: member M-2001"
    assert len(parsed.named("section")) == 2
    captions = parsed.joined("caption")
    assert "Records, 2023-04-01 to 2025-03-31" in captions
    assert "Records, 2025-04-01 to 2027-03-31" in captions
    for report in history.periods:
        for note in report.notes:
            assert note in parsed.joined("li")
        for outcome in report.records:
            assert outcome.id in parsed.joined("th")


def test_history_fragment_is_compact_with_the_text_as_fallback(history: History) -> None:
    fragment = history._repr_html_()
    assert fragment.startswith('<div class="ceu">') and fragment.endswith("</div>")
    parsed = Page(fragment)
    assert "Records" not in parsed.joined("caption")
    assert parsed.joined("summary") == "Text"
    assert parsed.joined("pre") == history.to_text()


def test_history_markdown(history: History) -> None:
    markdown = history.to_markdown()
    lines = markdown.splitlines()
    assert lines[0] == "## CEU history: member M-2001 — 2 of 2 periods compliant"
    header = lines.index("| Period | Status | Required | Counted | Rollover |")
    assert lines[header + 2 : header + 4] == [
        "| 2023-04-01 to 2025-03-31 | COMPLIANT | 40 | 46 | 2 |",
        "| 2025-04-01 to 2027-03-31 | COMPLIANT | 40 | 40 | 0 |",
    ]
    # Each period's report, a level down.
    assert lines.count("### CEU compliance: member M-2001 — COMPLIANT") == 2
    assert "#### CEUs that did not count" in lines
    assert "| m | 2025-03-15 | 2025-03-31 | 4 | 2027-03-31 | 2 |" in lines


@pytest.mark.parametrize("kind", ["plan", "history", "explanation"])
def test_plan_and_history_markdown_escape_user_strings(
    rendered: dict[str, Rendered], kind: str
) -> None:
    markdown = rendered[f"hostile {kind}"].to_markdown()
    assert "<" not in markdown.replace("\\<", "")
    assert f"member {markdown_escape(HOSTILE)} " in markdown.splitlines()[0]
    if kind == "history":
        assert f"| {markdown_escape(HOSTILE)} | 2025-03-15 |" in markdown


# ---------------------------------------------- messages: the split, not the flag


def test_inside_a_history_already_applied_names_the_split_not_the_flag() -> None:
    member = _history_member()
    for record in member["records"]:
        record["applied_to_previous_period"] = True
    member["records"].append(
        {"id": "p", "date": "2023-03-20", "ceus": 3, "activity": "course", "provider": "AAPC",
         "index_number": "AAPC-P", "applied_to_previous_period": True}
    )  # fmt: skip
    earlier, later = evaluate_history(member, periods=2, as_of=HISTORY_AS_OF).periods
    (flag,) = [j for o in earlier.records for j in o.rejections if o.id == "p"]
    (split,) = [j for o in later.records for j in o.rejections if o.id == "m"]
    assert flag.code == split.code == RejectionCode.ALREADY_APPLIED
    # The oldest period's previous renewal month: the member's flag decided.
    assert flag.message.endswith(REMEDIES[RejectionCode.ALREADY_APPLIED])
    # Inside the history: the split decided, so removing the flag is not the remedy.
    assert "serves the previous period of this history with 4 CEUs (H-SPLIT)" in split.message
    assert "remove applied_to_previous_period" not in split.message
    assert split.rule == "P-RENEWAL-MONTH"
    assert split.message in Page(later.to_html()).joined("li")


def test_the_split_variant_of_already_applied_only_for_its_detail() -> None:
    record = CEURecord.model_validate(
        {"id": "m", "date": "2025-03-15", "activity": "course", "ceus": 6}
    )
    code = RejectionCode.ALREADY_APPLIED
    split = split_message(record, Decimal(4))
    assert split.startswith("Record m, dated 2025-03-15 in the previous renewal month, serves")
    assert not split.endswith(REMEDIES[code])
    assert rejection_message(code, record, Decimal(4)).endswith(REMEDIES[code])


# --------------------------------------------------------------- the helpers


def _shapes(svg: str) -> list[tuple[str, dict[str, str | None]]]:
    return [(t, a) for t, a in Page(svg).tags if t in {"rect", "line"}]


def test_bar_parts_differ_in_shape_not_only_colour() -> None:
    counted = _shapes(progress_bar_svg(Decimal(10), Decimal(10)))
    short = _shapes(progress_bar_svg(Decimal(10), Decimal(0)))
    rollover = progress_bar_svg(Decimal(0), Decimal(0), Decimal(5))
    assert counted == [("rect", {**counted[0][1], "fill": "currentColor"})]
    assert short[0][1]["fill"] == "none" and short[0][1]["stroke-dasharray"]
    assert rollover.count("<line ") > 5  # hatching
    assert "<g " in rollover


@pytest.mark.parametrize(
    ("required", "counted", "rollover"),
    [(44, 40, 0), (44, 50, 0), (16, 2, 0), (36, 36, 4), (8, 0, 0), (0, 0, 0), (1, 3, 7)],
)
def test_bar_geometry_stays_inside_the_bar(required: int, counted: int, rollover: int) -> None:
    svg = progress_bar_svg(Decimal(required), Decimal(counted), Decimal(rollover))
    for tag, attrs in _shapes(svg):
        if tag == "rect":
            x, width = float(attrs["x"] or 0), float(attrs["width"] or 0)
            assert x >= 0 and width >= 0 and x + width <= 160.05
        else:
            xs = [float(attrs[k] or 0) for k in ("x1", "x2")]
            ys = [float(attrs[k] or 0) for k in ("y1", "y2")]
            assert all(0 <= v <= 160.05 for v in xs) and all(0 <= v <= 14 for v in ys)


def test_bar_marks_the_requirement_when_counted_exceeds_it() -> None:
    svg = progress_bar_svg(Decimal(40), Decimal(80), label="total")
    tick = [a for t, a in _shapes(svg) if t == "line"]
    assert [a["x1"] for a in tick] == ["80.0"]
    assert 'aria-label="total: 80 of 40 CEUs counted, 0 short"' in svg


def test_html_table_escapes_plain_cells_and_keeps_markup() -> None:
    table = html_table(
        "Plan <draft>",
        ("Need", "CEUs", "Bar"),
        [("<b>CPMA</b>", "14", Html("<em>ok</em>"))],
        numeric=(1,),
    )
    assert "<caption>Plan &lt;draft&gt;</caption>" in table
    assert '<th scope="col">Need</th>' in table
    assert '<th scope="row">&lt;b&gt;CPMA&lt;/b&gt;</th>' in table
    assert '<td class="num">14</td>' in table
    assert "<td><em>ok</em></td>" in table


# ------------------------------------------------------------------ Markdown


def test_markdown_has_heading_table_and_bullets(report: ComplianceReport) -> None:
    lines = report.to_markdown().splitlines()
    assert lines[0] == "## CEU compliance: member M-1001 — IN PROGRESS"
    header = lines.index("| Requirement | Rule | Required | Counted | Short | Status |")
    assert lines[header + 1] == "| --- | --- | ---: | ---: | ---: | --- |"
    rows = lines[header + 2 : header + 2 + len(report.requirements)]
    assert rows[0] == "| total | Q-TIER | 44 | 36 | 8 | **NOT MET** |"
    assert rows[1] == "| CPMA | Q-CPMA | 16 | 2 | 14 | **NOT MET** |"
    bullets = [line for line in lines if line.startswith("- **")]
    assert len(bullets) == sum(len(o.rejections) for o in report.records)
    assert "- **r5**: 1 CEU, `not_approved` (E-APPROVED). Record r5 (Coding \\| Billing" in (
        "\n".join(lines)
    )


def test_markdown_escapes_user_strings(hostile: ComplianceReport) -> None:
    markdown = hostile.to_markdown()
    assert "<script>" not in markdown and "<" not in markdown.replace("\\<", "")
    assert markdown.splitlines()[0] == (
        "## CEU compliance: member \\<script\\>alert(1)\\</script\\>\"\\&' — IN PROGRESS"
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("*x* _y_ `z`", "\\*x\\* \\_y\\_ \\`z\\`"),
        ("[l](u) <i> & \\", "\\[l\\](u) \\<i\\> \\& \\\\"),
        ("two\nlines", "two lines"),
    ],
)
def test_markdown_escape(text: str, escaped: str) -> None:
    assert markdown_escape(text) == escaped
