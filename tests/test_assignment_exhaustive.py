"""``assign`` against an independent exhaustive search on small instances (Q-CONCURRENT).

The optimiser solves linear programs; this file checks its answers without
any LP. For every vector ``c`` of counted CEUs on a grid of 1/6 CEU, each
layer's best assignment (core, specialty) is a bipartite max-flow
``source -> item (capacity c_r) -> sink (capacity required_s)``, whose value
is the min-cut formula

    value(c) = min over subsets A of the layer's sinks of
               sum(required_s for s not in A) + sum(c_r for r serving some s in A)

Enumerating ``c`` and ``A`` gives the best achievable sum of shortfalls, whether
compliance is possible, and the largest rollover while compliant, which must
match what ``assign`` returns. The arithmetic is exact: amounts are counted in
integer sixths of a CEU and compared with ``assign``'s Fractions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ceu_compliance import evaluate
from ceu_compliance._assign import Assignment, Item, Sink, assign

GRID = 6  # sixths of a CEU
GROUP = "cap"


@dataclass(frozen=True)
class Instance:
    amounts: tuple[int, ...]
    serves: tuple[tuple[str, ...], ...]
    flexible: tuple[bool, ...]
    grouped: tuple[bool, ...]
    sinks: tuple[Sink, ...]
    cap: int | None
    total_required: int

    def items(self) -> list[Item]:
        return [
            Item(
                amount=Decimal(amount),
                sinks=serves,
                group=GROUP if grouped and self.cap is not None else None,
                flexible=flexible,
                order=(n,),
            )
            for n, (amount, serves, flexible, grouped) in enumerate(
                zip(self.amounts, self.serves, self.flexible, self.grouped, strict=True)
            )
        ]

    def caps(self) -> dict[str, Decimal]:
        return {} if self.cap is None else {GROUP: Decimal(self.cap)}

    def capped(self, r: int) -> bool:
        return self.grouped[r] and self.cap is not None

    def solve(self) -> Assignment:
        return assign(self.items(), self.sinks, self.caps(), Decimal(self.total_required))


@st.composite
def instances(draw: st.DrawFn) -> Instance:
    core = [
        Sink(f"K{n}", "core", Decimal(draw(st.integers(1, 4))))
        for n in range(1, draw(st.integers(1, 2)) + 1)
    ]
    specialty = [
        Sink(f"S{n}", "specialty", Decimal(draw(st.integers(1, 4))))
        for n in range(1, draw(st.integers(0, 2)) + 1)
    ]
    sinks = tuple(core + specialty)
    count = draw(st.integers(1, 3))
    keys = [s.key for s in sinks]
    serves = tuple(
        tuple(k for k in keys if draw(st.booleans(), label=f"serves {k}")) for _ in range(count)
    )
    amounts = tuple(draw(st.integers(1, 3)) for _ in range(count))
    return Instance(
        amounts=amounts,
        serves=serves,
        flexible=tuple(draw(st.booleans()) for _ in range(count)),
        grouped=tuple(draw(st.booleans()) for _ in range(count)),
        sinks=sinks,
        cap=draw(st.one_of(st.none(), st.integers(1, 4))),
        total_required=draw(st.integers(0, sum(amounts) + 2)),
    )


# ------------------------------------------------------------------ the exhaustive method


@dataclass(frozen=True)
class Exhaustive:
    """What the search found, in sixths of a CEU."""

    best_assigned: int  # most CEUs assignable to minimums, over every c
    compliant: bool
    # Compliant: the most flexible CEUs left out (rollover), then the most counted.
    # Not compliant: the most counted (everything countable), then the most rollover.
    rollover: int
    counted: int


def cuts(instance: Instance, layer: str) -> list[tuple[int, tuple[int, ...]]]:
    """Per subset A of the layer's sinks: (sum required outside A, items serving A)."""
    keys = [s.key for s in instance.sinks if s.layer == layer]
    required = {s.key: int(s.required) * GRID for s in instance.sinks}
    out = []
    for size in range(len(keys) + 1):
        for chosen in itertools.combinations(keys, size):
            outside = sum(required[k] for k in keys if k not in chosen)
            touching = tuple(
                r for r, serves in enumerate(instance.serves) if set(serves) & set(chosen)
            )
            out.append((outside, touching))
    return out


