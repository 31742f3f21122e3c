"""Refused input (INTERCHANGE.md): every problem listed with its field path, nothing
half-evaluated, the caller's data never mutated, exact decimals on the way in and out.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from ceu_compliance import (
    CEUComplianceError,
    InvalidMemberError,
    Member,
    evaluate,
    evaluate_history,
    parse_member,
    plan,
)
from ceu_compliance import default_rule_pack as _default_pack

AS_OF = dt.date(2026, 6, 1)


def base() -> dict[str, Any]:
    return {
        "member_id": "M-V",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2016-05-14"}],
        "records": [],
    }


def rec(rid: str = "r1", **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rid,
        "date": "2025-06-01",
        "ceus": 2,
        "activity": "course",
        "provider": "AAPC",
        "index_number": f"IDX-{rid}",
    }
    for key, value in fields.items():
        if value is _DROP:
            out.pop(key, None)
        else:
            out[key] = value
    return out


_DROP = object()


def with_records(*records: dict[str, Any], **member_fields: Any) -> dict[str, Any]:
    return {**base(), **member_fields, "records": list(records)}


def refused(data: Any) -> InvalidMemberError:
    with pytest.raises(InvalidMemberError) as info:
        evaluate(data, as_of=AS_OF)
    return info.value


def paths(error: InvalidMemberError) -> list[str]:
    return [p.path for p in error.problems]


# One refused input per case: (member, acceptable paths of its single problem).
CASES: dict[str, tuple[Callable[[], Any], tuple[str, ...]]] = {
    "unknown credential code": (
        lambda: {**base(), "credentials": [{"code": "CPX", "earned": "2016-05-14"}]},
        ("$.credentials[0].code",),
    ),
    "unknown approved_for code": (
        lambda: with_records(rec(approved_for=["CPMA", "NOPE"])),
        ("$.records[0].approved_for[1]",),
    ),
    "unknown activity": (lambda: with_records(rec(activity="podcast")), ("$.records[0].activity",)),
    "zero ceus": (lambda: with_records(rec(ceus=0)), ("$.records[0].ceus",)),
    "negative ceus": (lambda: with_records(rec(ceus=-2)), ("$.records[0].ceus",)),
    "negative decimal string": (lambda: with_records(rec(ceus="-0.5")), ("$.records[0].ceus",)),
    "non-numeric ceus": (lambda: with_records(rec(ceus="two")), ("$.records[0].ceus",)),
    "boolean ceus": (lambda: with_records(rec(ceus=True)), ("$.records[0].ceus",)),
    "NaN ceus (string)": (lambda: with_records(rec(ceus="NaN")), ("$.records[0].ceus",)),
    "NaN ceus (float)": (lambda: with_records(rec(ceus=float("nan"))), ("$.records[0].ceus",)),
    "infinite ceus": (lambda: with_records(rec(ceus="Infinity")), ("$.records[0].ceus",)),
    "ceus missing": (lambda: with_records(rec(ceus=_DROP)), ("$.records[0].ceus",)),
    "malformed date": (lambda: with_records(rec(date="01/06/2025")), ("$.records[0].date",)),
    "impossible date": (lambda: with_records(rec(date="2025-02-30")), ("$.records[0].date",)),
    "datetime string": (
        lambda: with_records(rec(date="2025-06-01T10:00:00")),
        ("$.records[0].date",),
    ),
    "datetime renewal_due": (
        lambda: {**base(), "renewal_due": "2027-03-31T00:00:00Z"},
        ("$.renewal_due",),
    ),
    "python datetime": (
        lambda: with_records(rec(date=dt.datetime(2025, 6, 1, 10, 0))),
        ("$.records[0].date",),
    ),
    "impossible credential date": (
        lambda: {
            **base(),
            "credentials": [
                {"code": "CPC", "earned": "2016-02-30"},
                {"code": "COC", "earned": "2015-01-01"},
            ],
        },
        ("$.credentials[0].earned",),
    ),
    "duplicate record id": (
        lambda: with_records(rec("a"), rec("b"), rec("a")),
        ("$.records[2].id",),
    ),
    "post-secondary without hours": (
        lambda: with_records(rec(activity="post_secondary", ceus=_DROP, field="health_care")),
        ("$.records[0]", "$.records[0].clock_hours", "$.records[0].credit_hours"),
    ),
    "post-secondary with ceus": (
        lambda: with_records(rec(activity="post_secondary", credit_hours=1, field="health_care")),
        ("$.records[0].ceus",),
    ),
    "post-secondary with clock and credit hours": (
        lambda: with_records(
            rec(
                activity="post_secondary",
                ceus=_DROP,
                credit_hours=1,
                clock_hours=90,
                field="health_care",
            )
        ),
        ("$.records[0]", "$.records[0].clock_hours", "$.records[0].credit_hours"),
    ),
    "clock hours on a course": (
        lambda: with_records(rec(clock_hours=3)),
        ("$.records[0].clock_hours",),
    ),
    "credit hours on a webinar": (
        lambda: with_records(rec(activity="webinar", quiz_passed=True, credit_hours=1)),
        ("$.records[0].credit_hours",),
    ),
    "instructor without teaches": (
        lambda: with_records(rec(activity="instructor", approved=True)),
        ("$.records[0].teaches",),
    ),
    "instructor teaching a specialty": (
        lambda: with_records(rec(activity="instructor", approved=True, teaches="CEMC")),
        ("$.records[0].teaches",),
    ),
    "instructor teaching an unknown code": (
        lambda: with_records(rec(activity="instructor", approved=True, teaches="ZZZ")),
        ("$.records[0].teaches",),
    ),
    "renewal_due before every credential": (
        lambda: {**base(), "renewal_due": "2015-03-31"},
        ("$.renewal_due", "$.credentials"),
    ),
    "no credential held on the period start": (
        lambda: {**base(), "credentials": [{"code": "CPC", "earned": "2025-06-01"}]},
        ("$.credentials", "$.period_start", "$.credentials[0].earned"),
    ),
    "period_start after renewal_due": (
        lambda: {**base(), "period_start": "2027-04-01"},
        ("$.period_start",),
    ),
    "extension_until on the due date": (
        lambda: {**base(), "extension_until": "2027-03-31"},
        ("$.extension_until",),
    ),
    "extension_until before the due date": (
        lambda: {**base(), "extension_until": "2027-01-31"},
        ("$.extension_until",),
    ),
    "renewal_due missing": (
        lambda: {k: v for k, v in base().items() if k != "renewal_due"},
        ("$.renewal_due",),
    ),
    "no credentials": (lambda: {**base(), "credentials": []}, ("$.credentials",)),
    "credential listed twice": (
        lambda: {
            **base(),
            "credentials": [
                {"code": "CPC", "earned": "2016-05-14"},
                {"code": "cpc", "earned": "2017-01-01"},
            ],
        },
        ("$.credentials[1].code", "$.credentials[1]", "$.credentials"),
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_refused_input_names_the_field(case: str) -> None:
    make, acceptable = CASES[case]
    error = refused(make())
    assert len(error.problems) == 1, [str(p) for p in error.problems]
    problem = error.problems[0]
    assert problem.path in acceptable, f"{problem.path!r} not in {acceptable}"
    assert problem.type.strip()
    assert problem.message.strip()
    assert problem.path in str(error)


def test_unknown_credential_problem_type_is_documented() -> None:
    """The Problem docstring promises the ``unknown_credential`` type."""
    error = refused({**base(), "credentials": [{"code": "CPX", "earned": "2016-05-14"}]})
    assert error.problems[0].type == "unknown_credential"
    assert "CPX" in error.problems[0].message


@pytest.mark.parametrize("text", ["not json", "{", "", "{'member_id': 1}"])
def test_text_that_is_not_json_is_refused(text: str) -> None:
    error = refused(text)
    assert paths(error) == ["$"]


@pytest.mark.parametrize("data", ["[1, 2]", "null", "42", [1, 2]])
def test_json_that_is_not_an_object_is_refused(data: Any) -> None:
    error = refused(data)
    assert paths(error) == ["$"]


def test_several_problems_in_several_records_are_all_listed() -> None:
    """Six problems in three records, a duplicate id and an unknown credential: all listed."""
    data = with_records(
        rec("a", ceus="abc", date="2025-02-30"),
        rec("b", activity="podcast", ceus=-1),
        rec("a", approved_for=["NOPE", "CPMA", "ZZZ"]),
        rec("c"),
    )
    data["credentials"].append({"code": "XYZ", "earned": "2019-01-01"})
    error = refused(data)
    assert sorted(paths(error)) == sorted(
        [
            "$.credentials[1].code",
            "$.records[0].ceus",
            "$.records[0].date",
            "$.records[1].activity",
            "$.records[1].ceus",
            "$.records[2].approved_for[0]",
            "$.records[2].approved_for[2]",
            "$.records[2].id",
        ]
    )


def test_several_rule_level_problems_are_all_listed() -> None:
    """Problems that need the rule pack or several fields are listed together too."""
    data = with_records(
        rec("a", activity="instructor", approved=True, teaches="CEMC"),
        rec("b", activity="post_secondary", field="health_care"),  # ceus given, no hours
        rec("c", clock_hours=5),
        rec("a"),
        extension_until="2027-03-01",
    )
    error = refused(data)
    got = paths(error)
    assert "$.records[0].teaches" in got
    assert "$.records[1].ceus" in got
    assert any(p.startswith("$.records[1]") and p != "$.records[1].ceus" for p in got)  # no hours
    assert "$.records[2].clock_hours" in got
    assert "$.records[3].id" in got
    assert "$.extension_until" in got
    assert len(got) == 6


def test_a_record_with_a_structural_and_a_rule_pack_problem_lists_both() -> None:
    """An unknown activity does not hide the same record's unknown approved_for code."""
    error = refused(with_records(rec(activity="podcast", approved_for=["NOPE"])))
    assert sorted(paths(error)) == ["$.records[0].activity", "$.records[0].approved_for[0]"]


