"""``ceu-compliance batch``: every format in and out, and nothing lost on the way."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ceu_compliance import evaluate
from ceu_compliance._cli import main
from ceu_compliance._cli_batch import _Progress, show_progress
from ceu_compliance._roster import MAX_MEMBER_BYTES, open_roster
from rosters import AS_OF, INVALID, csv_pair, good, mixed_lines

DAY = AS_OF.isoformat()


def batch(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["batch", *argv, "--as-of", DAY])
    out, err = capsys.readouterr()
    return code, out, err


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def mixed(tmp_path: Path) -> tuple[Path, list[str]]:
    lines = mixed_lines(60)  # 90 lines: 30 bad (broken JSON, invalid members, blank lines)
    path = tmp_path / "roster.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, lines


# ------------------------------------------------------------ nothing lost


def test_nothing_is_lost_every_line_is_a_report_or_an_error_exactly_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mixed: tuple[Path, list[str]]
) -> None:
    roster, lines = mixed
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code, stdout, err = batch(capsys, str(roster), "--out", str(out), "--errors", str(errors))
    assert (code, stdout) == (1, "")  # 1: some members were refused
    reports, refused = lines_of(out), lines_of(errors)
    assert (len(reports), len(refused)) == (60, 30)
    assert len(reports) + len(refused) == len(lines)

    good_lines = [n for n, line in enumerate(lines, 1) if '"G-' in line]
    line_of = {json.loads(lines[n - 1])["member_id"]: n for n in good_lines}
    reported = [line_of[r["member_id"]] for r in reports]
    refused_lines = [e["line"] for e in refused]
    assert reported == good_lines  # in input order
    assert sorted(reported + refused_lines) == list(range(1, len(lines) + 1))  # each once
    assert [e["index"] for e in refused] == [n - 1 for n in refused_lines]

    kinds = {e["problems"][0]["type"] for e in refused}
    assert kinds >= {"json_invalid", "empty", "value_error"}
    blank = next(e for e in refused if e["problems"][0]["type"] == "empty")
    assert lines[blank["line"] - 1] == ""
    broken = next(e for e in refused if e["problems"][0]["type"] == "json_invalid")
    assert broken["member_id"].startswith("BAD-JSON-")  # read from the broken text
    assert broken["input"] == str(roster)
    assert "90 entries, 60 evaluated, 30 refused" in err


def test_reports_are_those_of_evaluate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mixed: tuple[Path, list[str]]
) -> None:
    roster, _ = mixed
    out = tmp_path / "out.jsonl"
    batch(capsys, str(roster), "--out", str(out), "--errors", str(tmp_path / "e.jsonl"))
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert first == evaluate(good(0), as_of=AS_OF).to_json(indent=None)


@pytest.mark.parametrize("form", ["jsonl", "csv", "parquet"])
def test_two_jobs_write_what_one_job_writes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, form: str
) -> None:
    roster = tmp_path / "roster.jsonl"
    roster.write_text("\n".join(mixed_lines(200)) + "\n", encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        out, errors = tmp_path / f"out{jobs}.{form}", tmp_path / f"errors{jobs}.jsonl"
        code, _, _ = batch(
            capsys, str(roster), "--out", str(out), "--errors", str(errors), "--jobs", jobs
        )
        assert code == 1
        outputs.append((_content(out, form), errors.read_bytes()))
    assert outputs[0] == outputs[1]


def _content(path: Path, form: str) -> Any:
    if form != "parquet":
        return path.read_bytes()
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


# ----------------------------------------------------------------- outputs


def test_csv_output_has_a_row_per_member_with_the_shortfalls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mixed: tuple[Path, list[str]]
) -> None:
    roster, _ = mixed
    out = tmp_path / "out.csv"
    batch(capsys, str(roster), "--out", str(out), "--errors", str(tmp_path / "e.jsonl"))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 60
    short = next(r for r in rows if r["member_id"] == "G-1")  # CPC+CPMA+CEMC, short on CPMA
    report = evaluate(good(1), as_of=AS_OF)
    cpma = next(q for q in report.requirements if q.id == "CPMA")
    assert short["status"] == report.status.value
    assert short["shortfall_cpma"] == str(cpma.shortfall)
    assert short["required_total"] == str(report.required_total)
    assert short["due"] == str(report.deadlines.due)
    assert int(short["days_left"]) == (report.deadlines.due - AS_OF).days
    assert short["shortfalls"] == ", ".join(
        f"{q.id} {q.shortfall}" for q in report.requirements if not q.met
    )
    assert short["required_circc"] == ""  # a minimum the member does not have


def test_parquet_output_is_typed_and_complete(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mixed: tuple[Path, list[str]]
) -> None:
    import datetime as dt

    import pyarrow.parquet as pq

    roster, _ = mixed
    out = tmp_path / "out.parquet"
    batch(capsys, str(roster), "--out", str(out), "--errors", str(tmp_path / "e.jsonl"))
    table = pq.read_table(out)
    assert table.num_rows == 60
    first = table.slice(0, 1).to_pylist()[0]
    assert isinstance(first["due"], dt.date)
    assert isinstance(first["compliant"], bool)
    assert first["required_total"] == str(evaluate(good(0), as_of=AS_OF).required_total)


def test_standard_output_and_refusals_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    roster = tmp_path / "roster.jsonl"
    roster.write_text(json.dumps(good(0)) + "\n" + json.dumps(INVALID) + "\n", encoding="utf-8")
    code, out, err = batch(capsys, str(roster), "--out", "-")
    assert code == 1
    assert [json.loads(line)["member_id"] for line in out.splitlines()] == ["G-0"]
    assert f"{roster}:2: member BAD-INVALID refused: $.renewal_due:" in err


def test_the_summary_counts_statuses_and_lists_the_urgent(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    roster = tmp_path / "roster.jsonl"
    roster.write_text("".join(json.dumps(good(i)) + "\n" for i in range(6)), encoding="utf-8")
    code, _, err = batch(capsys, str(roster), "--out", str(tmp_path / "o.jsonl"))
    reports = [evaluate(good(i), as_of=AS_OF) for i in range(6)]
    assert code == 0
    for status in ("compliant", "in_progress", "noncompliant", "extension"):
        assert f"{status} {sum(r.status == status for r in reports)}" in err
    urgent = [
        r
        for r in reports
        if not r.compliant
        and (r.deadlines.due - AS_OF).days <= 90
        and r.deadlines.revocation >= AS_OF
    ]
    assert urgent  # the examples hold members past due, not yet revoked
    assert f"or overdue, not yet revoked): {len(urgent)}" in err
    for report in urgent:
        assert f"    {report.member_id}  {report.status.value}  due {report.deadlines.due}" in err


# ------------------------------------------------------------------ inputs


def test_a_json_array_is_streamed_with_element_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    members = [good(0), INVALID, good(1)]
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps(members, indent=1), encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code, _, _ = batch(capsys, str(roster), "--out", str(out), "--errors", str(errors))
    assert code == 1
    assert [r["member_id"] for r in lines_of(out)] == ["G-0", "G-1"]
    (error,) = lines_of(errors)
    text = roster.read_text(encoding="utf-8").splitlines()
    assert (error["index"], error["member_id"]) == (1, "BAD-INVALID")
    assert text[error["line"] - 1].strip() == "{" and '"BAD-INVALID"' in text[error["line"]]


@pytest.mark.parametrize(
    ("document", "reports", "refused"),
    [
        ('{"members": [%s, %s]}', 2, 0),
        ('{"members": [%s, %s], "exported": "2027-01-01"}', 2, 0),
        ('{"source": "x", "members": [%s, %s]}', 2, 0),  # read whole, still a roster
        ("[%s, %s]", 2, 0),
        ("[%s, %s,", 2, 1),  # truncated: one entry says where reading stopped
        ("[%s, %s] x", 2, 1),
        ('[%s, {"member_id": "B", oops}, %s]', 1, 1),
        ("[%s %s]", 1, 1),
        ("[]", 0, 0),
    ],
)
def test_json_documents(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: str, reports: int, refused: int
) -> None:
    members = tuple(json.dumps(good(i)) for i in range(document.count("%s")))
    roster = tmp_path / "roster.json"
    roster.write_text(document % members, encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code, _, _ = batch(capsys, str(roster), "--out", str(out), "--errors", str(errors))
    assert (len(lines_of(out)), len(lines_of(errors))) == (reports, refused)
    assert code == (1 if refused else 0)
    for error in lines_of(errors):
        assert "the rest of the file was not read" in error["problems"][0]["message"]


def test_a_single_member_document_is_one_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    roster = tmp_path / "member.json"
    roster.write_text(json.dumps(good(2), indent=2), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert batch(capsys, str(roster), "--out", str(out))[0] == 0
    assert [r["member_id"] for r in lines_of(out)] == ["G-2"]


def test_array_elements_larger_than_the_read_size_are_read_whole(tmp_path: Path) -> None:
    member = {**good(3), "records": [{**good(3)["records"][0], "id": f"r{i}"} for i in range(900)]}
    roster = tmp_path / "big.json"
    roster.write_text(json.dumps([member, member]), encoding="utf-8")
    assert roster.stat().st_size > 2 * 65536
    with open_roster(str(roster), "json") as opened:
        entries = list(opened.entries)
    assert [e.item == member for e in entries] == [True, True]


def test_an_over_long_line_is_refused_without_being_held(tmp_path: Path) -> None:
    roster = tmp_path / "long.jsonl"
    with roster.open("w", encoding="utf-8") as f:
        f.write(json.dumps(good(0)) + "\n")
        f.write('{"x": "' + "a" * (MAX_MEMBER_BYTES + 10) + '"}\n')
        f.write(json.dumps(good(1)) + "\n")
    with open_roster(str(roster), "jsonl") as opened:
        entries = list(opened.entries)
    assert [e.line for e in entries] == [1, 2, 3]
    assert entries[1].item.problems[0].type == "too_long"


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    columns = header or list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(rows)


def test_a_csv_pair_is_joined_on_member_id_and_nothing_is_lost(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    members = [good(i) for i in range(6)] + [INVALID]
    member_rows, record_rows = csv_pair(members)
    member_rows.append(dict(member_rows[0]))  # a duplicate member_id
    record_rows.append({**record_rows[0], "member_id": "NOBODY"})  # an orphan record
    # The join needs no order: members' records interleaved, the orphan first.
    record_rows.sort(key=lambda row: row["member_id"], reverse=True)
    write_csv(tmp_path / "members.csv", member_rows)
    write_csv(tmp_path / "records.csv", record_rows)
    with (tmp_path / "members.csv").open("a", encoding="utf-8") as f:
        f.write("\nG-x,2027-01-01,too,many,cells,here,and,more\n")  # a blank row, a bad row
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code, _, err = batch(
        capsys,
        str(tmp_path / "members.csv"),
        "--records",
        str(tmp_path / "records.csv"),
        "--out",
        str(out),
        "--errors",
        str(errors),
    )
    assert code == 1
    reports = lines_of(out)
    assert [r["member_id"] for r in reports] == [f"G-{i}" for i in range(6)]
    for i, report in enumerate(reports):
        assert report == json.loads(evaluate(good(i), as_of=AS_OF).to_json())
    refused = {e["problems"][0]["type"]: e for e in lines_of(errors)}
    assert set(refused) == {
        "value_error",  # the invalid member (line 8)
        "duplicate_member",  # line 9
        "empty",  # the blank line 10
        "cell_count",  # line 11
        "unknown_member",  # the orphan record, in records.csv
    }
    assert [refused[k]["line"] for k in ("value_error", "duplicate_member", "empty")] == [8, 9, 10]
    assert refused["unknown_member"]["input"] == str(tmp_path / "records.csv")
    assert refused["unknown_member"]["line"] == 2
    assert "11 entries, 6 evaluated, 5 refused" in err


def test_csv_columns_are_checked_before_anything_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    member_rows, record_rows = csv_pair([good(0)])
    write_csv(tmp_path / "members.csv", [{**r, "renewalDue": "x"} for r in member_rows])
    no_date = [{k: v for k, v in r.items() if k != "date"} for r in record_rows]
    write_csv(tmp_path / "records.csv", no_date)
    out = tmp_path / "out.jsonl"
    members, records = str(tmp_path / "members.csv"), str(tmp_path / "records.csv")
    code, _, err = batch(capsys, members, "--records", records, "--out", str(out))
    assert code == 2
    assert "unknown column 'renewalDue'" in err and "column 'date' is required" in err
    assert not out.exists() and not Path(f"{out}.partial").exists()


def test_a_parquet_roster(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    members = [good(i) for i in range(6)]
    table = pa.Table.from_struct_array(pa.array([*members, {**good(0), "renewal_due": "soon"}]))
    pq.write_table(table, tmp_path / "roster.parquet", row_group_size=3)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code, _, _ = batch(
        capsys, str(tmp_path / "roster.parquet"), "--out", str(out), "--errors", str(errors)
    )
    assert code == 1
    assert [r["member_id"] for r in lines_of(out)] == [f"G-{i}" for i in range(6)]
    for i, report in enumerate(lines_of(out)):
        assert report == json.loads(evaluate(good(i), as_of=AS_OF).to_json())
    (error,) = lines_of(errors)
    assert (error["index"], error["line"]) == (6, None)


# --------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["roster.txt", "--out", "o.jsonl"], "cannot tell the roster format"),
        (["roster.jsonl", "--out", "o.txt"], "cannot tell the output format"),
        (["members.csv", "--out", "o.jsonl"], "needs its records file: --records"),
        (["roster.jsonl", "--out", "-", "--format", "parquet"], "Parquet cannot go to stdout"),
        (["roster.jsonl", "--out", "roster.jsonl"], "is an input file"),
        (["roster.jsonl", "--out", "o.jsonl", "--errors", "o.jsonl"], "name the same file"),
        (["missing.jsonl", "--out", "o.jsonl"], "cannot read"),
        (["roster.jsonl", "--out", "o.jsonl", "--rules", "nope"], "rule pack"),
        (["roster.jsonl", "--out", "o.jsonl", "--records", "r.csv"], "CSV roster only"),
    ],
)
def test_refused_commands_write_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "roster.jsonl").write_text(json.dumps(good(0)) + "\n", encoding="utf-8")
    (tmp_path / "roster.txt").write_text("", encoding="utf-8")
    (tmp_path / "members.csv").write_text("member_id\n", encoding="utf-8")
    before = sorted(os.listdir(tmp_path))
    code, out, err = batch(capsys, *argv)
    assert (code, out) == (2, "")
    assert message in err
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("jobs", ["0", "two"])
def test_jobs_must_be_positive(capsys: pytest.CaptureFixture[str], jobs: str) -> None:
    code, _, err = batch(capsys, "r.jsonl", "--out", "o.jsonl", "--jobs", jobs)
    assert code == 2 and "expected a whole number of processes" in err


# --------------------------------------------------------------- progress


def _batch_in_a_process(roster: Path, folder: Path) -> list[str]:
    """``ceu-compliance batch`` on ``roster`` as a command, its output and errors in ``folder``."""
    out, errors = str(folder / "o.jsonl"), str(folder / "e.jsonl")
    command = ["batch", str(roster), "--as-of", DAY, "--out", out, "--errors", errors]
    return [sys.executable, "-m", "ceu_compliance", *command]


def test_no_progress_bar_when_stderr_is_piped(
    tmp_path: Path, mixed: tuple[Path, list[str]]
) -> None:
    roster, _ = mixed
    done = subprocess.run(
        _batch_in_a_process(roster, tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "\r" not in done.stderr and "[#" not in done.stderr and "\x1b" not in done.stderr
    assert done.stderr.startswith("ceu-compliance: ")


def test_a_progress_bar_when_stderr_is_a_terminal(
    tmp_path: Path, mixed: tuple[Path, list[str]]
) -> None:
    roster, _ = mixed
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            _batch_in_a_process(roster, tmp_path),
            stderr=follower,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        os.close(follower)
        screen = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closed: everything has been read
                break
            if not data:
                break
            screen += data
    finally:
        os.close(leader)
    assert done.returncode == 1
    text = screen.decode()
    assert "\r[" in text and "members" in text and "%" in text
    assert "90 entries, 60 evaluated" in text


def test_the_bar_is_drawn_only_for_a_terminal(tmp_path: Path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    roster_file = tmp_path / "r.jsonl"
    roster_file.write_text("x\n" * 100, encoding="utf-8")
    for stream, drawn in ((Terminal(), True), (io.StringIO(), False)):
        assert show_progress(stream) is drawn
        with open_roster(str(roster_file), "jsonl") as roster:
            next(roster.entries)
            progress = _Progress(stream, roster)
            progress.update(1)
            assert ("[" in stream.getvalue()) is drawn
            progress.clear()
            assert stream.getvalue().endswith("\r") is drawn


def test_the_spark_schema_in_the_docs_is_the_csv_columns() -> None:
    import re

    from ceu_compliance import default_rule_pack
    from ceu_compliance._rows import RowSpec

    page = (Path(__file__).resolve().parent.parent / "docs" / "scale-out.md").read_text()
    match = re.search(r'SCHEMA = "([^"]+)"', page)
    assert match is not None
    fields = [field.split() for field in match.group(1).split(", ")]
    spec = RowSpec.of(default_rule_pack())
    assert [name for name, _ in fields] == [*spec.columns, "problems"]
    arrow = {"string": "string", "bool": "boolean", "date32[day]": "date", "int32": "int"}
    types = {f.name: arrow[str(f.type)] for f in spec.arrow_schema()}
    assert all(kind == types.get(name, "string") for name, kind in fields)
