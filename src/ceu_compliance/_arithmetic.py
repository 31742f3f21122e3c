"""The engine's own decimal arithmetic, whatever the caller's decimal context.

Python's decimal context is per thread and belongs to the caller: a host that
sets ``decimal.getcontext().prec = 3`` would otherwise have 36.25 + 0 CEUs
rounded to 36.2 inside the engine. Every public entry point runs under
:func:`own_arithmetic`, which swaps in :data:`CONTEXT` for the call and gives
the caller's context back afterwards (``decimal.localcontext``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import ParamSpec, TypeVar

# Within the limits (_limits.Limits) an amount has at most 7 + 20 digits; sums of
# 10,000 of them and products with a pack's rates stay far below 100 digits, so
# no sum or product the engine forms is ever rounded.
CONTEXT = Context(
    prec=100,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def own_arithmetic(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run in the engine's decimal context (:data:`CONTEXT`)."""

    @functools.wraps(function)
    def in_own_context(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(CONTEXT):
            return function(*args, **kwargs)

    return in_own_context