def test_a_record_with_a_bad_date_and_misplaced_hours_lists_both() -> None:
    """An impossible date does not hide clock_hours on a non-post-secondary record."""
    error = refused(with_records(rec(date="2025-02-30", clock_hours=3)))
    assert sorted(paths(error)) == ["$.records[0].clock_hours", "$.records[0].date"]


def test_a_credential_with_a_bad_date_and_an_unknown_code_lists_both_and_nothing_else() -> None:
    """Both faults of the one credential are listed; the list is not reported as empty."""
    error = refused({**base(), "credentials": [{"code": "XYZ", "earned": "2016-02-30"}]})
    assert sorted(paths(error)) == ["$.credentials[0].code", "$.credentials[0].earned"]


def test_a_broken_member_field_does_not_hide_record_problems() -> None:
    data = with_records(rec("a"), rec("a", ceus=-1), renewal_due="31/03/2027")
    assert sorted(paths(refused(data))) == ["$.records[1].ceus", "$.records[1].id", "$.renewal_due"]


def test_refusal_is_an_invalid_member_error_a_library_error_and_a_value_error() -> None:
    error = refused(with_records(rec(ceus=-1)))
    assert isinstance(error, InvalidMemberError)
    assert isinstance(error, CEUComplianceError)
    assert isinstance(error, ValueError)
    assert all(p.to_dict().keys() == {"type", "path", "message"} for p in error.problems)


