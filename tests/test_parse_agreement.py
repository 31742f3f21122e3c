"""parse_member's quick path agrees with its reference on every input (issue 7).

The reference is the original order of the checks: the lists counted, then the
depth walk over the whole input, then the models and the checks that need the
rule pack. ``parse_member`` now validates first and, for a valid member, walks
only the fields no model knows; both must accept the same members and refuse
the rest with the same problems, in the same order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ceu_compliance import InvalidMemberError, Limits, Member, default_rule_pack, parse_member
from ceu_compliance._amounts import decimal_places, format_decimal
from ceu_compliance._errors import Problem, capped
from ceu_compliance._limits import DEFAULT_LIMITS
from ceu_compliance._models import CEURecord, _parse_decimal
from ceu_compliance._validation import (
    _element_problems,
    _from_pydantic,
    _member_problems,
    _plain,
    _plainly_fine,
    _record_problems,
    _refuse,
    _shape_problems,
    _unknown_field,
    _unknown_fields,
)
from test_fuzz import _load

inputs = _load("inputs")
PACK = default_rule_pack()


def _reference_depth(data: Any, limits: Limits) -> Problem | None:
    """The original depth walk: every node of the input."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_json_depth:
            return Problem("too_deep", "$", "")
        if isinstance(node, Mapping):
            stack += [(v, depth + 1) for v in node.values() if isinstance(v, Mapping | list)]
        elif isinstance(node, list | tuple):
            stack += [(v, depth + 1) for v in node if isinstance(v, Mapping | list | tuple)]
    return None


def reference_parse(data: Any, limits: Limits, strict: bool) -> Member:
    raw = _plain(data, limits)
    _refuse(_shape_problems(raw, limits), limits)
    if (too_deep := _reference_depth(raw, limits)) is not None:
        raise InvalidMemberError([too_deep])
    elements = _element_problems(raw, PACK, limits)
    unknown: Iterable[Problem] = ()
    if strict:
        unknown = (
            Problem("unknown_field", path, _unknown_field(name, model, "refused (strict)"))
            for path, name, model in _unknown_fields(raw)
        )
    try:
        member = Member.model_validate(raw, context={"limits": limits})
    except ValidationError as exc:
        problems = chain_all(_from_pydantic(exc), elements, unknown)
        raise InvalidMemberError(capped(problems, limits.max_problems)) from None
    _refuse(chain_all(elements, unknown, _member_problems(member, PACK, limits, None)), limits)
    return member


def chain_all(*parts: Iterable[Problem]) -> Iterable[Problem]:
    for part in parts:
        yield from part


def outcome(parse: Any, data: Any, limits: Limits, strict: bool) -> Any:
    try:
        return parse(data, limits, strict)
    except InvalidMemberError as exc:
        # The reference's depth problem has no message: compare where and what.
        return [(p.type, p.path, "" if p.type == "too_deep" else p.message) for p in exc.problems]


def fast_parse(data: Any, limits: Limits, strict: bool) -> Member:
    return parse_member(data, PACK, limits=limits, strict=strict)


SMALL = Limits(max_json_depth=3, max_credentials=3, max_records=5, max_problems=4)
SHALLOW = Limits(max_json_depth=5)


@given(
    st.one_of(inputs.structured(), inputs.mutated()),
    st.sampled_from([DEFAULT_LIMITS, SMALL, SHALLOW]),
    st.booleans(),
)
def test_parse_member_agrees_with_the_reference(item: Any, limits: Limits, strict: bool) -> None:
    data = item.data
    assert outcome(fast_parse, data, limits, strict) == outcome(
        reference_parse, data, limits, strict
    )


def _member(**record_extra: Any) -> dict[str, Any]:
    record = {"id": "r1", "date": "2026-05-01", "activity": "course", "ceus": "2"}
    return {
        "member_id": "m",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2015-06-01"}],
        "records": [{**record, **record_extra}],
    }


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "data",
    [
        _member(extra=_deep(61)),  # one level within the limit of 64
        _member(extra=_deep(62)),
        {**_member(), "extra": _deep(63)},
        {**_member(), "extra": _deep(64)},
        # Records given as a tuple: the walk never entered them, nor does the quick one.
        {**_member(extra=_deep(80)), "records": tuple(_member(extra=_deep(80))["records"])},
        # A record given as a model: a leaf to the walk.
        {
            **_member(),
            "records": [CEURecord.model_validate({**_member()["records"][0], "extra": _deep(80)})],
        },
        # A tuple inside an object is a leaf; inside a list it is walked.
        _member(extra=(_deep(80),)),
        _member(extra=[tuple(_deep(80))]),
    ],
)
def test_unknown_fields_nesting_at_the_limit(data: Any) -> None:
    for given_as in (data, json.dumps(data, default=str) if isinstance(data, dict) else data):
        assert outcome(fast_parse, given_as, DEFAULT_LIMITS, False) == outcome(
            reference_parse, given_as, DEFAULT_LIMITS, False
        )


def test_the_quick_depth_walk_still_refuses() -> None:
    with pytest.raises(InvalidMemberError) as refused:
        parse_member(_member(extra=_deep(62)), PACK)
    assert [p.type for p in refused.value.problems] == ["too_deep"]
    assert parse_member(_member(extra=_deep(61)), PACK).records[0].model_extra is not None
    assert dt.date(2027, 3, 31) == parse_member(_member(), PACK).renewal_due


def _reference_amount(value: Decimal) -> Decimal | str:
    """The original last steps of reading an amount: every one laid out again."""
    if abs(value) > DEFAULT_LIMITS.max_amount:
        return "over"
    if decimal_places(value) > DEFAULT_LIMITS.max_decimal_places:
        return "places"
    return Decimal(format_decimal(value))


@given(
    st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False),
        st.decimals(min_value=-(10**7), max_value=10**7, places=22, allow_nan=False),
        st.sampled_from([Decimal(t) for t in ("-0", "0.0", "-0.00", "1E+2", "1.50", "5E-21")]),
    )
)
def test_an_amount_kept_as_given_is_the_one_laid_out_again(value: Decimal) -> None:
    class Info:
        context = None

    try:
        read: Decimal | str = _parse_decimal(value, Info())  # type: ignore[arg-type]
    except ValueError as exc:
        read = "over" if "Limits.max_amount" in str(exc) else "places"
    expected = _reference_amount(value)
    assert read == expected
    if isinstance(read, Decimal):
        assert isinstance(expected, Decimal) and read.as_tuple() == expected.as_tuple()


@given(
    st.one_of(
        inputs.record_like, st.builds(lambda r: {**r, "activity": "course"}, inputs.record_like)
    )
)
def test_a_record_passed_as_plainly_fine_has_nothing_to_say(record: dict[str, Any]) -> None:
    if _plainly_fine(record, PACK.codes_as_written):
        assert list(_record_problems(0, record, PACK, DEFAULT_LIMITS)) == []
