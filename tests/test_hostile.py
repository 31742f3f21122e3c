"""Hostile and careless input: each row of issue 9's table, as a new user or an attacker tries it.

Every input gives a report, an ``InvalidMemberError`` / ``RulePackError`` listing
its problems, or a ``TypeError`` for a wrong Python argument type, raised at the
call; the command line never prints a traceback (docs/reliability.md).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import threading
from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import ceu_compliance._cli
from ceu_compliance import (
    ComplianceReport,
    InvalidMemberError,
    Limits,
    RulePackError,
    evaluate,
    evaluate_history,
    evaluate_many,
    load_rule_pack,
    parse_rule_pack,
    plan,
    plan_many,
)
from ceu_compliance._cli import example_members, main

AS_OF = dt.date(2027, 4, 15)
REPO = Path(__file__).resolve().parent.parent
COMPLIANT: dict[str, Any] = json.loads(dict(example_members())["01_cpc_compliant.json"])
PACK_TEXT = (resources.files("ceu_compliance") / "packs" / "aapc.toml").read_text("utf-8")

# The three entry points that take a member, as one-argument calls.
ENTRY_POINTS: dict[str, Callable[..., Any]] = {
    "evaluate": lambda m, **kw: evaluate(m, **{"as_of": AS_OF, **kw}),
    "plan": lambda m, **kw: plan(m, **{"as_of": AS_OF, **kw}),
    "evaluate_history": lambda m, **kw: evaluate_history(m, periods=2, **{"as_of": AS_OF, **kw}),
}


def member(**fields: Any) -> dict[str, Any]:
    """A fresh copy of the compliant example with ``fields`` replaced."""
    data: dict[str, Any] = json.loads(json.dumps(COMPLIANT))
    return {**data, **fields}


def with_record(**fields: Any) -> dict[str, Any]:
    """The compliant example with its first record's ``fields`` replaced."""
    data = member()
    data["records"][0] = {**data["records"][0], **fields}
    return data


def refusal(data: Any, call: Callable[..., Any] = ENTRY_POINTS["evaluate"]) -> InvalidMemberError:
    with pytest.raises(InvalidMemberError) as info:
        call(data)
    return info.value


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def json_text(data: dict[str, Any], **raw_numbers: str) -> str:
    """``data`` as JSON text, each ``"@name@"`` string replaced by the raw JSON number given."""
    text = json.dumps(data)
    for name, number in raw_numbers.items():
        text = text.replace(f'"@{name}@"', number)
    return text


# ---------------------------------------------- huge numbers (row 1)


@pytest.mark.parametrize("call", ENTRY_POINTS.values(), ids=ENTRY_POINTS)
@pytest.mark.parametrize(
    ("text", "path"),
    [
        (json_text(with_record(ceus="@n@"), n="1e308"), "$.records[0].ceus"),
        (json_text(with_record(ceus="1e400")), "$.records[0].ceus"),
        (json_text(with_record(ceus="@n@"), n="9" * 4001), "$.records[0].ceus"),
        (json_text(member(required_total_override="@n@"), n="1e400"), "$.required_total_override"),
        (json_text(member(required_total_override="9" * 5000)), "$.required_total_override"),
    ],
    ids=["1e308", "string 1e400", "4001 digits", "override 1e400", "override 5000 digits"],
)
def test_huge_amounts_are_refused_with_a_clear_problem(
    call: Callable[..., Any], text: str, path: str
) -> None:
    [problem] = refusal(text, call).problems
    assert problem.path == path
    assert "over the limit of 1,000,000 (Limits.max_amount)" in problem.message
    assert len(problem.message) < 200


def test_a_huge_amount_exits_2_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "member.json"
    path.write_text(json_text(with_record(ceus="@n@"), n="1e308"), encoding="utf-8")
    for command in ("evaluate", "plan"):
        code, out, err = run(capsys, command, str(path), "--as-of", str(AS_OF))
        assert (code, out) == (2, "")
        assert "$.records[0].ceus: 1E+308 is over the limit" in err


# ---------------------------------------------- dates far away (row 2)


