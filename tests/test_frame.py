"""to_frame() and evaluate_frame(): the CSV columns, as DataFrames for notebooks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from ceu_compliance import RosterError, evaluate, evaluate_frame, evaluate_many, to_frame
from ceu_compliance._cli import main
from rosters import AS_OF, INVALID, csv_pair, extra, good

pd = extra("pandas")


def test_importing_the_library_imports_no_pandas() -> None:
    heavy = "{'pandas', 'pyarrow', 'icalendar'}"
    code = f"import sys, ceu_compliance; print(sorted({heavy} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_to_frame_has_the_csv_columns_and_exact_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    members = [good(i) for i in range(6)]
    frame = to_frame(evaluate_many([*members, INVALID], as_of=AS_OF))
    roster = tmp_path / "r.jsonl"
    roster.write_text("".join(f"{m}\n" for m in map(_json, members)), encoding="utf-8")
    main(["batch", str(roster), "--out", str(tmp_path / "o.csv"), "--as-of", AS_OF.isoformat()])
    capsys.readouterr()
    header = next(csv.reader(io.StringIO((tmp_path / "o.csv").read_text(encoding="utf-8"))))
    assert list(frame.columns) == [*header, "problems"]
    assert len(frame) == 7

    report = evaluate(members[1], as_of=AS_OF)
    row = frame.iloc[1]
    assert row["member_id"] == "G-1"
    assert row["required_total"] == report.required_total
    assert isinstance(row["required_total"], Decimal)
    assert isinstance(row["due"], dt.date)
    assert row["days_left"] == (report.deadlines.due - AS_OF).days
    assert pd.isna(row["problems"])

    refused = frame.iloc[6]
    assert refused["member_id"] == "BAD-INVALID"
    assert "$.renewal_due" in refused["problems"]
    assert pd.isna(refused["status"]) and pd.isna(refused["compliant"])
    assert frame["status"].value_counts().sum() == 6  # refused rows have no status


def _json(member: dict[str, object]) -> str:
    import json

    return json.dumps(member)


def test_evaluate_frame_joins_records_on_member_id() -> None:
    members = [good(i) for i in range(6)]
    member_rows, record_rows = csv_pair(members)
    record_rows.append({**record_rows[0], "member_id": "NOBODY"})
    member_frame = pd.DataFrame(member_rows)
    record_frame = pd.DataFrame(record_rows).sample(frac=1, random_state=1)  # any order...
    record_frame = record_frame.sort_index()  # ...but each member's records in their order
    frame = evaluate_frame(member_frame, record_frame, as_of=AS_OF)
    assert list(frame["member_id"]) == [*(f"G-{i}" for i in range(6)), "NOBODY"]
    expected = to_frame([evaluate(m, as_of=AS_OF) for m in members])
    pd.testing.assert_frame_equal(frame.iloc[:6], expected)
    assert "no member row has" in frame.iloc[6]["problems"]


def test_evaluate_frame_takes_typed_columns() -> None:
    # A frame from a database or read_parquet: real dates, floats, booleans, missing values.
    member_rows, record_rows = csv_pair([good(0)])
    members = pd.DataFrame(member_rows)
    members["renewal_due"] = pd.to_datetime(members["renewal_due"])
    records = pd.DataFrame(record_rows)
    records["date"] = pd.to_datetime(records["date"])
    records["ceus"] = records["ceus"].astype(float)
    records["quiz_passed"] = records["quiz_passed"].map({"true": True, "": None})
    frame = evaluate_frame(members, records, as_of=AS_OF)
    expected = to_frame([evaluate(good(0), as_of=AS_OF)])
    pd.testing.assert_frame_equal(frame, expected)


def test_evaluate_frame_refuses_duplicates_and_unknown_columns() -> None:
    member_rows, record_rows = csv_pair([good(0)])
    frame = evaluate_frame(pd.DataFrame(member_rows * 2), pd.DataFrame(record_rows), as_of=AS_OF)
    assert frame["problems"].notna().tolist() == [False, True]
    assert "already in row 0" in frame.iloc[1]["problems"]
    with pytest.raises(RosterError, match="unknown column 'quizPassed'"):
        evaluate_frame(
            pd.DataFrame(member_rows),
            pd.DataFrame(record_rows).rename(columns={"quiz_passed": "quizPassed"}),
        )
