"""``Limits``, and how amounts are read and written within them."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from decimal import Decimal, localcontext
from typing import Any

import pytest

from ceu_compliance import Limits
from ceu_compliance._amounts import decimal_places, format_decimal, parse_amount


def test_the_defaults_are_documented() -> None:
    limits = Limits()
    assert (limits.max_records, limits.max_credentials, limits.max_string_length) == (
        10_000,
        50,
        1_000,
    )
    assert (limits.min_year, limits.max_year) == (1900, 2200)
    assert limits.max_amount == Decimal(1_000_000)
    with pytest.raises(FrozenInstanceError):
        limits.max_records = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"max_records": "10"}, TypeError),
        ({"max_records": True}, TypeError),
        ({"max_amount": 5}, TypeError),
        ({"max_records": 0}, ValueError),
        ({"min_year": 2100, "max_year": 2000}, ValueError),
        ({"max_year": 9999}, ValueError),
        ({"max_periods": 1_000}, ValueError),
    ],
)
def test_limits_refuse_what_the_engine_could_not_keep(fields: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        Limits(**fields)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("16", "16"),
        ("16.0", "16"),
        ("1E+1", "10"),
        ("1E-9", "0.000000001"),
        ("-0", "0"),
        ("0E-5", "0"),
        ("1.50", "1.5"),
        ("-2.5", "-2.5"),
        ("36.25", "36.25"),
    ],
)
def test_amounts_print_as_plain_decimals_in_any_context(value: str, text: str) -> None:
    with localcontext() as ctx:
        ctx.prec = 1
        assert format_decimal(Decimal(value)) == text


@pytest.mark.parametrize("text", ["1_000", "NaN", "Infinity", "\u0661", "1,5", "", "e5", "1e"])
def test_parse_amount_is_stricter_than_decimal(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


def test_decimal_places_ignore_trailing_zeros() -> None:
    assert [decimal_places(Decimal(v)) for v in ("1.50", "1E+3", "0E-5", "0.001", "2")] == [
        1,
        0,
        0,
        3,
        0,
    ]