@pytest.mark.parametrize("call", ENTRY_POINTS.values(), ids=ENTRY_POINTS)
@pytest.mark.parametrize("due", ["9999-12-31", "0001-01-01", "2201-01-01"])
def test_a_due_date_outside_the_years_is_refused(call: Callable[..., Any], due: str) -> None:
    [problem] = refusal(member(renewal_due=due), call).problems
    assert (problem.path, problem.type) == ("$.renewal_due", "value_error")
    assert "outside the years 1900 to 2200" in problem.message


# ---------------------------------------------- deep and long JSON (row 3)


@pytest.mark.parametrize(
    "text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000]
)
def test_json_nested_100000_deep_is_a_problem(text: str) -> None:
    [problem] = refusal(text).problems
    assert (problem.type, problem.path) == ("too_deep", "$")


def test_json_nested_past_the_limit_is_a_problem_for_mappings_too() -> None:
    nested: Any = "x"
    for _ in range(100):
        nested = {"a": nested}
    [problem] = refusal(member(notes=nested)).problems
    assert problem.type == "too_deep"
    assert evaluate(member(notes={"a": {"b": [1, 2]}}), as_of=AS_OF).compliant


def test_a_5001_digit_integer_is_a_problem_where_it_stands() -> None:
    digits = "9" * 5001
    text = json_text(member(member_id="@n@", records=[]), n=digits)
    [problem] = refusal(text).problems
    assert (problem.path, problem.message) == ("$.member_id", "expected a string")


def test_deep_json_exits_2_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(path))
    assert (code, out) == (2, "")
    assert "nest more than 64 levels deep" in err


# ---------------------------------------------- rule packs (rows 4, 5, 15, 16)


def test_a_non_utf8_rule_pack_is_a_rule_pack_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(PACK_TEXT.replace("AAPC CEU", "Ã©té CEU").encode("latin-1", "replace"))
    with pytest.raises(RulePackError) as info:
        load_rule_pack(path)
    [problem] = info.value.problems
    assert problem.type == "pack_not_utf8"


def test_a_non_utf8_rule_pack_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pack, data = tmp_path / "bad.toml", tmp_path / "member.json"
    pack.write_bytes(b'title = "\xff\xfe"\n')
    data.write_text(json.dumps(COMPLIANT), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(data), "--rules", str(pack))
    assert (code, out) == (2, "")
    assert "is not UTF-8 text" in err


# ``packs/../../../pyproject`` is this checkout's pyproject.toml, read as a pack
# until pack names became names.
TRAVERSAL = "../../../pyproject"


@pytest.mark.parametrize("rules", [TRAVERSAL, "../../x", "a/b", "a\\b", "..", "."])
def test_a_pack_name_is_a_name_not_a_path(rules: str) -> None:
    with pytest.raises(RulePackError) as info:
        evaluate(COMPLIANT, as_of=AS_OF, rules=rules)
    [problem] = info.value.problems
    assert problem.type == "unknown_pack"
    assert "hatchling" not in str(info.value)


def test_rules_traversal_exits_2_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "member.json"
    data.write_text(json.dumps(COMPLIANT), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(data), "--rules", TRAVERSAL)
    assert (code, out) == (2, "")
    assert "no bundled rule pack is named" in err and "build-system" not in err


def test_a_pack_path_must_name_an_existing_file(tmp_path: Path) -> None:
    for rules in (tmp_path / "missing.toml", str(tmp_path / "missing.toml"), tmp_path, "\0.toml"):
        with pytest.raises(RulePackError) as info:
            load_rule_pack(rules)
        assert info.value.problems[0].type == "pack_not_found"


SECRET_TOML = """
password = "hunter2"
ratio = 3.14159
[database]
token = "s3cr3t-t0k3n"
[parameters.api_key]
value = "abcdef"
"""


@pytest.mark.parametrize("load", [parse_rule_pack, None], ids=["text", "file"])
def test_a_pack_refusal_never_echoes_the_files_keys_or_values(
    load: Callable[[str], Any] | None, tmp_path: Path
) -> None:
    with pytest.raises(RulePackError) as info:
        if load is None:
            path = tmp_path / "config.toml"
            path.write_text(SECRET_TOML, encoding="utf-8")
            load_rule_pack(path)
        else:
            load(SECRET_TOML)
    message = str(info.value)
    for secret in (
        "password",
        "hunter2",
        "3.14159",
        "database",
        "token",
        "s3cr3t",
        "api_key",
        "abcdef",
    ):
        assert secret not in message, secret
    assert "holds a key that is not part of a rule pack" in message
    assert "$.pack: required, and not given" in message