def test_parse_member_refuses_like_evaluate() -> None:
    data = with_records(rec(ceus="x"))
    with pytest.raises(InvalidMemberError) as info:
        parse_member(data, _default_pack())
    assert paths(info.value) == ["$.records[0].ceus"]


# ------------------------------------------------------------------ inputs left as they were


def rich_member() -> dict[str, Any]:
    return with_records(
        rec("r1", ceus="2.50", approved_for=["CPMA"], index_number="  AAPC-1 "),
        rec("r2", activity="post_secondary", ceus=_DROP, credit_hours=1, field="health_care"),
        rec("r3", date="2027-03-10", ceus=6, activity="workshop"),
        credentials=[
            {"code": "CPC", "earned": "2016-05-14"},
            {"code": "CPMA", "earned": "2020-01-01"},
        ],
    )


def test_evaluate_does_not_mutate_the_callers_dict() -> None:
    data = rich_member()
    before = copy.deepcopy(data)
    evaluate(data, as_of=dt.date(2027, 3, 31))
    assert data == before


def test_refusal_does_not_mutate_the_callers_dict() -> None:
    data = with_records(rec("a", ceus=-1), rec("a"))
    before = copy.deepcopy(data)
    refused(data)
    assert data == before


def test_evaluate_leaves_a_member_object_unchanged_and_gives_the_same_report() -> None:
    m = parse_member(rich_member(), _default_pack())
    before = m.model_dump()
    as_member = evaluate(m, as_of=dt.date(2027, 3, 31))
    assert m.model_dump() == before
    assert as_member == evaluate(rich_member(), as_of=dt.date(2027, 3, 31))


