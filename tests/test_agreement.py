"""The fast assignment agrees with the exact reference on every field (issue 7).

The reference is the original algorithm: exact linear programs over Fractions
(``_lp``), one objective of ``_assign``'s definition at a time, every record's
count decided by LP, then the shared transport. The fast engine decides the
same counts by the transport alone, a min-cost flow, or the LP only when a cap
spans both layers. Both must give the identical :class:`Assignment`, and the
identical report, for every instance.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceu_compliance import _engine, _history, _plan, evaluate, evaluate_history, plan
from ceu_compliance._assign import (
    Assignment,
    Item,
    Sink,
    _Problem,
    assign,
    plan_assignment,
    split,
)
from ceu_compliance._solver import FALLBACKS
from strategies import Case, any_cases


def reference_assign(
    items: Sequence[Item],
    sinks: Sequence[Sink],
    caps: Mapping[str, Decimal],
    total_required: Decimal,
) -> Assignment:
    """Every count by the exact simplex (``_Problem.lp_counts``), then the shared transport."""
    problem = _Problem(items, sinks, caps, total_required)
    counts, compliant = problem.lp_counts(use_highs=False)
    return problem.result(counts, problem.transport(counts), compliant)


def reference_plan_assignment(
    items: Sequence[Item],
    sinks: Sequence[Sink],
    caps: Mapping[str, Decimal],
    total_required: Decimal,
) -> tuple[Assignment, Fraction]:
    """The plan's counts by the exact simplex, whatever the caps, then the shared transport."""
    problem = _Problem(items, sinks, caps, total_required)
    return problem.planned(problem.plan_lp_counts(use_highs=False))


@contextmanager
def reference_engine() -> Iterator[None]:
    """``evaluate``, ``plan`` and histories on the reference instead of the fast engine."""
    with (
        mock.patch.object(_engine, "assign", reference_assign),
        mock.patch.object(_plan, "plan_assignment", reference_plan_assignment),
        mock.patch.object(_history, "split", functools.partial(split, use_highs=False)),
    ):
        yield


# ------------------------------------------------------------------ one case per path


def course(amount: str, *sinks: str, group: str | None = None, flexible: bool = False) -> Item:
    return Item(Decimal(amount), sinks, group, flexible, order=(amount, sinks))