def test_pyproject_as_a_pack_is_refused_without_its_contents() -> None:
    with pytest.raises(RulePackError) as info:
        load_rule_pack(REPO / "pyproject.toml")
    for content in ("build-system", "hatchling", "pydantic", "ceu-compliance"):
        assert content not in str(info.value)


@pytest.mark.parametrize(
    ("tiers", "why"),
    [
        ('["-36", "40", "44", "48", "52"]', "greater than 0"),
        ('["1e30", "1e30", "1e30", "1e30", "1e30"]', "less than or equal to 10000"),
        ('["36", "40", "44", "48", "1_000"]', "expected a decimal number"),
        ('["36", "NaN", "44", "48", "52"]', "expected a decimal number"),
    ],
)
def test_a_pack_with_absurd_tiers_is_refused_on_load(tiers: str, why: str) -> None:
    text = PACK_TEXT.replace('["36", "40", "44", "48", "52"]', tiers)
    with pytest.raises(RulePackError) as info:
        parse_rule_pack(text)
    assert any(
        p.path.startswith("$.parameters.tier_totals.values[2015-08-31]") and why in p.message
        for p in info.value.problems
    ), info.value


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('values = { "2008-01-01" = 24 }', 'values = { "2008-01-01" = 100000000 }'),
        ('values = { "2008-01-01" = 90 }', 'values = { "2008-01-01" = 3000000 }'),
        ('minimum = "16"\nrule = "Q-CDEO"', 'minimum = "-16"\nrule = "Q-CDEO"'),
        ('values = { "2008-01-01" = "0.5" }', 'values = { "2008-01-01" = "0" }'),
    ],
    ids=["period_months", "revocation_days", "minimum", "prorate_step"],
)
def test_a_pack_that_loads_never_fails_later(old: str, new: str) -> None:
    assert PACK_TEXT.count(old) == 1
    with pytest.raises(RulePackError):
        parse_rule_pack(PACK_TEXT.replace(old, new))


# ---------------------------------------------- wrong Python arguments (row 6)


@pytest.mark.parametrize("call", ENTRY_POINTS.values(), ids=ENTRY_POINTS)
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"as_of": "2027-04-15"}, "as_of must be a datetime.date or None, not str"),
        (
            {"as_of": dt.datetime(2027, 4, 15, 9, 30)},
            "as_of must be a datetime.date, not a datetime",
        ),
        ({"rules": 123}, "rules must be a RulePack, a pack name or a path, not int"),
        ({"strict": "yes"}, "strict must be True or False, not str"),
        ({"limits": {"max_records": 5}}, "limits must be a ceu_compliance.Limits, not dict"),
    ],
)
def test_a_wrong_argument_type_is_a_type_error_at_the_call(
    call: Callable[..., Any], arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        call(COMPLIANT, **arguments)


def test_explain_rules_of_a_wrong_type_is_a_type_error() -> None:
    report = evaluate(COMPLIANT, as_of=AS_OF)
    with pytest.raises(TypeError, match="rules must be"):
        report.explain(rules=123)  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [object(), {1, 2}, dt.date(2027, 1, 1)])
def test_a_member_that_is_no_json_value_is_a_type_error(data: Any) -> None:
    with pytest.raises(TypeError, match="member must be a Member, a mapping or JSON text"):
        evaluate(data, as_of=AS_OF)


def test_as_of_outside_the_years_is_refused() -> None:
    [problem] = refusal(COMPLIANT, lambda m: evaluate(m, as_of=dt.date(1, 1, 1))).problems
    assert (problem.type, problem.path) == ("date_out_of_range", "as_of")


# ---------------------------------------------- the command line (row 7)


def test_a_crash_with_check_exits_3_not_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: Any, **kwargs: Any) -> ComplianceReport:
        raise RuntimeError("a bug")

    monkeypatch.setattr(ceu_compliance._cli, "evaluate", crash)
    data = tmp_path / "member.json"
    data.write_text(json.dumps(COMPLIANT), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(data), "--check")
    assert (code, out) == (3, "")
    assert err.count("\n") == 1
    assert "internal error (RuntimeError)" in err and "please report it" in err