def test_json_text_and_bytes_give_the_same_report_as_the_dict() -> None:
    data = rich_member()
    text = json.dumps(data)
    expected = evaluate(data, as_of=AS_OF)
    assert evaluate(text, as_of=AS_OF) == expected
    assert evaluate(text.encode(), as_of=AS_OF) == expected


def test_python_dates_are_accepted_like_iso_strings() -> None:
    data = rich_member()
    data["renewal_due"] = dt.date(2027, 3, 31)
    assert evaluate(data, as_of=AS_OF) == evaluate(rich_member(), as_of=AS_OF)


# ------------------------------------------------------------------ exact decimals


def test_amounts_are_exact_decimals() -> None:
    """0.1 + 0.2 is 0.3 exactly: JSON floats are read through their shortest form."""
    data = with_records(
        rec("a", activity="webinar", quiz_passed=True, ceus=0.1),
        rec("b", activity="webinar", quiz_passed=True, ceus=0.2),
    )
    report = evaluate(data, as_of=AS_OF).model_dump(mode="json")
    assert report["counted_total"] == "0.3"
    assert report["requirements"][0]["shortfall"] == "35.7"


@pytest.mark.parametrize(
    ("given", "shown"),
    [("2.50", "2.5"), ("1E1", "10"), (4.0, "4"), ("0.25", "0.25"), (" 3 ", "3"), (1.5, "1.5")],
)
def test_amounts_are_shown_normalised(given: Any, shown: str) -> None:
    report = evaluate(with_records(rec(ceus=given)), as_of=AS_OF).model_dump(mode="json")
    assert report["records"][0]["claimed"] == shown
    assert report["records"][0]["counted"] == shown


def test_member_model_round_trips() -> None:
    m = parse_member(rich_member(), _default_pack())
    assert isinstance(m, Member)
    assert parse_member(m.model_dump(mode="json"), _default_pack()) == m


# ------------------------------------------------------------------ unknown fields


def with_unknown_fields() -> dict[str, Any]:
    """Five fields no model knows: one on the member, one on a credential, three on records."""
    data = with_records(
        rec("r1", approved_for=["CPMA"]),
        rec("r2", approvedFor=["CPMA"], Quiz_Passed=True),
        rec("r3", internal_ref={"batch": 7}),
        source="LMS export",
    )
    data["credentials"] = [{"code": "CPC", "earned": "2016-05-14", "earnd": "2016-05-14"}]
    return data


UNKNOWN_FIELD_WARNINGS = [
    ("$.source", "unknown field, ignored"),
    ("$.credentials[0].earnd", "unknown field, ignored; did you mean earned?"),
    ("$.records[1].approvedFor", "unknown field, ignored; did you mean approved_for?"),
    ("$.records[1].Quiz_Passed", "unknown field, ignored; did you mean quiz_passed?"),
    ("$.records[2].internal_ref", "unknown field, ignored"),
]


def warnings_of(output: Any) -> list[tuple[str, str]]:
    return [(w.path, w.message) for w in output.warnings]


def test_unknown_fields_are_ignored_with_a_warning_each() -> None:
    """Forward compatible, never silent: the report is the same as without them, plus warnings."""
    report = evaluate(with_unknown_fields(), as_of=AS_OF)
    assert warnings_of(report) == UNKNOWN_FIELD_WARNINGS
    data = report.model_dump(mode="json")
    assert data["warnings"][2] == {
        "path": "$.records[1].approvedFor",
        "message": "unknown field, ignored; did you mean approved_for?",
    }
    known_only = with_records(rec("r1", approved_for=["CPMA"]), rec("r2"), rec("r3"))
    assert report == evaluate(known_only, as_of=AS_OF).model_copy(
        update={"warnings": report.warnings}
    )


def test_a_report_without_unknown_fields_has_an_empty_warnings_list() -> None:
    report = evaluate(rich_member(), as_of=AS_OF)
    assert report.warnings == ()
    assert json.loads(report.to_json())["warnings"] == []