def exhaustive(instance: Instance) -> Exhaustive:
    grids = [
        range(amount * GRID, amount * GRID + 1)
        if not instance.flexible[r] and not instance.capped(r)
        else range(amount * GRID + 1)
        for r, amount in enumerate(instance.amounts)
    ]
    layers = [cuts(instance, "core"), cuts(instance, "specialty")]
    required = sum(int(s.required) * GRID for s in instance.sinks)
    cap = None if instance.cap is None else instance.cap * GRID
    flexible_amount = sum(
        a * GRID for a, f in zip(instance.amounts, instance.flexible, strict=True) if f
    )
    points = []  # (assigned, counted, rollover) for every feasible c
    for c in itertools.product(*grids):
        if cap is not None and sum(c[r] for r in range(len(c)) if instance.capped(r)) > cap:
            continue
        assigned = sum(
            min(outside + sum(c[r] for r in touching) for outside, touching in layer)
            for layer in layers
        )
        flexible_counted = sum(x for x, f in zip(c, instance.flexible, strict=True) if f)
        points.append((assigned, sum(c), flexible_amount - flexible_counted))

    best_assigned = max(p[0] for p in points)
    compliant = [
        (rollover, counted)
        for assigned, counted, rollover in points
        if assigned == required and counted >= instance.total_required * GRID
    ]
    if compliant:
        rollover, counted = max(compliant)
        return Exhaustive(best_assigned, True, rollover, counted)
    counted, rollover = max((p[1], p[2]) for p in points if p[0] == best_assigned)
    return Exhaustive(best_assigned, False, rollover, counted)


# ------------------------------------------------------------------ checks


def check_valid(instance: Instance, result: Assignment) -> None:
    """(d) what assign returns is an assignment the rules allow."""
    layer_of = {s.key: s.layer for s in instance.sinks}
    to_sink = dict.fromkeys(layer_of, Fraction(0))
    assert len(result.counted) == len(result.applied) == len(instance.amounts)
    for r, (counted, applied) in enumerate(zip(result.counted, result.applied, strict=True)):
        assert isinstance(counted, Fraction)
        assert 0 <= counted <= instance.amounts[r]
        if not instance.flexible[r] and not instance.capped(r):
            assert counted == instance.amounts[r]
        for layer in ("core", "specialty"):
            in_layer = [v for k, v in applied.items() if layer_of[k] == layer]
            assert sum(in_layer, Fraction(0)) <= counted, (r, layer, applied)
        for key, share in applied.items():
            assert key in instance.serves[r], (r, key)
            assert share > 0
            to_sink[key] += share
    for sink in instance.sinks:
        assert to_sink[sink.key] <= Fraction(sink.required), sink
    if instance.cap is not None:
        grouped = (result.counted[r] for r in range(len(instance.amounts)) if instance.capped(r))
        assert sum(grouped, Fraction(0)) <= instance.cap


def check_against_exhaustive(instance: Instance) -> None:
    result = instance.solve()
    check_valid(instance, result)
    expected = exhaustive(instance)

    assigned = sum((v for applied in result.applied for v in applied.values()), Fraction(0))
    required = sum(int(s.required) for s in instance.sinks)
    # (a) the smallest sum of the minimums' shortfalls
    assert required - assigned == Fraction(required * GRID - expected.best_assigned, GRID)
    # (b) compliance
    assert result.compliant == expected.compliant
    rollover = sum(
        (
            a - counted
            for a, counted, f in zip(
                instance.amounts, result.counted, instance.flexible, strict=True
            )
            if f
        ),
        Fraction(0),
    )
    # (c) compliant: the largest rollover that keeps every requirement met, and
    # no more left out of a cap than that needs. Not compliant: every countable
    # CEU counts (P-RENEWAL-MONTH), the cap cutting renewal-month CEUs first.
    assert rollover == Fraction(expected.rollover, GRID)
    assert sum(result.counted, Fraction(0)) == Fraction(expected.counted, GRID)


@given(instance=instances())
def test_assign_matches_exhaustive_search(instance: Instance) -> None:
    check_against_exhaustive(instance)