def test_ctrl_c_exits_130_quietly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> ComplianceReport:
        raise KeyboardInterrupt

    monkeypatch.setattr(ceu_compliance._cli, "evaluate", interrupted)
    data = tmp_path / "member.json"
    data.write_text(json.dumps(COMPLIANT), encoding="utf-8")
    assert run(capsys, "evaluate", str(data), "--check") == (130, "", "")


def test_an_input_over_the_document_limit_is_refused_unread(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "big.json"
    with path.open("w", encoding="utf-8") as file:
        file.write('{"member_id": "' + "x" * (16 * 1024 * 1024) + '"}')
    code, out, err = run(capsys, "evaluate", str(path))
    assert (code, out) == (2, "")
    assert "over the limit of 16,777,216 (Limits.max_document_bytes)" in err


# ---------------------------------------------- sizes (rows 8, 9, 11)


def test_100000_records_are_refused_at_once() -> None:
    record = COMPLIANT["records"][0]
    data = member(records=[{**record, "id": f"r{n}"} for n in range(100_000)])
    [problem] = refusal(data).problems
    assert (problem.type, problem.path) == ("too_many_items", "$.records")
    assert "100,000 items, more than the 10,000 allowed (Limits.max_records)" in problem.message


def test_a_period_start_in_year_1_is_refused() -> None:
    records = [{**COMPLIANT["records"][0], "id": f"r{n}"} for n in range(15)]
    [problem] = refusal(member(period_start="0001-01-15", records=records)).problems
    assert problem.path == "$.period_start"


def test_a_period_longer_than_the_limit_is_refused() -> None:
    [problem] = refusal(member(period_start="1901-01-15")).problems
    assert (problem.type, problem.path) == ("period_too_long", "$.period_start")
    assert "(Limits.max_period_months)" in problem.message


def test_100000_credentials_are_refused_at_once() -> None:
    credentials = [{"code": f"C{n}", "earned": "2020-01-01"} for n in range(100_000)]
    [problem] = refusal(member(credentials=credentials)).problems
    assert (problem.type, problem.path) == ("too_many_items", "$.credentials")


def test_a_megabyte_of_unknown_codes_gives_a_short_message() -> None:
    record = {**COMPLIANT["records"][0], "approved_for": [f"NOPE-{n:06d}" for n in range(50)]}
    data = member(records=[{**record, "id": f"r{n}"} for n in range(1_200)])
    assert len(json.dumps(data)) > 1_000_000
    error = refusal(data)
    assert len(error.problems) == 101
    assert error.problems[-1].type == "more_problems"
    assert error.problems[-1].message.startswith("59,900 more problems not listed")
    assert len(str(error)) < 50_000
    assert str(error).startswith("member input refused, over 100 problems:")


def test_a_megabyte_long_value_is_cut_where_a_message_quotes_it() -> None:
    error = refusal(member(credentials=[{"code": "X" * 1_000_000, "earned": "2020-01-01"}]))
    assert len(str(error)) < 2_000
    assert "(1,000,000 characters)" in str(error)


def test_duplicate_credentials_are_found_in_linear_time() -> None:
    # 20,000 copies of one credential, with the limit raised: a quadratic check took minutes.
    credentials = [{"code": "CPC", "earned": "2010-01-01"}] * 20_000
    with pytest.raises(InvalidMemberError) as info:
        evaluate(
            member(credentials=credentials),
            as_of=AS_OF,
            limits=Limits(max_credentials=20_000, max_problems=5),
        )
    assert [p.type for p in info.value.problems] == ["duplicate_credential"] * 5 + ["more_problems"]


# ---------------------------------------------- the caller's decimal context (row 12)

# CPC only: 36 CEUs required. 36.25 counted is compliant; at 3 digits it would be 36.2 - fine,
# but the records of 12.25 + 12 + 12 would sum to 36.2 and 12.25 + 11.9 + 11.9 to 36.0 -> 36.1.
PRECISE = member(
    records=[
        {
            "id": "a",
            "date": "2026-01-10",
            "ceus": "12.25",
            "activity": "course",
            "provider": "AAPC",
            "index_number": "AAPC-1",
        },
        {
            "id": "b",
            "date": "2026-02-10",
            "ceus": "11.9",
            "activity": "course",
            "provider": "AAPC",
            "index_number": "AAPC-2",
        },
        {
            "id": "c",
            "date": "2026-03-10",
            "ceus": "12.1",
            "activity": "course",
            "provider": "AAPC",
            "index_number": "AAPC-3",
        },
    ]
)


def _everything(data: dict[str, Any]) -> list[str]:
    report = evaluate(data, as_of=AS_OF)
    outputs = [report, plan(data, as_of=AS_OF), evaluate_history(data, periods=2, as_of=AS_OF)]
    return [
        *(o.to_json() for o in outputs),
        *(o.to_text() + o.to_markdown() + o.to_html() for o in outputs),
        report.explain().to_json(),
    ]


def test_the_callers_decimal_context_changes_nothing() -> None:
    expected = _everything(PRECISE)
    assert json.loads(expected[0])["counted_total"] == "36.25"
    assert json.loads(expected[0])["status"] == "compliant"
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        ctx.traps[decimal.Inexact] = True
        assert _everything(PRECISE) == expected
        assert decimal.getcontext().prec == 3  # the caller's context is given back


def test_a_thread_with_its_own_decimal_context_gets_the_same_report() -> None:
    expected = _everything(PRECISE)
    results: list[list[str]] = []

    def worker() -> None:
        decimal.getcontext().prec = 3
        results.append(_everything(PRECISE))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert results == [expected]


# ---------------------------------------------- digits (row 13 and the notes under the table)


@pytest.mark.parametrize(
    "text",
    [
        json_text(with_record(ceus="@n@"), n="35.99999999999999999999999999999"),
        json_text(with_record(ceus="35.99999999999999999999999999999")),
    ],
    ids=["number", "string"],
)
def test_amounts_with_too_many_digits_are_refused_not_rounded(text: str) -> None:
    [problem] = refusal(text).problems
    assert problem.path == "$.records[0].ceus"
    assert "29 digits after the decimal point, more than the 20 allowed" in problem.message


def test_thirty_five_point_nine_nine_is_not_compliant_when_it_fits() -> None:
    course = {"id": "a", "date": "2026-01-10", "activity": "course", "approved": True}
    text = json_text(member(records=[{**course, "ceus": "@n@"}]), n="35.99999999999999999999")
    report = evaluate(text, as_of=AS_OF)
    assert report.counted_total == Decimal("35.99999999999999999999")
    assert not report.compliant


@pytest.mark.parametrize("amount", ["1_000", "1 000", "١٢", "0x10", "Infinity", "NaN", "1e5e5"])
def test_decimal_strings_python_would_read_are_refused(amount: str) -> None:
    [problem] = refusal(with_record(ceus=amount)).problems
    assert problem.message.startswith("expected a number, got ")


def test_small_amounts_print_as_plain_decimals() -> None:
    report = evaluate(with_record(ceus="0.000000001", activity="course"), as_of=AS_OF)
    data = json.loads(report.to_json())
    assert data["records"][0]["claimed"] == "0.000000001"
    assert "E-" not in report.to_json() + report.to_text() + report.to_markdown()


# ---------------------------------------------- forged lines (row 14)

FORGED = "M-1\nMember M-2: COMPLIANT"
ESCAPES = "M-1\r\x1b[2J\x1b[31mRED\u202eLIAMBUS\u2066"


@pytest.mark.parametrize("member_id", [FORGED, ESCAPES])
def test_text_output_escapes_control_characters(member_id: str) -> None:
    data = member(member_id=member_id)
    data["records"][0]["title"] = "Line one\nMember M-3: COMPLIANT"
    report = evaluate(data, as_of=AS_OF)
    outputs = [
        report.to_text(),
        report.to_markdown(),
        report.explain().to_text(),
        plan(data, as_of=AS_OF).to_text(),
        evaluate_history(data, periods=2, as_of=AS_OF).to_text(),
    ]
    for output in outputs:
        lines = output.splitlines()
        assert not any(line.startswith(("Member M-2", "Member M-3")) for line in lines), output
        assert not any(char in output for char in "\r\x1b\u202e\u2066")
    assert report.to_text().startswith("Member M-1\\")


def test_command_line_diagnostics_escape_control_characters(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = member()
    data["records"][0]["approved\nceu-compliance: all fine\x1b[0m"] = True
    path = tmp_path / "member.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run(capsys, "evaluate", str(path), "--as-of", str(AS_OF))
    assert code == 0
    assert err.count("\n") == 1 and "\x1b" not in err
    assert '$.records[0]["approved\\nceu-compliance: all fine\\u001b[0m"]' in err


# ---------------------------------------------- Python's words (under the table)


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ("[1, 2]", "$", "expected a JSON object"),
        (json.dumps(member(credentials="CPC")), "$.credentials", "expected a JSON array"),
        (json.dumps(member(records=[5])), "$.records[0]", "expected a JSON object"),
        (
            json.dumps(with_record(approved_for="CPC")),
            "$.records[0].approved_for",
            "expected a JSON array",
        ),
        (
            json.dumps(with_record(quiz_passed="maybe")),
            "$.records[0].quiz_passed",
            "expected true or false",
        ),
        (json.dumps(member(member_id=7)), "$.member_id", "expected a string"),
        (json.dumps(with_record(ceus=-1)), "$.records[0].ceus", "must be greater than 0"),
    ],
)
def test_messages_speak_json_not_python(data: str, path: str, message: str) -> None:
    problems = refusal(data).problems
    assert (problems[0].path, problems[0].message) == (path, message)
    for word in ("tuple", "instance of", "dictionary", "Decimal(", "NoneType", "Value error"):
        assert word not in str(refusal(data)), word


