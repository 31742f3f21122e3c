"""CEU amounts: how they are read and written, and how the LP's exact fractions become decimals.

A leaf module (it imports nothing of the package), so that every layer, the
renderers included, can use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache


def format_decimal(value: Decimal) -> str:
    """A CEU amount as the JSON format writes it: ``16``, ``1.5``, ``0.000000001``.

    Never ``16.0``, ``1E+1`` or ``1E-9``, and the same whatever the caller's decimal
    context: the digits are laid out by hand, without context arithmetic.
    """
    if not value.is_finite():
        return str(value)  # NaN and infinities: refused on input, never formatted
    return _format_finite(value)


# The text depends on the amount only (1.5 and 1.50 are written alike, and they are
# one key), and every report writes the same few amounts over and over.
@lru_cache(maxsize=4096)
def _format_finite(value: Decimal) -> str:
    sign, digit_tuple, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return "0"
    if exponent < 0:
        kept = digits.rstrip("0")
        exponent += len(digits) - len(kept)
        digits = kept
    if exponent >= 0:
        text = digits + "0" * exponent
    else:
        places = -exponent
        padded = digits.rjust(places + 1, "0")
        text = f"{padded[:-places]}.{padded[-places:]}"
    return f"-{text}" if sign else text


_AMOUNT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def parse_amount(text: str) -> Decimal:
    """A decimal written as JSON or in a decimal string: ``16``, ``1.5``, ``2e1``.

    Stricter than ``Decimal()``: no ``_`` digit separators, no ``NaN`` or
    ``Infinity``, ASCII digits only.

    Raises:
        ValueError: ``text`` is not such a number.
    """
    if not _AMOUNT.fullmatch(text):
        raise ValueError("not a decimal number")
    return Decimal(text)


def decimal_places(value: Decimal) -> int:
    """Digits after the point that matter: 2 for ``1.50``, 0 for ``1E+3``."""
    _, digit_tuple, exponent = value.as_tuple()
    digits = "".join(map(str, digit_tuple))
    if not isinstance(exponent, int) or exponent >= 0 or not digits.strip("0"):
        return 0
    return max(0, -(exponent + len(digits) - len(digits.rstrip("0"))))


def ceus(amount: Decimal) -> str:
    """``1 CEU``, ``2 CEUs``, ``0.5 CEUs``."""
    return f"{format_decimal(amount)} CEU{'' if amount == 1 else 's'}"


def plural(count: int, noun: str) -> str:
    """``1 credential``, ``2 credentials``, ``0 periods``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def decimal_of(value: Fraction, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """An exact LP value as a CEU amount.

    Exact whenever ``value`` has a finite decimal form (the inputs are decimals,
    so it almost always has); otherwise rounded to 0.000001 CEU by ``rounding``.
    """
    exact = _finite(value)
    if exact is not None:
        return exact
    with localcontext() as ctx:
        ctx.prec = 60
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(exact) != value:
            exact = exact.quantize(Decimal("0.000001"), rounding=rounding)
    return Decimal(format_decimal(exact))


def _finite(value: Fraction) -> Decimal | None:
    return exact_decimal(value.numerator, value.denominator)


@lru_cache(maxsize=4096)  # the same few amounts recur in every report
def exact_decimal(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` as a decimal without trailing zeros, or None if it has no
    finite form.

    Whole-number arithmetic only, so no decimal context can round it: a
    denominator ``2**a * 5**b`` divides ``10**max(a, b)``.
    """
    if numerator % denominator == 0:
        return Decimal(numerator // denominator)
    twos = (denominator & -denominator).bit_length() - 1
    rest, fives = denominator >> twos, 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return None
    places = max(twos, fives)
    digits = numerator * (10**places // denominator)
    while places and digits % 10 == 0:
        digits //= 10
        places -= 1
    return Decimal(digits) if not places else Decimal(f"{digits}E-{places}")


@dataclass
class Rounder:
    """:func:`decimal_of` that remembers what it had to round, for a note saying so."""

    rounding: str = ROUND_HALF_EVEN
    rounded: list[str] = field(default_factory=list)

    def __call__(self, value: Fraction | Decimal) -> Decimal:
        if isinstance(value, Decimal):
            return value
        exact = _finite(value)
        if exact is not None:
            return exact
        out = decimal_of(value, self.rounding)
        if Fraction(out) != value:
            self.rounded.append(format_decimal(out))
        return out

    def notes(self) -> list[str]:
        if not self.rounded:
            return []
        return [
            "Some amounts have no exact decimal form and are shown rounded to 0.000001 CEU: "
            + ", ".join(self.rounded)
        ]
