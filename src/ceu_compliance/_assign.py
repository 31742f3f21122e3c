"""Optimal assignment of counted CEUs to requirements (Q-CONCURRENT, P-RENEWAL-MONTH).

The problem, for records that survived eligibility (``Item``) and the credential
minimums in force (``Sink``): choose how many CEUs of each item count (``c``)
and how many of those go to each minimum it may serve (``x``), such that

* an item gives at most ``c`` to core minimums and at most ``c`` to specialty
  minimums (one CEU may serve one core and one specialty minimum at once);
* a minimum takes at most what it requires (so what it shows is what it needs);
* the items of one cap group (E-INSTRUCTOR, E-POSTSECONDARY) count at most the cap;
* an item outside the current renewal month and outside any cap group counts whole.

It is solved as up to three exact linear programs, each keeping the optimum of
the one before (a lexicographic optimum):

1. maximise the CEUs assigned to minimums: the smallest sum of shortfalls;
2. maximise what current-renewal-month items leave out (their rollover), while
   compliant, or while counting everything countable when not;
3. maximise what capped items count, so a cap never leaves out more than it must.

Items with the same eligibility are merged into one LP variable before solving and
split again afterwards, earliest record first, which keeps the programs small
(see docs/design.md for the reasoning and the complexity).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, NamedTuple

from ._lp import Constraint, Solution, maximize

Layer = Literal["core", "specialty"]


@dataclass(frozen=True)
class Sink:
    """A minimum (or one period-year of it) that CEUs can be assigned to.

    ``requirement`` is the report requirement it counts toward (its key unless a
    minimum is split by period-year); ``year`` the period-year of such a split.
    """

    key: str
    layer: Layer
    required: Decimal
    requirement: str = ""
    year: int | None = None


@dataclass(frozen=True)
class Item:
    """A record's countable CEUs as the optimiser sees them.

    ``order`` is a canonical sort key (date, id): ties are broken by it, never
    by input order, so shuffling records cannot change the outcome.
    """

    amount: Decimal
    sinks: tuple[str, ...]
    group: str | None
    flexible: bool
    order: tuple[Any, ...]


@dataclass(frozen=True)
class Assignment:
    """Per item, in the order given: CEUs counted and CEUs assigned to each sink."""

    counted: tuple[Fraction, ...]
    applied: tuple[Mapping[str, Fraction], ...]
    compliant: bool


class Profile(NamedTuple):
    """What makes items interchangeable for the optimiser (sorts deterministically)."""

    sinks: tuple[str, ...]
    group: str  # "" when under no cap
    flexible: bool
    apart: int  # the item's index when it keeps a variable of its own, else -1


@dataclass(frozen=True)
class Program:
    """The variables and constraints every assignment program shares.

    Items with the same profile (sinks, cap group, flexible) share one count
    variable ``c`` and one variable ``x`` per sink; ``base`` holds the rules of
    the module docstring. :func:`assign` and the completion plan (PL-MIN) add
    their own objectives and constraints to it. Items listed in ``apart`` get
    variables of their own (the history, H-SPLIT, links them across periods).
    """

    layer_of: Mapping[str, Layer]
    members: Mapping[Profile, list[int]]
    profiles: list[Profile]
    amount: Mapping[Profile, Fraction]
    caps: Mapping[str, Decimal]
    c: Mapping[Profile, Hashable]
    x: Mapping[tuple[Profile, str], Hashable]
    variables: list[Hashable]
    base: tuple[Constraint, ...]

    @classmethod
    def build(
        cls,
        items: Sequence[Item],
        sinks: Sequence[Sink],
        caps: Mapping[str, Decimal],
        *,
        apart: Collection[int] = (),
    ) -> Program:
        layer_of = {s.key: s.layer for s in sinks}
        members: dict[Profile, list[int]] = {}
        for i, item in enumerate(items):
            profile = Profile(item.sinks, item.group or "", item.flexible, i if i in apart else -1)
            members.setdefault(profile, []).append(i)
        profiles = sorted(members)
        amount = {
            p: sum((Fraction(items[i].amount) for i in members[p]), Fraction(0)) for p in profiles
        }

        c: dict[Profile, Hashable] = {p: ("c", n) for n, p in enumerate(profiles)}
        x: dict[tuple[Profile, str], Hashable] = {
            (p, k): ("x", n, k) for n, p in enumerate(profiles) for k in p.sinks
        }
        base: list[Constraint] = []
        for p in profiles:
            fixed = not p.flexible and not p.group
            base.append(Constraint({c[p]: Fraction(1)}, "==" if fixed else "<=", amount[p]))
            for layer in ("core", "specialty"):
                row = {x[p, k]: Fraction(1) for k in p.sinks if layer_of[k] == layer}
                if row:
                    base.append(Constraint({**row, c[p]: Fraction(-1)}, "<=", Fraction(0)))
        for s in sinks:
            row = {x[p, s.key]: Fraction(1) for p in profiles if s.key in p.sinks}
            if row:
                base.append(Constraint(row, "<=", Fraction(s.required)))
        for group, cap in caps.items():
            row = {c[p]: Fraction(1) for p in profiles if p.group == group}
            if row:
                base.append(Constraint(row, "<=", Fraction(cap)))
        variables: list[Hashable] = [*c.values(), *x.values()]
        return cls(layer_of, members, profiles, amount, caps, c, x, variables, tuple(base))

    def countable(self) -> Fraction:
        """The most CEUs the items can count: everything, except what a cap leaves out."""
        uncapped = Fraction(0)
        capped: dict[str, Fraction] = {}
        for p in self.profiles:
            if p.group:
                capped[p.group] = capped.get(p.group, Fraction(0)) + self.amount[p]
            else:
                uncapped += self.amount[p]
        return uncapped + sum(
            (min(Fraction(self.caps[g]), amount) for g, amount in capped.items()), Fraction(0)
        )


def assign(
    items: Sequence[Item],
    sinks: Sequence[Sink],
    caps: Mapping[str, Decimal],
    total_required: Decimal,
) -> Assignment:
    """The lexicographically optimal assignment described in the module docstring."""
    program = Program.build(items, sinks, caps)
    layer_of, members, profiles = program.layer_of, program.members, program.profiles
    c, x, variables, base = program.c, program.x, program.variables, list(program.base)

    def ones(keys: Sequence[Hashable]) -> dict[Hashable, Fraction]:
        return dict.fromkeys(keys, Fraction(1))

    all_x, all_c = ones(list(x.values())), ones(list(c.values()))
    flexible = ones([c[p] for p in profiles if p.flexible])

    best = maximize(variables, all_x, base)
    countable = program.countable()
    required = sum((Fraction(s.required) for s in sinks), Fraction(0))
    compliant = best.value == required and countable >= Fraction(total_required)
    floor = Fraction(total_required) if compliant else countable
    keep = [*base, Constraint(all_x, ">=", best.value), Constraint(all_c, ">=", floor)]

    solution: Solution = best
    if flexible:
        solution = maximize(variables, {v: Fraction(-1) for v in flexible}, keep)
        keep.append(Constraint(flexible, "<=", -solution.value))
    if any(p.group and not p.flexible for p in profiles):
        solution = maximize(variables, all_c, keep)

    counted: list[Fraction] = [Fraction(0)] * len(items)
    applied: list[dict[str, Fraction]] = [{} for _ in items]
    for p in profiles:
        ordered = sorted(members[p], key=lambda i: items[i].order)
        left = solution.values[c[p]]
        for i in ordered:
            counted[i] = min(Fraction(items[i].amount), left)
            left -= counted[i]
        for layer in ("core", "specialty"):
            room = {i: counted[i] for i in ordered}
            for k in (k for k in p.sinks if layer_of[k] == layer):
                need = solution.values[x[p, k]]
                for i in ordered:
                    share = min(room[i], need)
                    if share > 0:
                        applied[i][k] = share
                        room[i] -= share
                        need -= share
    return Assignment(tuple(counted), tuple(applied), compliant)