CPMA = Sink("CPMA", "core", Decimal(16))
CEMC = Sink("CEMC", "specialty", Decimal(8))
PATHS = {
    # Not compliant: everything counts, the transport alone decides.
    "transport": ([course("10", "CPMA", "CEMC"), course("4", flexible=True)], {}, "36"),
    # Compliant without the renewal month: all of it rolls over.
    "rollover": (
        [course("16", "CPMA", "CEMC"), course("20"), course("6", "CPMA", flexible=True)],
        {},
        "36",
    ),
    # Compliant only with part of the renewal month: the flow picks which part.
    "flow": (
        [
            course("12", "CPMA", "CEMC"),
            course("20"),
            course("3", "CPMA", flexible=True),
            course("5", "CPMA", "CEMC", flexible=True),
        ],
        {},
        "36",
    ),
    # A binding cap over records of one layer: the flow, with the cap on the bypass.
    "flow, cap of one layer": (
        [
            course("10", "CPMA", group="teach"),
            course("10", "CPMA", group="teach"),
            course("8", "CEMC"),
            course("20"),
        ],
        {"teach": Decimal(16)},
        "36",
    ),
    # A binding cap over records of both layers: the staged program decides.
    "program": (
        [
            course("16", "CPMA", group="teach"),
            course("16", "CEMC", group="teach"),
            course("24"),
        ],
        {"teach": Decimal(16)},
        "36",
    ),
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_each_path_is_taken_and_agrees_with_the_reference(path: str) -> None:
    items, caps, total = PATHS[path]
    fast = assign(items, [CPMA, CEMC], caps, Decimal(total))
    assert fast.method == path.split(",")[0]
    assert fast == reference_assign(items, [CPMA, CEMC], caps, Decimal(total))


# ------------------------------------------------------------------ random problems


AMOUNTS = st.sampled_from(["0.5", "1", "1.5", "2", "2.5", "3", "4", "6", "8", "0.25"])


@st.composite
def problems(
    draw: st.DrawFn,
) -> tuple[list[Item], list[Sink], dict[str, Decimal], Decimal]:
    """Up to 9 items over up to 3 core and 3 specialty minimums, with caps and rollover."""
    sinks = [
        Sink(f"K{n}", "core", Decimal(draw(AMOUNTS)) * 2) for n in range(draw(st.integers(0, 3)))
    ] + [
        Sink(f"S{n}", "specialty", Decimal(draw(AMOUNTS)) * 2)
        for n in range(draw(st.integers(0, 3)))
    ]
    keys = [s.key for s in sinks]
    groups = ["g1", "g2"]
    items = []
    for n in range(draw(st.integers(0, 9))):
        items.append(
            Item(
                amount=Decimal(draw(AMOUNTS)),
                sinks=tuple(k for k in keys if draw(st.integers(0, 2)) == 0),
                group=draw(st.sampled_from([None, None, *groups])),
                flexible=draw(st.integers(0, 3)) == 0,
                order=(draw(st.integers(0, 5)), n),
            )
        )
    caps = {g: Decimal(draw(AMOUNTS)) for g in groups}
    total = Decimal(draw(st.integers(0, 30)))
    return items, sinks, caps, total


@given(problem=problems())
def test_fast_assignment_equals_the_reference(
    problem: tuple[list[Item], list[Sink], dict[str, Decimal], Decimal],
) -> None:
    assert assign(*problem) == reference_assign(*problem)


@given(case=any_cases())
def test_fast_report_equals_the_reference_report(case: Case) -> None:
    fast = evaluate(case.member, as_of=case.as_of)
    with reference_engine():
        reference = evaluate(case.member, as_of=case.as_of)
    assert fast.model_dump(mode="json") == reference.model_dump(mode="json")


@given(problem=problems())
def test_fast_plan_assignment_equals_the_reference(
    problem: tuple[list[Item], list[Sink], dict[str, Decimal], Decimal],
) -> None:
    assert plan_assignment(*problem) == reference_plan_assignment(*problem)


@given(case=any_cases())
def test_fast_plan_equals_the_reference_plan(case: Case) -> None:
    fast = plan(case.member, as_of=case.as_of)
    with reference_engine():
        reference = plan(case.member, as_of=case.as_of)
    assert fast.model_dump(mode="json") == reference.model_dump(mode="json")


@given(case=any_cases())
def test_fast_history_equals_the_reference_history(case: Case) -> None:
    fast = evaluate_history(case.member, periods=3, as_of=case.as_of)
    with reference_engine():
        reference = evaluate_history(case.member, periods=3, as_of=case.as_of)
    assert fast.model_dump(mode="json") == reference.model_dump(mode="json")


# ------------------------------------------------------------------ amounts past a float

# 19 decimal places: 40 CEUs are 4e20 units, past what a float holds exactly, so
# HiGHS's values cannot be read back and the vertex is rebuilt from its basis.
FINE = Decimal("0.0000000000000000001")


def finer(
    problem: tuple[list[Item], list[Sink], dict[str, Decimal], Decimal],
) -> tuple[list[Item], list[Sink], dict[str, Decimal], Decimal]:
    items, sinks, caps, total = problem
    items = [replace(item, amount=item.amount + FINE * (n + 1)) for n, item in enumerate(items)]
    return items, sinks, {g: cap + FINE for g, cap in caps.items()}, total


def test_a_program_with_amounts_past_a_float_is_certified_without_fallback() -> None:
    items, caps, total = PATHS["program"]
    problem = finer((items, [CPMA, CEMC], caps, Decimal(total)))
    before = FALLBACKS.value
    fast = assign(*problem)
    assert fast.method == "program"
    assert FALLBACKS.value == before
    assert fast == reference_assign(*problem)


@given(problem=problems())
def test_fine_amounts_agree_with_the_reference(
    problem: tuple[list[Item], list[Sink], dict[str, Decimal], Decimal],
) -> None:
    # No fallback count here: where a difference in the 19th place decides the
    # optimal basis, HiGHS's tolerances cannot see it and the exact simplex must.
    problem = finer(problem)
    assert assign(*problem) == reference_assign(*problem)
