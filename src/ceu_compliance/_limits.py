"""How big and how strange an input may be: the limits every entry point enforces.

A leaf module (it imports nothing of the package). Past a limit the input is
refused with a problem saying which limit and how to change it; within the
limits every call ends within the bound docs/reliability.md documents.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class Limits:
    """The limits on one evaluation's input; pass ``limits=Limits(...)`` to raise or lower one.

    The defaults are safe for a service that takes member JSON from anyone
    (docs/reliability.md): a real member is far inside every one of them.
    """

    max_records: int = 10_000
    """CEU records per member."""
    max_credentials: int = 50
    """Credentials per member, and items per ``approved_for`` or ``topics`` list."""
    max_string_length: int = 1_000
    """Characters in any string of the input (ids, titles, providers, codes)."""
    max_amount: Decimal = Decimal(1_000_000)
    """Largest CEU amount, hour count or ``required_total_override``."""
    max_decimal_places: int = 20
    """Digits after the decimal point of an amount; more are refused, never rounded."""
    min_year: int = 1900
    """Earliest year of any date, ``as_of`` included."""
    max_year: int = 2200
    """Latest year of any date, ``as_of`` included."""
    max_period_months: int = 48
    """Longest renewal period an explicit ``period_start`` may make."""
    max_periods: int = 10
    """Most periods one history (``evaluate_history``) evaluates."""
    max_json_depth: int = 64
    """Deepest nesting of arrays and objects in the input."""
    max_document_bytes: int = 16 * 1024 * 1024
    """Longest JSON text: bytes, or characters when given as ``str`` (16 MiB)."""
    max_problems: int = 100
    """Problems listed in one refusal; the rest are counted in a last problem."""
    max_echo_length: int = 40
    """Characters of an input value (or key) quoted in a message or a path; longer ones are cut."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            kind = Decimal if f.name == "max_amount" else int
            if isinstance(value, bool) or not isinstance(value, kind):
                raise TypeError(f"Limits.{f.name} must be {kind.__name__}, not {value!r}")
            if value <= 0:
                raise ValueError(f"Limits.{f.name} must be positive, not {value}")
        # Past these, the period and deadline arithmetic would leave Python's years 1-9999.
        if not 1000 <= self.min_year <= self.max_year <= 9000:
            raise ValueError("Limits needs 1000 <= min_year <= max_year <= 9000")
        if self.max_periods > 100 or self.max_period_months > 1200:
            raise ValueError("Limits.max_periods is at most 100, max_period_months at most 1200")


DEFAULT_LIMITS = Limits()


def check_limits(limits: object) -> Limits:
    """``limits``, or the defaults for ``None``; a TypeError for anything else."""
    if limits is None:
        return DEFAULT_LIMITS
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a ceu_compliance.Limits, not {type(limits).__name__}")
    return limits