def test_an_option_out_of_range_is_refused_once_for_a_roster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "roster.json"
    path.write_text(json.dumps([COMPLIANT, COMPLIANT]), encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(path), "--as-of", "1800-01-01")
    assert (code, out) == (2, "")
    assert err.count("as_of: 1800-01-01 is outside the years 1900 to 2200") == 1
    code, out, err = run(capsys, "evaluate", str(path), "--periods", "11")
    assert (code, out) == (2, "")
    assert "periods: periods must be a positive integer of at most 10" in err


# ---------------------------------------------- rosters: evaluate_many and batch


def test_evaluate_many_reads_json_text_exactly_and_within_the_limits() -> None:
    refused = json_text(with_record(ceus="@n@"), n="35.99999999999999999999999999999")
    deep = "[" * 100_000 + "]" * 100_000
    members: list[Any] = [
        refused,
        deep,
        {1, 2},
        COMPLIANT,
        member(records=COMPLIANT["records"] * 2),
    ]
    results = list(evaluate_many(members, as_of=AS_OF, limits=Limits(max_records=10)))
    assert [type(r).__name__ for r in results] == [
        "BatchError",
        "BatchError",
        "BatchError",
        "ComplianceReport",
        "BatchError",
    ]
    places, too_deep, not_a_member, _, too_many = results
    assert "29 digits after the decimal point" in str(places)
    assert "nest more than 64 levels deep" in str(too_deep)
    assert "expected a member, not a set" in str(not_a_member)
    assert "(Limits.max_records)" in str(too_many)


def test_evaluate_many_checks_its_arguments_at_the_call() -> None:
    with pytest.raises(TypeError, match=r"as_of must be a datetime\.date"):
        evaluate_many([COMPLIANT], as_of="2027-04-15")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limits must be"):
        plan_many([COMPLIANT], as_of=AS_OF, limits=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["roster.json", "roster.jsonl"])
def test_a_roster_file_is_read_exactly_and_deep_nesting_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    almost = json_text(with_record(ceus="@n@"), n="35.99999999999999999999999999999")
    entries = [json.dumps(COMPLIANT), almost, deep]
    roster = tmp_path / name
    roster.write_text(
        "[" + ",".join(entries) + "]" if name.endswith(".json") else "\n".join(entries) + "\n",
        encoding="utf-8",
    )
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    argv = ["batch", str(roster), "--out", str(out), "--errors", str(errors), "--as-of", str(AS_OF)]
    code, _, _ = run(capsys, *argv)
    assert code == 1  # some members refused: never 3
    refused = errors.read_text(encoding="utf-8")
    assert "29 digits after the decimal point" in refused
    assert "nest" in refused
