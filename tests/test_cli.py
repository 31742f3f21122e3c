"""The ``ceu-compliance`` command: subcommands, streams and exit codes."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from ceu_compliance import CEUComplianceError, evaluate
from ceu_compliance._cli import DEMO_AS_OF, example_members, main

AS_OF = DEMO_AS_OF.isoformat()
EXAMPLES = dict(example_members())
COMPLIANT = json.loads(EXAMPLES["01_cpc_compliant.json"])
SHORT = json.loads(EXAMPLES["02_multi_credential_short_cpma.json"])

# Three things wrong at once: every one must be reported.
REFUSED = {
    "member_id": "M-1",
    "renewal_due": "2027-02-30",
    "credentials": [{"code": "XYZ", "earned": "2020-01-01"}],
    "records": [{"id": "a", "date": "2026-01-01", "activity": "webinar", "ceus": -1}],
}


@pytest.fixture
def write(tmp_path: Path) -> Any:
    def write(data: Any, name: str = "input.json") -> str:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return str(path)

    return write


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- evaluate


def test_evaluate_prints_a_text_report(capsys: pytest.CaptureFixture[str], write: Any) -> None:
    code, out, err = run(capsys, "evaluate", write(COMPLIANT), "--as-of", AS_OF)
    assert (code, err) == (0, "")
    assert out.startswith("Member M-20417: COMPLIANT\n")


def test_evaluate_json_is_the_library_report(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    code, out, _ = run(capsys, "evaluate", write(SHORT), "--as-of", AS_OF, "--format", "json")
    assert code == 0
    assert json.loads(out) == json.loads(evaluate(SHORT, as_of=DEMO_AS_OF).to_json())


def test_as_of_defaults_to_today(capsys: pytest.CaptureFixture[str], write: Any) -> None:
    _, out, _ = run(capsys, "evaluate", write(COMPLIANT), "--format", "json")
    assert json.loads(out)["as_of"] == dt.date.today().isoformat()


@pytest.mark.parametrize(
    ("member", "check", "expected"),
    [(COMPLIANT, True, 0), (SHORT, False, 0), (SHORT, True, 1)],
)
def test_check_exits_1_only_when_not_compliant(
    capsys: pytest.CaptureFixture[str], write: Any, member: Any, check: bool, expected: int
) -> None:
    argv = ["evaluate", write(member), "--as-of", AS_OF] + (["--check"] if check else [])
    code, out, _ = run(capsys, *argv)
    assert code == expected
    assert out  # the report is printed either way


def test_dash_reads_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(COMPLIANT)))
    code, out, _ = run(capsys, "evaluate", "-", "--as-of", AS_OF, "--format", "json")
    assert code == 0
    assert json.loads(out)["member_id"] == "M-20417"


def test_refused_input_lists_every_problem_on_stderr_only(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    code, out, err = run(capsys, "evaluate", write(REFUSED), "--check")
    assert (code, out) == (2, "")
    header, *problems = err.splitlines()
    assert header == "ceu-compliance: member input refused, 3 problems:"
    assert [line.split(":")[0] for line in problems] == [
        "$.renewal_due",
        "$.records[0].ceus",
        "$.credentials[0].code",
    ]
    assert "Traceback" not in err


@pytest.mark.parametrize("wrap", [lambda ms: ms, lambda ms: {"members": ms}])
def test_roster_text_starts_with_a_summary_then_a_section_per_member(
    capsys: pytest.CaptureFixture[str], write: Any, wrap: Any
) -> None:
    code, out, _ = run(capsys, "evaluate", write(wrap([COMPLIANT, SHORT])), "--as-of", AS_OF)
    assert code == 0
    assert out.startswith(f"CEU compliance of 2 members as of {AS_OF}: 1 compliant\n")
    summary, first, second = out.split("\n\n\n")
    assert "M-20417  COMPLIANT" in summary and "M-31588  IN PROGRESS" in summary
    assert first.startswith("M-20417\n=======\n\nMember M-20417: COMPLIANT")
    assert second.startswith("M-31588\n=======\n\nMember M-31588: IN PROGRESS")


def test_roster_json_is_an_array_and_check_fails_on_any_member(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    path = write([COMPLIANT, SHORT])
    code, out, _ = run(capsys, "evaluate", path, "--as-of", AS_OF, "--format", "json", "--check")
    assert code == 1
    reports = json.loads(out)
    assert [r["member_id"] for r in reports] == ["M-20417", "M-31588"]
    assert reports[1] == json.loads(evaluate(SHORT, as_of=DEMO_AS_OF).to_json())


def test_a_refused_roster_member_refuses_the_roster_with_located_problems(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    code, out, err = run(capsys, "evaluate", write({"members": [COMPLIANT, REFUSED, 7]}))
    assert (code, out) == (2, "")
    header, *problems = err.splitlines()
    assert header == "ceu-compliance: roster refused, 4 problems:"
    assert problems[0].startswith("$.members[1].renewal_due: ")
    assert problems[-1].startswith("$.members[2]: ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"members": {"member_id": "M-1"}}', "a roster's members must be a JSON array"),
        ("[]", "the roster has no members"),
        ("{not json", ": not valid JSON: "),
    ],
)
def test_unusable_input_exits_2_with_a_message(
    capsys: pytest.CaptureFixture[str], write: Any, content: str, message: str
) -> None:
    code, out, err = run(capsys, "evaluate", write(content))
    assert (code, out) == (2, "")
    assert err.startswith("ceu-compliance: ") and message in err


def test_unreadable_files_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('{"member_id": "Mé"}'.encode("latin-1"))
    for path, message in [
        (tmp_path / "missing.json", "cannot read"),
        (tmp_path, "cannot read"),
        (latin1, ": not UTF-8 text"),
    ]:
        code, out, err = run(capsys, "evaluate", str(path))
        assert (code, out) == (2, "")
        assert message in err and "Traceback" not in err


def test_a_byte_order_mark_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(COMPLIANT).encode())
    assert run(capsys, "evaluate", str(path), "--as-of", AS_OF)[0] == 0


@pytest.mark.parametrize("as_of", ["2027-13-01", "20270415", "15/04/2027", "2027-W15-4"])
def test_bad_as_of_exits_2(capsys: pytest.CaptureFixture[str], write: Any, as_of: str) -> None:
    code, out, err = run(capsys, "evaluate", write(COMPLIANT), "--as-of", as_of)
    assert (code, out) == (2, "")
    assert f"expected a real date as YYYY-MM-DD, got {as_of!r}" in err


def test_rules_accepts_a_pack_name_or_a_toml_path(
    capsys: pytest.CaptureFixture[str], write: Any, tmp_path: Path
) -> None:
    toml = tmp_path / "pack.toml"
    toml.write_text(resources.files("ceu_compliance").joinpath("packs", "aapc.toml").read_text())
    path = write(COMPLIANT)
    for rules in ("aapc-2026.1", str(toml)):
        code, out, _ = run(capsys, "evaluate", path, "--as-of", AS_OF, "--rules", rules)
        assert code == 0 and "COMPLIANT" in out


@pytest.mark.parametrize(
    ("pack", "message"),
    [
        ("no-such-pack", 'no bundled rule pack is named "no-such-pack"'),
        ("BAD_TOML", "rule pack refused, "),
    ],
)
def test_a_bad_rule_pack_exits_2(
    capsys: pytest.CaptureFixture[str], write: Any, pack: str, message: str
) -> None:
    if pack == "BAD_TOML":
        pack = write("not = [valid", "bad.toml")
    code, out, err = run(capsys, "evaluate", write(COMPLIANT), "--rules", pack)
    assert (code, out) == (2, "")
    assert message in err


def test_library_errors_exit_2_without_a_traceback(
    capsys: pytest.CaptureFixture[str], write: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise CEUComplianceError("the rules cannot decide")

    monkeypatch.setattr("ceu_compliance._cli.evaluate", fail)
    code, out, err = run(capsys, "evaluate", write(COMPLIANT))
    assert (code, out, err) == (2, "", "ceu-compliance: the rules cannot decide\n")


# -------------------------------------------------------------------- demo


def test_demo_prints_a_summary_then_every_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo")
    assert (code, err) == (0, "")
    title, _, header, *rows = out.split("\n\n\n")[0].splitlines()
    assert title == f"CEU compliance of 6 members as of {AS_OF}: 2 compliant"
    assert header.split() == [
        "Member", "Status", "Required", "Counted", "Shortfall", "Due", "Days", "left"
    ]  # fmt: skip
    assert [row.split("  ")[:2] for row in rows] == [
        ["M-20417", "COMPLIANT"],
        ["M-31588", "IN PROGRESS"],
        ["M-40952", "NONCOMPLIANT"],
        ["M-52260", "IN PROGRESS"],
        ["M-61034", "COMPLIANT"],
        ["M-70318", "EXTENSION"],
    ]
    lines = out.splitlines()
    headings = [lines[i - 1] for i, line in enumerate(lines) if set(line) == {"="}]
    assert headings == [row.split()[0] for row in rows]


def test_demo_json_is_an_array_of_reports(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--format", "json", "--as-of", "2027-01-01")
    assert code == 0
    reports = json.loads(out)
    assert len(reports) == len(EXAMPLES)
    assert {r["as_of"] for r in reports} == {"2027-01-01"}


# ------------------------------------------------------------------ schema


@pytest.mark.parametrize(("which", "field"), [("member", "records"), ("report", "requirements")])
def test_schema_prints_json_schema(
    capsys: pytest.CaptureFixture[str], which: str, field: str
) -> None:
    code, out, _ = run(capsys, "schema", which)
    assert code == 0
    assert field in json.loads(out)["properties"]


def test_the_report_schema_documents_not_applied(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "report")
    assert code == 0
    defs = json.loads(out)["$defs"]
    field = defs["RecordOutcome"]["properties"]["not_applied"]
    assert "cannot serve" in field["description"]
    assert set(defs["NotApplied"]["properties"]) == {"requirement", "code", "rule", "message"}
    assert set(defs["NotAppliedCode"]["enum"]) == {
        "vendor_not_contracted",
        "cms_core_only",
        "before_credential",
        "not_held",
    }


# ------------------------------------------------------------ the program


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["schema", "nothing"], ["evaluate"]])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert "usage: ceu-compliance" in err


def test_version_and_help_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("ceu-compliance ")
    code, out, _ = run(capsys, "evaluate", "--help")
    assert code == 0 and "--check" in out


def module(*argv: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ceu_compliance", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        **kwargs,
    )


def test_python_dash_m_is_the_same_program() -> None:
    done = module(
        "evaluate", "-", "--as-of", AS_OF, "--format", "json", "--check", input=json.dumps(SHORT)
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert json.loads(done.stdout)["status"] == "in_progress"


def test_a_reader_that_leaves_early_is_no_error() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the program writes anything
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ceu_compliance", "demo"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=60,
        )
    finally:
        os.close(write)
    assert proc.returncode == 141
    assert proc.stderr == ""


# ------------------------------------------------------ html, markdown, explain


def test_format_html_writes_a_standalone_page(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    code, out, err = run(capsys, "evaluate", write(SHORT), "--as-of", AS_OF, "--format", "html")
    assert (code, err) == (0, "")
    assert out.startswith("<!DOCTYPE html>")
    assert "CPMA" in out and "<script" not in out


def test_format_html_of_a_roster_is_one_page(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    code, out, _ = run(
        capsys, "evaluate", write([COMPLIANT, SHORT]), "--as-of", AS_OF, "--format", "html"
    )
    assert code == 0
    assert out.count("<!DOCTYPE html>") == 1
    assert "M-20417" in out and "M-31588" in out


def test_format_markdown_has_a_requirements_table(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    code, out, _ = run(capsys, "evaluate", write(SHORT), "--as-of", AS_OF, "--format", "markdown")
    assert code == 0
    assert "| Requirement |" in out and "| CPMA |" in out


def test_explain_cites_the_rules(capsys: pytest.CaptureFixture[str], write: Any) -> None:
    code, out, _ = run(capsys, "evaluate", write(SHORT), "--as-of", AS_OF, "--explain")
    assert code == 0
    assert out.startswith("Why member M-31588")
    assert "Citation:" in out and "[Q-CPMA]" in out


def test_explain_json_of_one_member_is_an_object_as_evaluate_prints(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    code, out, _ = run(
        capsys, "evaluate", write(SHORT), "--as-of", AS_OF, "--explain", "--format", "json"
    )
    assert code == 0
    explanation = json.loads(out)
    assert isinstance(explanation, dict)
    assert explanation == json.loads(evaluate(SHORT, as_of=DEMO_AS_OF).explain().to_json())


def test_explain_json_of_a_roster_is_an_array(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    argv = ["evaluate", write([COMPLIANT, SHORT]), "--as-of", AS_OF, "--explain"]
    code, out, _ = run(capsys, *argv, "--format", "json")
    assert code == 0
    assert [e["member_id"] for e in json.loads(out)] == ["M-20417", "M-31588"]


@pytest.mark.parametrize("as_of", [[], ["--as-of", AS_OF]])
def test_explain_says_why_circc_is_short_and_which_vendors_count(
    capsys: pytest.CaptureFixture[str], as_of: list[str]
) -> None:
    """Bundled example 03, as the README runs it (today) and as of the demo date."""
    path = (
        Path(__file__).resolve().parents[1]
        / "examples"
        / "members"
        / next(name for name in EXAMPLES if name.startswith("03_"))
    )
    code, out, _ = run(capsys, "evaluate", str(path), "--explain", *as_of)
    assert code == 0
    words = " ".join(out.split())
    assert "- CIRCC [Q-CIRCC]: 14 of 16 CEUs counted, 2 short." in words
    assert "Approved for CIRCC but cannot serve it: r3 (vendor_not_contracted)" in words
    assert (
        "is not one of the vendors AAPC contracted for CIRCC CEUs: ZHealth Publishing, "
        "MedLearn Publishing and Medical Asset Management."
    ) in words


@pytest.mark.parametrize(("form", "start"), [("html", "<!DOCTYPE html>"), ("markdown", "## Why")])
def test_explain_renders_as_html_and_markdown(
    capsys: pytest.CaptureFixture[str], write: Any, form: str, start: str
) -> None:
    code, out, _ = run(
        capsys, "evaluate", write(SHORT), "--as-of", AS_OF, "--explain", "--format", form
    )
    assert code == 0
    assert out.startswith(start)
    assert "Q-CPMA" in out and "<script" not in out


# ---------------------------------------------------------------- plan


def test_plan_prints_the_fewest_additional_ceus(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    code, out, _ = run(capsys, "plan", write(SHORT), "--as-of", "2026-11-26")
    assert code == 0
    assert out.startswith("Completion plan for member M-31588")


def test_plan_json_matches_the_library(capsys: pytest.CaptureFixture[str], write: Any) -> None:
    code, out, _ = run(capsys, "plan", write(SHORT), "--as-of", "2026-11-26", "--format", "json")
    assert code == 0
    from ceu_compliance import plan

    assert json.loads(out) == json.loads(plan(SHORT, as_of=dt.date(2026, 11, 26)).to_json())


def test_schema_plan_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "plan")
    assert code == 0
    assert "minimum_additional" in json.loads(out)["properties"]


# ------------------------------------------------------------- history


ROLLOVER = json.loads(EXAMPLES["05_renewal_month_rollover.json"])


def test_periods_prints_a_history(capsys: pytest.CaptureFixture[str], write: Any) -> None:
    code, out, _ = run(capsys, "evaluate", write(ROLLOVER), "--as-of", AS_OF, "--periods", "2")
    assert code == 0
    assert out.startswith("History of member M-61034")


def test_periods_json_matches_the_library(capsys: pytest.CaptureFixture[str], write: Any) -> None:
    code, out, _ = run(
        capsys, "evaluate", write(ROLLOVER), "--as-of", AS_OF, "--periods", "2", "--format", "json"
    )
    assert code == 0
    from ceu_compliance import evaluate_history

    expected = evaluate_history(ROLLOVER, periods=2, as_of=DEMO_AS_OF)
    assert json.loads(out) == json.loads(expected.to_json())


def test_periods_check_looks_at_the_latest_period(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    args = ("--as-of", AS_OF, "--periods", "2", "--check")
    assert run(capsys, "evaluate", write(ROLLOVER), *args)[0] == 0
    assert run(capsys, "evaluate", write(SHORT), *args)[0] == 1


@pytest.mark.parametrize("periods", ["0", "-1", "two"])
def test_periods_must_be_a_positive_whole_number(
    capsys: pytest.CaptureFixture[str], write: Any, periods: str
) -> None:
    code, out, err = run(capsys, "evaluate", write(SHORT), "--periods", periods)
    assert (code, out) == (2, "")
    assert "--periods" in err


def test_periods_and_explain_do_not_combine(capsys: pytest.CaptureFixture[str], write: Any) -> None:
    code, _, err = run(capsys, "evaluate", write(SHORT), "--periods", "2", "--explain")
    assert code == 2
    assert "--periods" in err


@pytest.mark.parametrize("form", ["html", "markdown"])
def test_histories_and_plans_render_as_html_and_markdown(
    capsys: pytest.CaptureFixture[str], write: Any, form: str
) -> None:
    history = run(
        capsys, "evaluate", write(ROLLOVER), "--as-of", AS_OF, "--periods", "2", "--format", form
    )
    completion = run(capsys, "plan", write(SHORT), "--as-of", "2026-11-26", "--format", form)
    assert history[0] == completion[0] == 0
    assert "M-61034" in history[1] and "M-31588" in completion[1]


def test_schema_history_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "history")
    assert code == 0
    assert "periods" in json.loads(out)["properties"]


# ------------------------------------------------------------- unknown fields


def with_typo(member: dict[str, Any]) -> dict[str, Any]:
    """``member`` with its second record's approved_for misspelt approvedFor."""
    records = [dict(r) for r in member["records"]]
    records[1]["approvedFor"] = records[1].pop("approved_for", ["CPC"])
    return {**member, "records": records}


