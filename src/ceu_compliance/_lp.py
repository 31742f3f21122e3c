"""Exact linear programming over :class:`fractions.Fraction`.

Assigning CEUs (continuing education units) to requirements gives small
linear programs. Their answers are compared with Decimal CEU totals, so the
rounding in a floating-point solver could turn "exactly 12.5 hours" into
12.499999 and flip a compliance verdict. This module solves them exactly
instead, with a dense two-phase primal simplex method on a tableau of
Fractions.

Pivots follow Bland's rule: both the entering column and the leaving row are
picked by smallest index. This means the method always finishes, even on
degenerate problems (R. G. Bland, "New finite pivoting rules for the simplex
method", Mathematics of Operations Research 2(2):103-107, 1977). Every choice
depends only on positions in the caller's ``variables`` and ``constraints``,
never on hash order, so the same input always gives the same optimal vertex.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

Sense = Literal["<=", ">=", "=="]

_ZERO = Fraction(0)
_FLIPPED: dict[Sense, Sense] = {"<=": ">=", ">=": "<=", "==": "=="}


@dataclass(frozen=True)
class Constraint:
    """The linear constraint ``sum(coefficient * variable) <sense> rhs``."""

    coefficients: Mapping[Any, Fraction]
    sense: Sense
    rhs: Fraction


@dataclass(frozen=True)
class Solution:
    """An optimal point. ``values`` lists every variable, including zeros."""

    value: Fraction
    values: Mapping[Any, Fraction]


class Infeasible(Exception):
    """Raised when no point satisfies all of the constraints."""


def maximize(
    variables: Sequence[Hashable],
    objective: Mapping[Any, Fraction],
    constraints: Sequence[Constraint],
) -> Solution:
    """Maximise ``objective`` subject to ``constraints`` and all variables >= 0.

    Coefficients may be ints or Fractions. If several points are optimal, the
    one returned depends only on the order of ``variables`` and
    ``constraints``.

    Raises:
        Infeasible: no point satisfies the constraints.
        ValueError: the objective is unbounded, or a variable is repeated in
            ``variables`` or is used without being listed there.
    """
    known = set(variables)
    if len(known) != len(variables):
        raise ValueError("duplicate variable")
    for mapping in (objective, *(c.coefficients for c in constraints)):
        for name in mapping:
            if name not in known:
                raise ValueError(f"unknown variable {name!r}")

    # Phase 1 starts from the point x = 0. For that, every right-hand side
    # must be >= 0, so rows with a negative rhs are negated.
    rows: list[tuple[list[Fraction], Sense, Fraction]] = []
    for constraint in constraints:
        coefficients = [Fraction(constraint.coefficients.get(v, 0)) for v in variables]
        sense, rhs = constraint.sense, Fraction(constraint.rhs)
        if sense not in _FLIPPED:
            raise ValueError(f"unknown sense {sense!r}")
        if rhs < 0:
            coefficients = [-a for a in coefficients]
            sense, rhs = _FLIPPED[sense], -rhs
        rows.append((coefficients, sense, rhs))

    # Columns, in order: the caller's variables, one slack or surplus per
    # inequality, and one artificial per row that a slack cannot start off
    # feasibly (">=" and "=="). The final entry of each row is its rhs.
    n = len(variables)
    first_artificial = n + sum(sense != "==" for _, sense, _ in rows)
    width = first_artificial + sum(sense != "<=" for _, sense, _ in rows)
    tableau: list[list[Fraction]] = []
    basis: list[int] = []
    next_slack, next_artificial = n, first_artificial
    for coefficients, sense, rhs in rows:
        row = coefficients + [_ZERO] * (width - n) + [rhs]
        if sense == "<=":
            row[next_slack] = Fraction(1)
            basis.append(next_slack)
            next_slack += 1
        else:
            if sense == ">=":
                row[next_slack] = Fraction(-1)
                next_slack += 1
            row[next_artificial] = Fraction(1)
            basis.append(next_artificial)
            next_artificial += 1
        tableau.append(row)

    # Each objective row holds reduced costs, and minus the current objective
    # value in its rhs slot. Phase 2's row is carried through phase 1 so that
    # its reduced costs are already correct for the phase-1 basis when it
    # takes over.
    costs = [Fraction(objective.get(v, 0)) for v in variables]
    tableau.append(costs + [_ZERO] * (width - n + 1))
    # Phase 1 maximises -(sum of artificials). The artificials start out
    # basic, so their rows are added in to give them zero reduced cost.
    artificials = width - first_artificial
    phase1 = [_ZERO] * first_artificial + [Fraction(-1)] * artificials + [_ZERO]
    for row, column in zip(tableau, basis, strict=False):
        if column >= first_artificial:
            phase1 = [p + a for p, a in zip(phase1, row, strict=False)]
    tableau.append(phase1)

    _optimise(tableau, basis)
    if tableau.pop()[-1] != 0:
        raise Infeasible("no point satisfies all constraints")

    # An artificial can still be basic here, with value zero. Pivot it out on
    # any other column: the pivot row's rhs is zero, so the sign of the pivot
    # element does not matter. If the row has no other nonzero entry, it was
    # a combination of the other rows, and it is dropped. Rows are visited
    # from the bottom up, so a deletion never shifts a row still to be seen.
    for r in reversed(range(len(basis))):
        if basis[r] >= first_artificial:
            nonzero = (j for j in range(first_artificial) if tableau[r][j] != 0)
            replacement = next(nonzero, None)
            if replacement is None:
                del tableau[r], basis[r]
            else:
                _pivot(tableau, basis, r, replacement)
    tableau = [row[:first_artificial] + row[-1:] for row in tableau]

    _optimise(tableau, basis)
    values = dict.fromkeys(variables, _ZERO)
    for row, column in zip(tableau, basis, strict=False):
        if column < n:
            values[variables[column]] = row[-1]
    return Solution(value=-tableau[-1][-1], values=values)


def _optimise(tableau: list[list[Fraction]], basis: list[int]) -> None:
    """Pivot until the objective in the last row of ``tableau`` is optimal.

    The first ``len(basis)`` rows are constraints. The rows after them are
    objectives, all kept up to date by each pivot. Ties in the ratio test go
    to the smallest basic column, as Bland's rule requires.
    """
    while True:
        improving = (j for j, cost in enumerate(tableau[-1][:-1]) if cost > 0)
        entering = next(improving, None)
        if entering is None:
            return
        candidates = [
            (tableau[r][-1] / tableau[r][entering], basis[r], r)
            for r in range(len(basis))
            if tableau[r][entering] > 0
        ]
        if not candidates:
            raise ValueError("unbounded")
        _, _, leaving = min(candidates)
        _pivot(tableau, basis, leaving, entering)


def _pivot(tableau: list[list[Fraction]], basis: list[int], r: int, column: int) -> None:
    """Make ``column`` basic in row ``r`` and remove it from every other row."""
    pivot = tableau[r][column]
    pivot_row = [a / pivot if a else a for a in tableau[r]]
    tableau[r] = pivot_row
    for i, row in enumerate(tableau):
        if i != r and row[column] != 0:
            factor = row[column]
            # Tableaus here are sparse: skipping zero entries avoids most Fraction work.
            tableau[i] = [a - factor * p if p else a for a, p in zip(row, pivot_row, strict=True)]
    basis[r] = column
