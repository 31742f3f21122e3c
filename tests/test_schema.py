"""The schema is the contract: Draft 2020-12, and it refuses what the engine refuses.

Checked with the ``jsonschema`` package (a test dependency only): the bundled
examples, the scenario members and 1,000 generated members validate; a set of
bad members is refused by both the schema and the engine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from ceu_compliance import InvalidMemberError, Limits, evaluate, json_schema
from ceu_compliance._cli import SCHEMAS, example_members
from ceu_compliance._models import SCHEMA_VERSION, CEURecord, HeldCredential, Member
from ceu_compliance._schema import _AMOUNTS, _CODES, _DATES, _LISTS, _TEXTS, _year_pattern
from conftest import SCENARIO_DIR, interchange_member
from strategies import Case, cases

AS_OF = dt.date(2027, 4, 15)
SMALL = Limits(max_records=3, max_credentials=3, max_string_length=20)


def validator(limits: Limits | None = None) -> Draft202012Validator:
    schema = json_schema("member", limits=limits)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


MEMBER = validator()


def errors(data: Any, checker: Draft202012Validator = MEMBER) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in checker.iter_errors(data)]


# ------------------------------------------------------------------ the schemas themselves


@pytest.mark.parametrize("kind", ["member", "report", "plan", "history", "explanation"])
def test_every_schema_is_draft_2020_12_with_an_id_and_a_version(kind: Any) -> None:
    schema = json_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:ceu-compliance:schema:{SCHEMA_VERSION}:{kind}"
    assert SCHEMA_VERSION in schema["$comment"]


def _keys(node: Any) -> Iterator[str]:
    """Every keyword of a schema (the names under ``properties`` and ``$defs`` are not)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            named = key in ("properties", "$defs")
            for sub in value.values() if named else [value]:
                yield from _keys(sub)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


@pytest.mark.parametrize("kind", ["member", "report", "plan", "history", "explanation"])
def test_no_schema_has_a_non_standard_bound(kind: Any) -> None:
    assert not {"gt", "ge", "lt", "le"} & set(_keys(json_schema(kind)))


def test_the_command_prints_the_same_schemas() -> None:
    for kind, schema in SCHEMAS.items():
        assert schema() == json_schema(kind)  # type: ignore[arg-type]


def test_every_input_field_has_its_checks() -> None:
    """Each field of the input models is a date, an amount, a text, a code, a list or a bool."""
    kinds = _DATES | _AMOUNTS | _TEXTS | _CODES | set(_LISTS) | {"activity", "topics"}
    for model in (Member, HeldCredential, CEURecord):
        for name, field in model.model_fields.items():
            assert name in kinds or field.annotation in (bool, bool | None), (model, name)


@pytest.mark.parametrize(
    ("first", "last"), [(1900, 2200), (1995, 2003), (2000, 2000), (1999, 2010), (1000, 9000)]
)
def test_the_year_pattern_takes_exactly_the_years(first: int, last: int) -> None:
    import re

    pattern = re.compile(f"(?:{_year_pattern(first, last)})")
    taken = {year for year in range(1000, 10000) if pattern.fullmatch(str(year))}
    assert taken == set(range(first, last + 1))


# ------------------------------------------------------------------ good members validate


def test_the_bundled_examples_and_scenarios_validate() -> None:
    members = [json.loads(text) for _, text in example_members()]
    members += [
        json.loads(path.read_text(encoding="utf-8"))["member"]
        for path in sorted(SCENARIO_DIR.glob("*.json"))
    ]
    members.append(interchange_member())
    for data in members:
        assert errors(data) == [], data["member_id"]


@settings(max_examples=1_000, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_1000_generated_members_validate(case: Case) -> None:
    evaluate(case.member, as_of=case.as_of)  # the engine accepts it...
    assert errors(case.member) == []  # ...and so does the schema


# ------------------------------------------------------------------ bad members are refused by both


def _member(**fields: Any) -> dict[str, Any]:
    data = interchange_member()
    return {**data, **fields}


def _record(index: int, **fields: Any) -> dict[str, Any]:
    data = interchange_member()
    data["records"][index] = {**data["records"][index], **fields}
    return data


def _without(index: int, *names: str, **fields: Any) -> dict[str, Any]:
    data = _record(index, **fields)
    for name in names:
        del data["records"][index][name]
    return data


BAD: dict[str, dict[str, Any]] = {
    "negative CEUs": _record(0, ceus=-2),
    "zero CEUs": _record(0, ceus=0),
    "zero CEUs as a string": _record(0, ceus="0.0"),
    "negative CEUs as a string": _record(0, ceus="-2"),
    "digit separators": _record(0, ceus="1_000"),
    "an amount over the limit": _record(0, ceus=1e308),
    "an amount string over the limit": _record(0, ceus="1000001"),
    "too many decimal places": _record(0, ceus="1." + "1" * 21),
    "an unknown credential": _member(credentials=[{"code": "XYZ", "earned": "2016-05-14"}]),
    "an unknown approval": _record(0, approved_for=["XYZ"]),
    "an unknown activity": _record(0, activity="lecture"),
    "a date that is no date": _record(0, date="2026-02-30"),
    "a date in year 9999": _member(renewal_due="9999-12-31"),
    "a date before 1900": _record(0, date="1899-12-31"),
    "no member id": {k: v for k, v in interchange_member().items() if k != "member_id"},
    "an empty member id": _member(member_id=""),
    "no credentials": _member(credentials=[]),
    "a string for a list": _member(credentials="CPC"),
    "post-secondary with CEUs": _record(1, ceus=3),
    "post-secondary without hours": _without(1, "credit_hours"),
    "post-secondary with both hours": _record(1, clock_hours=80),
    "CEUs missing": _without(0, "ceus"),
    "hours on a webinar": _record(0, clock_hours=5),
    "an instructor without teaches": _without(2, "teaches"),
    "an instructor teaching a specialty": _record(2, teaches="CEMC"),
    "a bool that is a string": _record(0, quiz_passed="yes please"),
}


@pytest.mark.parametrize("data", BAD.values(), ids=BAD)
def test_a_bad_member_is_refused_by_the_schema_and_the_engine(data: dict[str, Any]) -> None:
    assert errors(data), "the schema accepted it"
    with pytest.raises(InvalidMemberError):
        evaluate(data, as_of=AS_OF)


LIMITED: dict[str, dict[str, Any]] = {
    "too many records": _member(
        records=[{**interchange_member()["records"][0], "id": f"r{n}"} for n in range(4)]
    ),
    "too many credentials": _member(
        credentials=[
            {"code": code, "earned": "2016-05-14"} for code in ("CPC", "CPMA", "CEMC", "CCC")
        ]
    ),
    "too many approvals": _record(0, approved_for=["CPC", "CPMA", "CEMC", "CCC"]),
    "a long title": _record(0, title="x" * 21),
}


@pytest.mark.parametrize("data", LIMITED.values(), ids=LIMITED)
def test_the_schema_says_the_limits_it_is_made_with(data: dict[str, Any]) -> None:
    assert errors(data) == []  # within the default limits
    assert errors(data, validator(SMALL)), "the schema accepted it"
    with pytest.raises(InvalidMemberError):
        evaluate(data, as_of=AS_OF, limits=SMALL)
    evaluate(data, as_of=AS_OF)
