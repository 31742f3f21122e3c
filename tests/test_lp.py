import itertools
import os
import subprocess
import sys
from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceu_compliance._lp import Constraint, Infeasible, Sense, Solution, maximize


def row(sense: Sense, rhs: int | Fraction, **coefficients: int | Fraction) -> Constraint:
    """Build a constraint from keyword coefficients, e.g. row("<=", 4, x=1)."""
    exact: dict[Hashable, Fraction] = {v: Fraction(a) for v, a in coefficients.items()}
    return Constraint(exact, sense, Fraction(rhs))


def objective(**coefficients: int | Fraction) -> dict[Hashable, Fraction]:
    return {v: Fraction(a) for v, a in coefficients.items()}


def satisfies(point: Mapping[Hashable, Fraction], constraints: Sequence[Constraint]) -> bool:
    for constraint in constraints:
        lhs = sum((a * point[v] for v, a in constraint.coefficients.items()), Fraction(0))
        if constraint.sense == "<=" and not lhs <= constraint.rhs:
            return False
        if constraint.sense == ">=" and not lhs >= constraint.rhs:
            return False
        if constraint.sense == "==" and lhs != constraint.rhs:
            return False
    return all(value >= 0 for value in point.values())


def assert_optimal(
    solution: Solution,
    goal: Mapping[Hashable, Fraction],
    constraints: Sequence[Constraint],
    value: Fraction,
) -> None:
    assert solution.value == value
    assert isinstance(solution.value, Fraction)
    assert satisfies(solution.values, constraints)
    assert sum(a * solution.values[v] for v, a in goal.items()) == value


def test_textbook_product_mix() -> None:
    # Hillier & Lieberman's Wyndor Glass problem: optimum 36 at (2, 6).
    goal = objective(x=3, y=5)
    constraints = [row("<=", 4, x=1), row("<=", 12, y=2), row("<=", 18, x=3, y=2)]
    solution = maximize(["x", "y"], goal, constraints)
    assert solution.value == 36
    assert solution.values == {"x": 2, "y": 6}


def test_equality_and_greater_equal_rows() -> None:
    # On x + 2y = 4 the objective is 2 + x/2, so x hits its upper bound 3.
    goal = objective(x=1, y=1)
    constraints = [row("==", 4, x=1, y=2), row(">=", 1, x=1), row("<=", 3, x=1)]
    solution = maximize(["x", "y"], goal, constraints)
    assert_optimal(solution, goal, constraints, Fraction(7, 2))
    assert solution.values == {"x": 3, "y": Fraction(1, 2)}


def test_minimisation_through_negated_objective_and_negative_rhs() -> None:
    # -x - y <= -2 means x + y >= 2; the cheapest way there is x = 2.
    goal = objective(x=-1, y=-2)
    constraints = [row("<=", -2, x=-1, y=-1), row("<=", 5, x=1), row("<=", 5, y=1)]
    solution = maximize(["x", "y"], goal, constraints)
    assert_optimal(solution, goal, constraints, Fraction(-2))
    assert solution.values == {"x": 2, "y": 0}


def test_greater_equal_with_negative_rhs() -> None:
    # x - y >= -1 caps y at x + 1, and x is capped at 2.
    goal = objective(y=1)
    constraints = [row(">=", -1, x=1, y=-1), row("<=", 2, x=1)]
    solution = maximize(["x", "y"], goal, constraints)
    assert_optimal(solution, goal, constraints, Fraction(3))
    assert solution.values == {"x": 2, "y": 3}


def test_equality_with_negative_rhs() -> None:
    goal = objective(x=1, y=2)
    constraints = [row("==", -3, x=-1, y=-1)]
    solution = maximize(["x", "y"], goal, constraints)
    assert_optimal(solution, goal, constraints, Fraction(6))


def test_beale_cycling_example() -> None:
    # Beale (1955): the largest-coefficient rule, with ties in the ratio test
    # going to the smallest subscript, cycles here through six bases.
    goal = objective(x4=Fraction(3, 4), x5=-150, x6=Fraction(1, 50), x7=-6)
    constraints = [
        row("<=", 0, x4=Fraction(1, 4), x5=-60, x6=Fraction(-1, 25), x7=9),
        row("<=", 0, x4=Fraction(1, 2), x5=-90, x6=Fraction(-1, 50), x7=3),
        row("<=", 1, x6=1),
    ]
    solution = maximize(["x4", "x5", "x6", "x7"], goal, constraints)
    assert_optimal(solution, goal, constraints, Fraction(1, 20))
    assert solution.values == {"x4": Fraction(1, 25), "x5": 0, "x6": 1, "x7": 0}


