"""HTML and Markdown renderings: structure, accessibility, escaping, no scripts or network."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest

from ceu_compliance import ComplianceReport, evaluate
from ceu_compliance._html import Html, html_table, progress_bar_svg
from ceu_compliance._render import markdown_escape

HOSTILE = "<script>alert(1)</script>\"&'"
AS_OF = dt.date(2026, 11, 26)


def _member(member_id: str = "M-1001", record_id: str = "r5", provider: str = "Acme") -> Any:
    return {
        "member_id": member_id,
        "renewal_due": "2027-03-31",
        "credentials": [
            {"code": "CPC", "earned": "2016-05-14"},
            {"code": "CPMA", "earned": "2021-02-01"},
            {"code": "CEMC", "earned": "2020-06-01"},
        ],
        "records": [
            {"id": "r1", "date": "2025-06-10", "ceus": 2, "activity": "webinar",
             "provider": "AAPC", "index_number": "AAPC-48211", "quiz_passed": True,
             "approved_for": ["CPMA"]},
            {"id": "r2", "date": "2026-01-20", "activity": "post_secondary",
             "provider": "State College", "approved": True, "credit_hours": 3,
             "field": "health_care"},
            {"id": "r4", "date": "2026-05-02", "ceus": 8, "activity": "workshop",
             "provider": "AAPC", "index_number": "W-1", "approved_for": ["CEMC"]},
            {"id": record_id, "date": "2026-06-02", "ceus": 1, "activity": "course",
             "provider": provider, "title": "Coding | Billing *basics*"},
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    return evaluate(_member(), as_of=AS_OF)


@pytest.fixture(scope="module")
def hostile() -> ComplianceReport:
    return evaluate(_member(HOSTILE, HOSTILE, HOSTILE), as_of=AS_OF)


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


@pytest.mark.parametrize("render", ["to_html", "_repr_html_"])
def test_no_script_and_no_external_resource(
    report: ComplianceReport, hostile: ComplianceReport, render: str
) -> None:
    for r in (report, hostile):
        markup = getattr(r, render)()
        parsed = Page(markup)
        tags = {t for t, _ in parsed.tags}
        assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
        for _, attrs in parsed.tags:
            assert not any(name.startswith("on") for name in attrs)
            assert not {"src", "href", "srcset", "action"} & set(attrs)
        assert "url(" not in markup and "@import" not in markup
        urls = set(re.findall(r"https?://[^\s\"'<>]+", markup))
        assert urls <= {"http://www.w3.org/2000/svg"}


@pytest.mark.parametrize("render", ["to_html", "_repr_html_"])
def test_every_user_string_is_escaped(hostile: ComplianceReport, render: str) -> None:
    markup = getattr(hostile, render)()
    assert HOSTILE not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#x27;" in markup
    parsed = Page(markup)
    assert not parsed.named("script")
    # The member id and the record id come back intact as text, not as markup.
    assert parsed.joined("strong").count(HOSTILE) == 2


@pytest.mark.parametrize("render", ["to_html", "_repr_html_"])
def test_tables_are_accessible(report: ComplianceReport, render: str) -> None:
    parsed = Page(getattr(report, render)())
    tables = parsed.named("table")
    assert tables
    assert len(parsed.named("caption")) == len(tables)
    headers = parsed.named("th")
    assert headers and all(h.get("scope") in {"col", "row"} for h in headers)
    assert "Requirements" in parsed.joined("caption")
    for requirement in report.requirements:
        assert requirement.id in parsed.joined("th")


@pytest.mark.parametrize("render", ["to_html", "_repr_html_"])
def test_every_svg_is_labelled(report: ComplianceReport, render: str) -> None:
    markup = getattr(report, render)()
    svgs = re.findall(r"<svg\b.*?</svg>", markup, flags=re.S)
    # One bar per requirement, and the legend's three keys.
    assert len(svgs) == len(report.requirements) + 3
    for svg in svgs:
        (tag,) = Page(svg).named("svg")
        assert tag["role"] == "img"
        label = tag["aria-label"]
        assert label and Page(svg).joined("title") == label
        assert " id=" not in svg


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