def test_a_member_object_keeps_its_unknown_fields_and_their_warnings() -> None:
    member = parse_member(with_unknown_fields(), _default_pack())
    assert member.model_extra == {"source": "LMS export"}
    assert warnings_of(evaluate(member, as_of=AS_OF)) == UNKNOWN_FIELD_WARNINGS


def test_plans_and_histories_carry_the_warnings() -> None:
    """A plan has the evaluation's warnings; a history has them once and in each period."""
    plan_ = plan(with_unknown_fields(), as_of=AS_OF)
    assert warnings_of(plan_) == UNKNOWN_FIELD_WARNINGS
    history = evaluate_history(with_unknown_fields(), periods=2, as_of=AS_OF)
    assert len(history.periods) == 2
    assert warnings_of(history) == UNKNOWN_FIELD_WARNINGS
    assert all(warnings_of(period) == UNKNOWN_FIELD_WARNINGS for period in history.periods)
    assert json.loads(history.to_json())["warnings"][0]["path"] == "$.source"


@pytest.mark.parametrize("run", ["evaluate", "plan", "evaluate_history", "parse_member"])
def test_strict_refuses_every_unknown_field_with_the_other_problems(run: str) -> None:
    data = with_unknown_fields()
    data["records"].append(rec("r4", ceus=-1))
    calls: dict[str, Callable[..., Any]] = {
        "evaluate": lambda: evaluate(data, as_of=AS_OF, strict=True),
        "plan": lambda: plan(data, as_of=AS_OF, strict=True),
        "evaluate_history": lambda: evaluate_history(data, periods=2, strict=True),
        "parse_member": lambda: parse_member(data, _default_pack(), strict=True),
    }
    with pytest.raises(InvalidMemberError) as info:
        calls[run]()
    problems = info.value.problems
    assert sorted(paths(info.value)) == sorted(
        ["$.records[3].ceus", *(path for path, _ in UNKNOWN_FIELD_WARNINGS)]
    )
    unknown = [p for p in problems if p.type == "unknown_field"]
    assert [(p.path, p.message) for p in unknown][2] == (
        "$.records[1].approvedFor",
        "unknown field, refused (strict); did you mean approved_for?",
    )


def test_strict_accepts_input_without_unknown_fields() -> None:
    assert evaluate(rich_member(), as_of=AS_OF, strict=True) == evaluate(rich_member(), as_of=AS_OF)


@pytest.mark.parametrize(
    ("field", "hint"),
    [
        ("approvedFor", "approved_for"),
        ("APPROVED-FOR", "approved_for"),
        ("index_no", "index_number"),
        ("credit_hour", "credit_hours"),
        ("clockHours", "clock_hours"),
        ("titel", "title"),
        ("comments", None),
        ("x", None),
        ("source_system", None),
    ],
)
def test_did_you_mean_names_a_close_known_field_only(field: str, hint: str | None) -> None:
    report = evaluate(with_records(rec("r1", **{field: 1})), as_of=AS_OF)
    suffix = f"; did you mean {hint}?" if hint else ""
    assert warnings_of(report) == [(f"$.records[0].{field}", "unknown field, ignored" + suffix)]


def test_warnings_are_shown_in_text_markdown_and_html_once_per_history() -> None:
    """Unknown fields are never silent: every rendering lists them, a history once."""
    member = {
        "member_id": "M-9",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2015-01-01"}],
        "records": [
            {
                "id": "r1",
                "date": "2026-01-10",
                "ceus": 36,
                "activity": "course",
                "provider": "AAPC",
                "approvedFor": ["<CPC>"],
            },
        ],
    }
    as_of = dt.date(2026, 6, 1)
    report = evaluate(member, as_of=as_of)
    history = evaluate_history(member, periods=2, as_of=as_of)
    outputs = [
        report.to_text(),
        report.to_markdown(),
        report.to_html(),
        history.to_text(),
        history.to_markdown(),
        history.to_html(),
        plan(member, as_of=as_of).to_text(),
    ]
    for out in outputs:
        assert "Input warnings (accepted but ignored)" in out
        assert out.count("approvedFor") == 1  # Markdown escapes the path's brackets
        assert "did you mean approved" in out
