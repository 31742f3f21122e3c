"""Rosters: a summary table first, then one section per member with a heading; in HTML
the key to the bars once. For reports, plans, histories and explanations, in every format."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from ceu_compliance import evaluate, evaluate_history, plan
from ceu_compliance._cli import DEMO_AS_OF, example_members
from ceu_compliance._render import FORMATS

MEMBERS = [json.loads(text) for _, text in example_members()]
IDS = [m["member_id"] for m in MEMBERS]


def reports() -> list[Any]:
    return [evaluate(m, as_of=DEMO_AS_OF) for m in MEMBERS]


KINDS: dict[str, Callable[[], Sequence[Any]]] = {
    "reports": reports,
    "plans": lambda: [plan(m, as_of=DEMO_AS_OF) for m in MEMBERS],
    "histories": lambda: [evaluate_history(m, periods=2, as_of=DEMO_AS_OF) for m in MEMBERS],
    "explanations": lambda: [r.explain() for r in reports()],
}


@pytest.fixture(scope="module", params=list(KINDS))
def roster(request: pytest.FixtureRequest) -> tuple[str, Sequence[Any]]:
    kind: str = request.param
    return kind, KINDS[kind]()


def render(kind: str, form: str, outputs: Sequence[Any]) -> str:
    text: str = getattr(FORMATS[form], kind)(outputs)
    return text


def test_text_starts_with_a_summary_row_per_member_then_a_section_each(
    roster: tuple[str, Sequence[Any]],
) -> None:
    kind, outputs = roster
    out = render(kind, "text", outputs)
    summary, *sections = re.split(r"\n\n\n(\S+)\n=+\n\n", out)
    title, _, header, *rows = summary.splitlines()
    assert title.endswith(f"of 6 members as of {DEMO_AS_OF}: 2 compliant")
    assert header.startswith("Member") and "Days left" in header
    assert [row.split()[0] for row in rows] == IDS
    assert sections[::2] == IDS


def test_markdown_starts_with_a_summary_table_then_a_section_each(
    roster: tuple[str, Sequence[Any]],
) -> None:
    kind, outputs = roster
    lines = render(kind, "markdown", outputs).splitlines()
    assert lines[0].startswith("# ") and lines[0].endswith("2 compliant")
    assert lines[2].startswith("| Member | Status |") and "| Days left |" in lines[2]
    assert [row.split(" | ")[0] for row in lines[4:10]] == [f"| {i}" for i in IDS]
    sections = [line for line in lines if line.startswith("## ")]
    assert len(sections) == len(IDS)
    assert all(member_id in heading for member_id, heading in zip(IDS, sections, strict=True))


def test_html_has_a_summary_table_the_key_once_and_a_section_each(
    roster: tuple[str, Sequence[Any]],
) -> None:
    kind, outputs = roster
    page = render(kind, "html", outputs)
    assert page.count("<!DOCTYPE html>") == 1
    summary = page.split("<caption>Summary</caption>")[1].split("</table>")[0]
    assert re.findall(r'<th scope="row">([^<]*)</th>', summary) == IDS
    assert '<th scope="col">Days left</th>' in summary
    legends = page.count('class="ceu-legend"')
    assert legends == (0 if kind == "explanations" else 1)
    headings = re.findall(r"<section><h2>([^<]*)</h2>", page)
    assert [h.split(":")[0] for h in headings] == [f"Member {i}" for i in IDS]
    # Inside a member's section, its tables say whose they are.
    if kind == "reports":
        assert f"<caption>Requirements, member {IDS[1]}</caption>" in page


def test_the_report_summary_gives_each_shortfall_the_due_date_and_days_left() -> None:
    out = FORMATS["text"].reports(reports())
    rows = {line.split()[0]: line for line in out.splitlines()[3:9]}
    assert rows["M-31588"].split()[1:] == [
        "IN", "PROGRESS", "44", "44", "CPMA", "6", "2027-09-30", "168"
    ]  # fmt: skip
    assert rows["M-40952"].split()[-3:] == ["2", "2027-03-31", "0"]
    # In an extension, the days left run to its end.
    assert rows["M-70318"].split()[-5:] == ["2027-03-31,", "extension", "to", "2027-05-30", "45"]


def test_one_member_alone_is_not_a_roster() -> None:
    (report, *_) = reports()
    assert not FORMATS["text"].report(report).startswith("CEU compliance of")
    assert json.loads(FORMATS["json"].report(report))["member_id"] == IDS[0]
    assert [r["member_id"] for r in json.loads(FORMATS["json"].reports(reports()))] == IDS


def test_the_title_names_no_date_when_the_members_were_evaluated_on_different_days() -> None:
    first = evaluate(MEMBERS[0], as_of=DEMO_AS_OF)
    second = evaluate(MEMBERS[1], as_of=DEMO_AS_OF + dt.timedelta(days=1))
    assert (
        FORMATS["text"]
        .reports([first, second])
        .startswith("CEU compliance of 2 members: 1 compliant\n")
    )
