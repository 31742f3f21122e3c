"""Exact lexicographic linear programs: HiGHS proposes, rationals decide.

A :class:`StagedProgram` is maximised one objective at a time; after each
stage it is restricted to that objective's optimal face, so the next stage
breaks the remaining ties. Every stage's answer is exact:

1. HiGHS (a floating-point simplex) solves the stage;
2. its primal values and row duals are read as small rationals (or, for amounts
   past a float's precision, the point is rebuilt exactly from HiGHS's basis,
   :meth:`_Highs.vertex`) and checked in exact arithmetic: the point satisfies
   every bound and row, and with the duals it satisfies complementary
   slackness, which proves it optimal;
3. the optimal face is then pinned down exactly from the same certificate:
   a column with a nonzero reduced cost keeps its value, a row with a nonzero
   dual stays tight (any point of the face has the same objective value);
4. if the check fails, or HiGHS is not installed, the stage is solved by the
   exact Fraction simplex (``_lp``) instead and counted in :data:`FALLBACKS`.

So a floating-point tolerance can make a stage slower, never wrong.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ._lp import Constraint, maximize

_highs: Any
np: Any
try:
    import numpy as np

    # The plain binding: unlike highspy.Highs it prints no banner to stdout once
    # output_flag is off, which matters to a CLI whose stdout is JSON.
    from highspy import _core as _highs
except ImportError:  # pragma: no cover - the "highs" extra is not installed
    _highs = np = None

Number = int | Fraction

# Largest denominator a HiGHS value may have when read back as a rational. The
# programs' data are whole units and their vertices have small denominators;
# anything else fails the exact check and goes to the exact simplex.
_DENOMINATOR = 1 << 12
# Rounds of iterative refinement of a basis's point: each gains about 15 digits, so
# four reach whole units from any amount the limits allow (1e6 CEUs to 20 places).
_REFINEMENTS = 4
# The fixed point of the refinement (finer than any step it keeps), and how near a
# whole unit a refined value reads as that unit (the certificate checks it anyway).
_GRID = 1 << 64
_NEAR_WHOLE = _GRID >> 30


class _Counter:
    """Stages solved by the exact simplex because the HiGHS answer failed the check."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


FALLBACKS = _Counter()


@dataclass
class Row:
    """``lower <= sum(coefficients[j] * x[j]) <= upper`` (a missing side is unbounded)."""

    coefficients: dict[int, int]
    lower: Number | None
    upper: Number | None