TYPO_WARNING = (
    "ceu-compliance: warning: {at}.records[1].approvedFor: "
    "unknown field, ignored; did you mean approved_for?"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate"],
        ["evaluate", "--format", "json"],
        ["evaluate", "--explain"],
        ["evaluate", "--periods", "2"],
        ["plan"],
    ],
)
def test_unknown_fields_are_warned_about_on_stderr(
    capsys: pytest.CaptureFixture[str], write: Any, argv: list[str]
) -> None:
    code, out, err = run(capsys, argv[0], write(with_typo(SHORT)), "--as-of", AS_OF, *argv[1:])
    assert code == 0
    assert out
    assert err.splitlines() == [TYPO_WARNING.format(at="$")]


def test_unknown_fields_of_a_roster_are_located_in_the_roster(
    capsys: pytest.CaptureFixture[str], write: Any
) -> None:
    roster = {"members": [COMPLIANT, with_typo(SHORT)]}
    code, out, err = run(capsys, "evaluate", write(roster), "--as-of", AS_OF, "--format", "json")
    assert code == 0
    assert err.splitlines() == [TYPO_WARNING.format(at="$.members[1]")]
    reports = json.loads(out)
    assert reports[0]["warnings"] == []
    assert reports[1]["warnings"][0]["path"] == "$.records[1].approvedFor"


@pytest.mark.parametrize("argv", [["evaluate"], ["evaluate", "--periods", "2"], ["plan"]])
def test_strict_refuses_unknown_fields_with_exit_2(
    capsys: pytest.CaptureFixture[str], write: Any, argv: list[str]
) -> None:
    code, out, err = run(capsys, argv[0], write(with_typo(SHORT)), "--strict", *argv[1:])
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "ceu-compliance: member input refused, 1 problem:",
        "$.records[1].approvedFor: unknown field, refused (strict); did you mean approved_for?",
    ]


def test_strict_accepts_known_fields(capsys: pytest.CaptureFixture[str], write: Any) -> None:
    code, out, err = run(capsys, "evaluate", write(SHORT), "--strict", "--as-of", AS_OF)
    assert (code, err) == (0, "")
    assert out.startswith("Member M-31588")


def test_schemas_document_the_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    for which in ("report", "plan", "history"):
        _, out, _ = run(capsys, "schema", which)
        schema = json.loads(out)
        assert "warnings" in schema["required"], which
        assert "unknown fields" in schema["properties"]["warnings"]["description"]
    _, out, _ = run(capsys, "schema", "member")
    assert json.loads(out)["additionalProperties"] is True
