"""LP values become CEU amounts exactly, or rounded with a note saying so."""

from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from ceu_compliance._amounts import Rounder, decimal_of, format_decimal


def test_a_finite_decimal_is_kept_exactly() -> None:
    assert decimal_of(Fraction(5, 2)) == Decimal("2.5")
    assert decimal_of(Fraction(1, 8)) == Decimal("0.125")
    assert format_decimal(decimal_of(Fraction(40))) == "40"


def test_a_third_is_rounded_to_a_millionth() -> None:
    assert decimal_of(Fraction(16, 3)) == Decimal("5.333333")
    assert decimal_of(Fraction(16, 3), ROUND_CEILING) == Decimal("5.333334")


def test_the_rounder_notes_only_what_it_rounded() -> None:
    rounder = Rounder()
    assert rounder(Fraction(3, 2)) == Decimal("1.5")
    assert rounder.notes() == []
    rounder(Fraction(2, 3))
    [note] = rounder.notes()
    assert "0.666667" in note