class StagedProgram:
    """Maximise objectives one after another over ``lower <= x <= upper`` and ``rows``.

    ``use_highs=False`` solves every stage with the exact simplex (the reference).
    """

    def __init__(
        self,
        lower: Sequence[Number],
        upper: Sequence[Number | None],
        rows: Sequence[Row],
        *,
        use_highs: bool = True,
    ) -> None:
        self.lower: list[Number] = list(lower)
        self.upper: list[Number | None] = list(upper)
        self.rows: list[Row] = list(rows)
        self.values: list[Fraction] = [Fraction(0)] * len(self.lower)
        self._highs = _Highs(self) if use_highs and _highs is not None else None

    def add_column(self, lower: Number, upper: Number | None) -> int:
        """A new column, in no row yet; returns its index."""
        self.lower.append(lower)
        self.upper.append(upper)
        self.values.append(Fraction(0))
        if self._highs:
            self._highs.add_column(lower, upper)
        return len(self.lower) - 1

    def fixed(self, j: int) -> bool:
        return self.upper[j] == self.lower[j]

    def fix(self, j: int, value: Number) -> None:
        self.lower[j] = self.upper[j] = value
        if self._highs:
            self._highs.bounds(j)

    def add_row(self, row: Row) -> None:
        self.rows.append(row)
        if self._highs:
            self._highs.add_row(row)

    def maximize(self, objective: Mapping[int, int]) -> Fraction:
        """The exact optimum of ``objective``; the program keeps only its optimal face."""
        if self._highs:
            found = self._certified(objective)
            if found:
                point, duals, certificate = found
                self._restrict(point, duals, *certificate)
                return _value(objective, point)
            FALLBACKS.add()
        value, point = self._exact(objective)
        self.values = point
        self.add_row(Row(dict(objective), value, None))
        return value

    def peek(self, objective: Mapping[int, int]) -> Fraction:
        """The exact optimum of ``objective``, leaving the program as it was."""
        if self._highs:
            found = self._certified(objective)
            if found:
                return _value(objective, found[0])
            FALLBACKS.add()
        return self._exact(objective)[0]

    # ------------------------------------------------------------ exact checks

    def _certified(
        self, objective: Mapping[int, int]
    ) -> tuple[list[Fraction], list[Fraction], tuple[list[int], list[Fraction]]] | None:
        """HiGHS's optimal point and duals with their exact certificate, or None.

        HiGHS's values read back as rationals are usually the vertex itself;
        when they are not (amounts past a float's precision), the vertex is
        rebuilt exactly from HiGHS's basis, which costs more, so it comes second.
        """
        assert self._highs is not None
        found = self._highs.solve(objective)
        if found is None:
            return None
        rounded, duals = found
        if rounded is not None:
            certificate = self._certify(objective, rounded, duals)
            if certificate is not None:
                return rounded, duals, certificate
        point = self._highs.vertex()
        certificate = None if point is None else self._certify(objective, point, duals)
        return None if point is None or certificate is None else (point, duals, certificate)

    def _certify(
        self, objective: Mapping[int, int], point: list[Fraction], duals: list[Fraction]
    ) -> tuple[list[int], list[Fraction]] | None:
        """The reduced costs and row levels proving ``point`` optimal with ``duals``, or None.

        In whole numbers: the point is scaled by the common denominator of its
        values, the duals by theirs, so no Fraction is built per coefficient.
        """
        per_point = math.lcm(*(v.denominator for v in point))
        whole = [v.numerator * (per_point // v.denominator) for v in point]
        for j, value in enumerate(whole):
            upper = self.upper[j]
            if _compare(value, per_point, self.lower[j]) < 0 or (
                upper is not None and _compare(value, per_point, upper) > 0
            ):
                return None
        activity: list[Fraction] = []
        for row, dual in zip(self.rows, duals, strict=True):
            scaled = sum(a * whole[j] for j, a in row.coefficients.items())
            below = 1 if row.lower is None else _compare(scaled, per_point, row.lower)
            above = -1 if row.upper is None else _compare(scaled, per_point, row.upper)
            if below < 0 or above > 0:
                return None
            # Complementary slackness: a row with a dual holds at the bound it prices.
            if (dual > 0 and above != 0) or (dual < 0 and below != 0):
                return None
            activity.append(Fraction(scaled, per_point) if dual else _UNPRICED)
        # Reduced costs, objective minus priced rows, in 1/per_dual (all whole).
        per_dual = math.lcm(*(y.denominator for y in duals if y))
        reduced = [0] * len(point)
        for j, cost in objective.items():
            reduced[j] = cost * per_dual
        for row, dual in zip(self.rows, duals, strict=True):
            if dual:
                y = dual.numerator * (per_dual // dual.denominator)
                for j, a in row.coefficients.items():
                    reduced[j] -= a * y
        for j, cost in enumerate(reduced):
            if cost > 0:
                upper = self.upper[j]
                if upper is None or _compare(whole[j], per_point, upper) != 0:
                    return None
            elif cost < 0 and _compare(whole[j], per_point, self.lower[j]) != 0:
                return None
        return reduced, activity

    def _restrict(
        self,
        point: list[Fraction],
        duals: list[Fraction],
        reduced: list[int],
        activity: list[Fraction],
    ) -> None:
        """Keep the optimal face: every optimal point agrees where the certificate prices."""
        for j, cost in enumerate(reduced):
            if cost and not self.fixed(j):
                self.fix(j, point[j])
        for i, (row, dual) in enumerate(zip(self.rows, duals, strict=True)):
            if dual and row.lower != row.upper:
                row.lower = row.upper = activity[i]
                if self._highs:
                    self._highs.row_bounds(i)
        self.values = point

    def _exact(self, objective: Mapping[int, int]) -> tuple[Fraction, list[Fraction]]:
        """The stage by the exact simplex: the optimum and an optimal point."""
        variables = list(range(len(self.lower)))
        constraints = []
        for j in variables:
            if self.lower[j]:
                constraints.append(Constraint({j: Fraction(1)}, ">=", Fraction(self.lower[j])))
            upper = self.upper[j]
            if upper is not None:
                constraints.append(Constraint({j: Fraction(1)}, "<=", Fraction(upper)))
        for row in self.rows:
            coefficients = {j: Fraction(a) for j, a in row.coefficients.items()}
            if row.lower is not None and row.lower == row.upper:
                constraints.append(Constraint(coefficients, "==", Fraction(row.lower)))
                continue
            if row.lower is not None:
                constraints.append(Constraint(coefficients, ">=", Fraction(row.lower)))
            if row.upper is not None:
                constraints.append(Constraint(coefficients, "<=", Fraction(row.upper)))
        goal = {j: Fraction(a) for j, a in objective.items()}
        solution = maximize(variables, goal, constraints)
        return solution.value, [solution.values[j] for j in variables]


class _Highs:
    """A HiGHS model kept in step with a :class:`StagedProgram` (floats; never trusted)."""

    def __init__(self, program: StagedProgram) -> None:
        assert _highs is not None
        self.program = program
        # HiGHS takes a bound past 1e20 for infinite, and tolerances are absolute:
        # amounts with many decimals (1e21 units for 40 CEUs to 19 places) are
        # given to it divided by a power of two, which floats divide exactly.
        bounds: list[Number | None] = [*program.lower, *program.upper]
        bounds += [v for r in program.rows for v in (r.lower, r.upper)]
        largest = max((math.ceil(abs(Fraction(v))) for v in bounds if v is not None), default=0)
        self.scale = 1 << max(0, largest.bit_length() - 20)
        self._values: Sequence[float] = ()  # the last solution's columns, as HiGHS gave them
        h = self.h = _highs._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        n = len(program.lower)
        lp = _highs.HighsLp()
        lp.num_col_ = n
        lp.num_row_ = 0
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.array([self._float(v, 0.0) for v in program.lower])
        lp.col_upper_ = np.array([self._float(v, _highs.kHighsInf) for v in program.upper])
        lp.sense_ = _highs.ObjSense.kMaximize
        self.usable = h.passModel(lp) == _highs.HighsStatus.kOk
        self._add_rows(program.rows)

    def _float(self, value: Number | None, missing: float) -> float:
        if value is None:
            return missing
        return float(value) if self.scale == 1 else float(Fraction(value) / self.scale)

    def add_column(self, lower: Number, upper: Number | None) -> None:
        status = self.h.addVar(self._float(lower, 0.0), self._float(upper, _highs.kHighsInf))
        self.usable &= status == _highs.HighsStatus.kOk

    def add_row(self, row: Row) -> None:
        self._add_rows([row])

    def _add_rows(self, rows: Sequence[Row]) -> None:
        # One call for many rows: a call per row cost more than solving.
        if not rows:
            return
        inf = _highs.kHighsInf
        starts: list[int] = []
        columns: list[int] = []
        values: list[int] = []
        for row in rows:
            starts.append(len(columns))
            columns += row.coefficients
            values += row.coefficients.values()
        status = self.h.addRows(
            len(rows),
            np.array([self._float(row.lower, -inf) for row in rows]),
            np.array([self._float(row.upper, inf) for row in rows]),
            len(columns),
            np.array(starts, dtype=np.int32),
            np.array(columns, dtype=np.int32),
            np.array(values, dtype=np.float64),
        )
        self.usable &= status == _highs.HighsStatus.kOk

    def bounds(self, j: int) -> None:
        inf = _highs.kHighsInf
        program = self.program
        self.h.changeColBounds(
            j, self._float(program.lower[j], 0.0), self._float(program.upper[j], inf)
        )

    def row_bounds(self, i: int) -> None:
        inf = _highs.kHighsInf
        row = self.program.rows[i]
        self.h.changeRowBounds(i, self._float(row.lower, -inf), self._float(row.upper, inf))

    def solve(
        self, objective: Mapping[int, int]
    ) -> tuple[list[Fraction] | None, list[Fraction]] | None:
        """HiGHS's duals and its point read back as rationals (None past a float's precision)."""
        program = self.program
        n = len(program.lower)
        if not self.usable:
            return None
        costs = np.zeros(n)
        for j, a in objective.items():
            costs[j] = float(a)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), costs)
        self.h.run()
        if self.h.getModelStatus() != _highs.HighsModelStatus.kOptimal:
            return None
        solution = self.h.getSolution()
        if not solution.dual_valid:
            return None
        self._values = solution.col_value
        duals = [_rational(v) for v in solution.row_dual]
        if self.scale != 1:
            return None, duals  # values past a float's precision: only the basis tells
        return [_rational(v) for v in self._values], duals

    def vertex(self) -> list[Fraction] | None:
        """The point of HiGHS's last optimal basis in rationals, or None without a basis.

        Amounts with many decimals are large numbers of units (1e21 for 40 CEUs
        to 19 places), past what a float holds exactly, so the values HiGHS
        reports cannot simply be read back. The basis can: a nonbasic column sits
        exactly on a bound, each nonbasic row exactly on a bound, and the basic
        columns solve those rows. Starting from HiGHS's values, each round of
        iterative refinement computes the rows' residuals exactly and corrects
        the basic columns with HiGHS's own factorisation of the basis, gaining
        about 15 digits; what is left is rounded to the small denominators a
        vertex of these programs has. The certificate checks the result exactly.
        The point is kept in whole multiples of 1/_GRID, so the exact residuals
        are sums of integers, not of fractions.
        """
        basis = self.h.getBasis()
        status, positions = self.h.getBasicVariables()
        if not basis.valid or status != _highs.HighsStatus.kOk:
            return None
        kinds = _highs.HighsBasisStatus
        program = self.program
        unit = float(self.scale * _GRID)  # a power of two: the product below is exact
        point: list[int] = []
        for j, kind in enumerate(basis.col_status):
            if kind == kinds.kBasic:
                point.append(int(float(self._values[j]) * unit))
            else:
                bound = program.upper[j] if kind == kinds.kUpper else program.lower[j]
                point.append(_fixed(bound or 0))
        targets: list[int | None] = []
        for row, kind in zip(program.rows, basis.row_status, strict=True):
            if kind == kinds.kBasic:
                targets.append(None)
            elif kind in (kinds.kLower, kinds.kUpper):
                bound = row.lower if kind == kinds.kLower else row.upper
                targets.append(None if bound is None else _fixed(bound))
            else:
                return None  # a free row out of the basis: not a vertex of ours
        for _ in range(_REFINEMENTS):
            residuals = np.zeros(len(program.rows))
            for i, (row, target) in enumerate(zip(program.rows, targets, strict=True)):
                if target is not None:
                    level = sum(a * point[j] for j, a in row.coefficients.items())
                    residuals[i] = (target - level) / _GRID
            if not residuals.any():
                break
            status, steps = self.h.getBasisSolve(residuals)
            if status != _highs.HighsStatus.kOk:
                return None
            for position, variable in enumerate(positions):
                if variable >= 0:  # a column (rows are -1 - their index)
                    point[variable] += int(steps[position] * _GRID)
        return [_snap_fixed(v) for v in point]


# The level of a row without a dual: never read (only priced rows are pinned).
_UNPRICED = Fraction(0)


def _compare(scaled: int, per: int, bound: Number) -> int:
    """The sign of ``scaled / per - bound``, in whole numbers (``per`` is positive)."""
    if isinstance(bound, int):
        difference = scaled - bound * per
    else:
        difference = scaled * bound.denominator - bound.numerator * per
    return (difference > 0) - (difference < 0)


def _value(objective: Mapping[int, int], point: Sequence[Fraction]) -> Fraction:
    return sum((a * point[j] for j, a in objective.items()), Fraction(0))


def _fixed(value: Number) -> int:
    """``value`` in whole multiples of 1/_GRID (to the nearest for a non-dyadic fraction)."""
    return value * _GRID if isinstance(value, int) else round(value * _GRID)


def _snap_fixed(value: int) -> Fraction:
    """``value`` / _GRID to the nearest rational of small denominator (whole part exact)."""
    whole, rest = divmod(value + _GRID // 2, _GRID)
    rest -= _GRID // 2
    if abs(rest) < _NEAR_WHOLE:  # most values: a whole number of units
        return Fraction(whole)
    return whole + Fraction(rest, _GRID).limit_denominator(_DENOMINATOR)


def _rational(value: Any) -> Fraction:
    number = float(value)
    nearest = round(number)
    if abs(number - nearest) < 1e-9:  # most values: a whole number of units
        return Fraction(nearest)
    return Fraction(number).limit_denominator(_DENOMINATOR)
