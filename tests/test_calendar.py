"""``ceu-compliance calendar``: deadlines as an iCalendar file that calendars import cleanly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ceu_compliance import evaluate
from ceu_compliance._cli import main
from rosters import AS_OF, INVALID, extra, good

icalendar = extra("icalendar")


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.jsonl"
    lines = [json.dumps(good(i)) for i in range(6)] + [json.dumps(INVALID)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def calendar(capsys: pytest.CaptureFixture[str], roster: Path, out: Path, *more: str) -> int:
    code = main(["calendar", str(roster), "--out", str(out), "--as-of", AS_OF.isoformat(), *more])
    capsys.readouterr()
    return code


def test_events_for_each_member_not_compliant_parse_back(
    capsys: pytest.CaptureFixture[str], roster: Path, tmp_path: Path
) -> None:
    out = tmp_path / "deadlines.ics"
    assert calendar(capsys, roster, out, "--errors", str(tmp_path / "e.jsonl")) == 1
    parsed = icalendar.Calendar.from_ical(out.read_bytes())
    assert str(parsed["VERSION"]) == "2.0"
    assert "ceu-compliance" in str(parsed["PRODID"])
    events = parsed.walk("VEVENT")

    reports = [evaluate(good(i), as_of=AS_OF) for i in range(6)]
    late = [r for r in reports if not r.compliant]
    assert late and len(late) < len(reports)
    expected = sum(3 + (r.deadlines.extension_until is not None) for r in late)
    assert len(events) == expected
    for event in events:
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            assert name in event, name
        start = event.decoded("DTSTART")
        assert type(start) is dt.date  # all day
        assert event.decoded("DTEND") == start + dt.timedelta(days=1)
    assert len({str(e["UID"]) for e in events}) == len(events)

    for report in late:
        mine = {
            e.decoded("DTSTART"): str(e["SUMMARY"])
            for e in events
            if str(e["SUMMARY"]).startswith(f"{report.member_id}:")
        }
        deadlines = report.deadlines
        for day in (deadlines.submission_opens, deadlines.due, deadlines.revocation):
            assert day in mine
        short = next(q for q in report.requirements if not q.met)
        assert f"{short.id} {short.shortfall}" in mine[deadlines.due]


def test_the_file_is_the_same_for_the_same_roster_and_day(
    capsys: pytest.CaptureFixture[str], roster: Path, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.ics", tmp_path / "two.ics"
    calendar(capsys, roster, one, "--errors", str(tmp_path / "e1.jsonl"))
    calendar(capsys, roster, two, "--errors", str(tmp_path / "e2.jsonl"), "--jobs", "2")
    assert one.read_bytes() == two.read_bytes()  # stable UIDs and DTSTAMPs: re-import updates
    assert b"\r\n" in one.read_bytes()


def test_everyone_compliant_is_an_empty_calendar(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    roster = tmp_path / "roster.jsonl"
    roster.write_text(json.dumps(good(0)) + "\n", encoding="utf-8")
    out = tmp_path / "deadlines.ics"
    assert evaluate(good(0), as_of=AS_OF).compliant
    assert calendar(capsys, roster, out) == 0
    parsed = icalendar.Calendar.from_ical(out.read_bytes())
    assert parsed.walk("VEVENT") == []