def test_chvatal_cycling_example() -> None:
    # Chvátal, Linear Programming (1983), ch. 3: cycles under the largest
    # coefficient rule when ties go to the smallest subscript.
    goal = objective(x1=10, x2=-57, x3=-9, x4=-24)
    constraints = [
        row("<=", 0, x1=Fraction(1, 2), x2=Fraction(-11, 2), x3=Fraction(-5, 2), x4=9),
        row("<=", 0, x1=Fraction(1, 2), x2=Fraction(-3, 2), x3=Fraction(-1, 2), x4=1),
        row("<=", 1, x1=1),
    ]
    solution = maximize(["x1", "x2", "x3", "x4"], goal, constraints)
    assert_optimal(solution, goal, constraints, Fraction(1))
    assert solution.values == {"x1": 1, "x2": 0, "x3": 1, "x4": 0}


def test_redundant_equality_rows_are_dropped() -> None:
    goal = objective(x=1)
    constraints = [
        row("==", 2, x=1, y=1),
        row("==", 4, x=2, y=2),
        row("==", 0, x=1, y=-1),
        row("==", 2, x=1, y=1),
    ]
    solution = maximize(["x", "y"], goal, constraints)
    assert_optimal(solution, goal, constraints, Fraction(1))
    assert solution.values == {"x": 1, "y": 1}


def test_redundant_zero_row() -> None:
    constraints = [row("==", 0, x=0), row("<=", 5, x=1)]
    assert maximize(["x"], objective(x=1), constraints).value == 5


def test_degenerate_vertex_with_many_tight_constraints() -> None:
    # Four constraints pass through (1, 1), which is also the optimum.
    goal = objective(x=1, y=1)
    constraints = [
        row("<=", 2, x=1, y=1),
        row("<=", 1, x=1),
        row("<=", 1, y=1),
        row("<=", 3, x=2, y=1),
    ]
    solution = maximize(["x", "y"], goal, constraints)
    assert_optimal(solution, goal, constraints, Fraction(2))


@pytest.mark.parametrize(
    "constraints",
    [
        [row("<=", 1, x=1, y=1), row(">=", 2, x=1, y=1)],
        [row("==", -1, x=1)],
        [row("<=", -1, x=1, y=1)],
        [row("==", 1, x=1, y=1), row("==", 3, x=1, y=1)],
        [row(">=", 5, x=1), row("<=", 4, x=1)],
    ],
)
def test_infeasible(constraints: list[Constraint]) -> None:
    with pytest.raises(Infeasible):
        maximize(["x", "y"], objective(x=1), constraints)


def test_unbounded() -> None:
    with pytest.raises(ValueError, match="unbounded"):
        maximize(["x", "y"], objective(x=1), [row("<=", 1, x=1, y=-1)])
    with pytest.raises(ValueError, match="unbounded"):
        maximize(["x"], objective(x=1), [])


def test_unbounded_feasible_region_with_bounded_objective() -> None:
    solution = maximize(["x", "y"], objective(x=-1), [row(">=", 1, x=1, y=1)])
    assert solution.value == 0


def test_unused_variables_are_reported_as_zero_in_given_order() -> None:
    solution = maximize(["c", "a", "b"], objective(a=1), [row("<=", 2, a=1)])
    assert list(solution.values) == ["c", "a", "b"]
    assert solution.values == {"c": 0, "a": 2, "b": 0}


def test_no_variables() -> None:
    assert maximize([], {}, []) == Solution(Fraction(0), {})


def test_int_coefficients_are_accepted() -> None:
    # The annotations say Fraction, but ints are accepted at runtime.
    solution = maximize(
        ["x"],
        {"x": 3},  # type: ignore[dict-item]
        [Constraint({"x": 2}, "<=", 5)],  # type: ignore[dict-item, arg-type]
    )
    assert solution.value == Fraction(15, 2)
    assert isinstance(solution.values["x"], Fraction)


def test_rejects_unknown_and_duplicate_variables() -> None:
    with pytest.raises(ValueError, match="unknown variable 'z'"):
        maximize(["x"], objective(x=1), [row("<=", 1, z=1)])
    with pytest.raises(ValueError, match="unknown variable 'z'"):
        maximize(["x"], objective(z=1), [])
    with pytest.raises(ValueError, match="duplicate"):
        maximize(["x", "x"], objective(x=1), [row("<=", 1, x=1)])


def test_rejects_unknown_sense() -> None:
    bad = Constraint({"x": Fraction(1)}, "<", Fraction(1))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown sense"):
        maximize(["x"], objective(x=1), [bad])