@given(instance=instances(), data=st.data())
def test_assign_ignores_item_order(instance: Instance, data: st.DataObject) -> None:
    """Reordering items (their ``order`` keys travel with them) permutes the answer."""
    n = len(instance.amounts)
    perm = data.draw(st.permutations(range(n)))
    items = instance.items()
    reordered = assign(
        [items[p] for p in perm], instance.sinks, instance.caps(), Decimal(instance.total_required)
    )
    result = instance.solve()
    assert reordered.compliant == result.compliant
    assert list(reordered.counted) == [result.counted[p] for p in perm]
    assert [dict(a) for a in reordered.applied] == [dict(result.applied[p]) for p in perm]


# ------------------------------------------------------------------ first-fit traps


def trap(
    *items: tuple[int, tuple[str, ...]],
    sinks: tuple[Sink, ...],
    total: int,
    grouped: tuple[bool, ...] | None = None,
    cap: int | None = None,
) -> Instance:
    """An instance of fixed (not renewal-month) items, given as (amount, sinks served)."""
    return Instance(
        amounts=tuple(a for a, _ in items),
        serves=tuple(s for _, s in items),
        flexible=(False,) * len(items),
        grouped=grouped or (False,) * len(items),
        sinks=sinks,
        cap=cap,
        total_required=total,
    )


CPMA = Sink("CPMA", "core", Decimal(4))
CPCO = Sink("CPCO", "core", Decimal(4))
CEMC = Sink("CEMC", "specialty", Decimal(4))


def test_first_fit_trap_within_a_layer() -> None:
    """A serves CPMA and CPCO, B only CPMA: A must go to CPCO, whichever comes first."""
    a, b = (4, ("CPMA", "CPCO")), (4, ("CPMA",))
    for items in ((a, b), (b, a)):
        instance = trap(*items, sinks=(CPMA, CPCO), total=8)
        result = instance.solve()
        assert result.compliant
        check_against_exhaustive(instance)
        where_a = result.applied[items.index(a)]
        assert where_a == {"CPCO": Fraction(4)}


def test_first_fit_trap_across_layers_with_a_cap() -> None:
    """The cap (4) allows one of Q and P; only P serves both CPMA and CEMC at once.

    Q comes first and serves CPMA only, so a first-fit choice would count Q and
    leave CEMC empty.
    """
    q, p = (4, ("CPMA",)), (4, ("CPMA", "CEMC"))
    for items in ((q, p), (p, q)):
        instance = trap(*items, grouped=(True, True), cap=4, sinks=(CPMA, CEMC), total=4)
        result = instance.solve()
        assert result.compliant
        check_against_exhaustive(instance)
        at_p = items.index(p)
        assert result.counted[at_p] == 4 and result.counted[1 - at_p] == 0
        assert result.applied[at_p] == {"CPMA": Fraction(4), "CEMC": Fraction(4)}


def test_cap_trap_through_evaluate() -> None:
    """The same trap in a member: two instructor records share the 16-CEU CPC cap."""
    member = {
        "member_id": "M-TRAP",
        "renewal_due": "2027-03-31",
        "credentials": [
            {"code": "CPMA", "earned": "2015-01-01"},
            {"code": "CEMC", "earned": "2015-01-01"},
        ],
        "records": [
            {"id": "base", "date": "2025-05-01", "activity": "course", "ceus": "40",
             "approved": True},
            {"id": "teach-cpma", "date": "2025-05-02", "activity": "instructor", "ceus": "16",
             "approved": True, "teaches": "CPC", "approved_for": ["CPMA"]},
            {"id": "teach-both", "date": "2025-09-01", "activity": "instructor", "ceus": "16",
             "approved": True, "teaches": "CPC-A", "approved_for": ["CPMA", "CEMC"]},
        ],
    }  # fmt: skip
    report = evaluate(member, as_of=dt.date(2027, 1, 1))
    assert report.compliant
    records = {r.id: r for r in report.records}
    both, cpma = records["teach-both"], records["teach-cpma"]
    assert both.counted + cpma.counted == 16
    assert {a.requirement: a.ceus for a in both.applied_to}["CEMC"] == 8
    capped = [r for r in cpma.rejections + both.rejections if r.code == "instructor_cap"]
    assert sum(r.ceus for r in capped) == 16