def test_same_input_gives_identical_values() -> None:
    # Every feasible point with x + y + z = 1 is optimal, so only the pivoting
    # rule decides which one is returned.
    variables = ["x", "y", "z"]
    goal = objective(x=1, y=1, z=1)
    constraints = [row("<=", 1, x=1, y=1, z=1), row(">=", 0, x=1, y=-1)]
    first = maximize(variables, goal, constraints)
    second = maximize(variables, goal, constraints)
    assert first == second
    assert list(first.values.items()) == list(second.values.items())


def test_coefficient_key_order_does_not_matter() -> None:
    variables = ["x", "y", "z"]
    forward = [Constraint(objective(x=1, y=1, z=1), "<=", Fraction(1))]
    backward = [Constraint(objective(z=1, y=1, x=1), "<=", Fraction(1))]
    goal = objective(x=1, y=1, z=1)
    assert maximize(variables, goal, forward) == maximize(variables, goal, backward)


def test_result_does_not_depend_on_hash_seed() -> None:
    # str hashes change with PYTHONHASHSEED, so this catches any set or dict
    # iteration that leaks into the choice of optimal vertex.
    script = (
        "from fractions import Fraction as F\n"
        "from ceu_compliance._lp import Constraint, maximize\n"
        "names = [f'v{i}' for i in range(12)]\n"
        "row = Constraint({n: F(1) for n in names}, '<=', F(5))\n"
        "cap = [Constraint({n: F(1)}, '<=', F(1)) for n in names]\n"
        "print(maximize(names, {n: F(1) for n in names}, [row, *cap]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**env, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(4)
    }
    assert len(outputs) == 1


# --- Brute-force cross-check ------------------------------------------------


def solve_square(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Solve a square system by Gauss-Jordan elimination; None if singular."""
    rows = [[*coefficients, b] for coefficients, b in zip(matrix, rhs, strict=True)]
    size = len(rows)
    for col in range(size):
        pivot = next((r for r in range(col, size) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        rows[col] = [a / rows[col][col] for a in rows[col]]
        for r in range(size):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * p for a, p in zip(rows[r], rows[col], strict=True)]
    return [r[-1] for r in rows]


def brute_force_optimum(
    variables: list[str],
    goal: Mapping[Hashable, Fraction],
    constraints: list[Constraint],
) -> Fraction | None:
    """Best objective over all vertices, or None if the region is empty.

    Every variable is boxed in 0..4, so a non-empty region is a polytope and
    its optimum is at a vertex. Each vertex is the unique solution of some
    square set of tight constraints, so trying every such set finds them all.
    """
    hyperplanes = [
        ([c.coefficients.get(v, Fraction(0)) for v in variables], c.rhs) for c in constraints
    ] + [([Fraction(v == w) for w in variables], Fraction(0)) for v in variables]
    best: Fraction | None = None
    for chosen in itertools.combinations(hyperplanes, len(variables)):
        point = solve_square([m for m, _ in chosen], [b for _, b in chosen])
        if point is None:
            continue
        values: dict[Hashable, Fraction] = dict(zip(variables, point, strict=True))
        if satisfies(values, constraints):
            value = sum((a * values[v] for v, a in goal.items()), Fraction(0))
            best = value if best is None else max(best, value)
    return best


@st.composite
def small_lps(
    draw: st.DrawFn,
) -> tuple[list[str], dict[Hashable, Fraction], list[Constraint]]:
    variables = [f"x{j}" for j in range(draw(st.integers(2, 3)))]
    coefficient = st.integers(-3, 3).map(Fraction)
    goal: dict[Hashable, Fraction] = {v: draw(coefficient) for v in variables}
    constraints = [row("<=", 4, **{v: 1}) for v in variables]
    # "<=" is listed twice so that fewer draws are infeasible.
    senses: list[Sense] = ["<=", "<=", ">=", "=="]
    for _ in range(draw(st.integers(0, 3))):
        coefficients: dict[Hashable, Fraction] = {v: draw(coefficient) for v in variables}
        sense = draw(st.sampled_from(senses))
        rhs = Fraction(draw(st.integers(-6, 8)))
        constraints.append(Constraint(coefficients, sense, rhs))
    return variables, goal, draw(st.permutations(constraints))


@given(small_lps())
def test_matches_brute_force_vertex_enumeration(
    lp: tuple[list[str], dict[Hashable, Fraction], list[Constraint]],
) -> None:
    variables, goal, constraints = lp
    expected = brute_force_optimum(variables, goal, constraints)
    if expected is None:
        with pytest.raises(Infeasible):
            maximize(variables, goal, constraints)
    else:
        assert_optimal(maximize(variables, goal, constraints), goal, constraints, expected)
