"""The optimal, canonical assignment of CEUs to requirements (Q-CONCURRENT, P-RENEWAL-MONTH).

The problem, for records that survived eligibility (``Item``) and the credential
minimums in force (``Sink``): choose how many CEUs of each item count (``c``)
and how many of those go to each minimum it may serve (``x``), such that

* an item gives at most ``c`` to core minimums and at most ``c`` to specialty
  minimums (one CEU may serve one core and one specialty minimum at once);
* a minimum takes at most what it requires (so what it shows is what it needs);
* the items of one cap group (E-INSTRUCTOR, E-POSTSECONDARY) count at most the cap;
* an item outside the current renewal month and outside any cap group counts whole.

The answer is the lexicographic optimum of these objectives, in order:

1. the most CEUs assigned to minimums (the smallest sum of shortfalls);
2. compliant: at least the required total counted; not compliant: everything
   countable counted;
3. the most current-renewal-month CEUs left out (rollover);
4. the most CEUs counted (a cap never leaves out more than it must);
5. ties between records whose count is still open (renewal-month records, records
   under a binding cap): the earliest record, by (date, id), counts as much as it
   can, then the next;

and, with every record's count so fixed, each layer's CEUs go to the minimums by
:func:`~ceu_compliance._flow.transport`, which fills the minimums in report order,
earliest class of records first. So the report is a function of the member, never
of the solver or the input order: "equally good" assignments are resolved by
rules 5 and the transport, not by pivoting luck (docs/design.md has the proofs).

How it is computed, from cheapest to dearest (amounts in integer units of the
data's grain, so nothing is rounded):

* no cap binds and nothing is left to decide (not compliant, or no renewal-month
  record): every record counts whole and the transport decides everything;
* otherwise, when every binding cap groups records that serve minimums of at
  most one layer: a min-cost flow (``_flow.Network``) in which a CEU runs
  source -> core minimum -> record -> specialty minimum -> sink, so that serving
  one minimum of each layer is one path, and the objectives are folded into
  integer costs;
* a cap over records of both layers makes the problem a linear program, solved
  one objective at a time by ``_solver``: HiGHS proposes, exact rationals check,
  the Fraction simplex (``_lp``) decides if the check fails.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from ._amounts import exact_decimal
from ._flow import Network, transport
from ._solver import Number, Row, StagedProgram

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


@dataclass(frozen=True, eq=False)
class Assignment:
    """Per item, in the order given: CEUs counted and CEUs assigned to each sink.

    Held as whole numbers of ``1 / per_ceu`` CEU (``units`` counted, ``shares``
    by sink), read as exact :attr:`counted` and :attr:`applied` fractions or, for
    the report, as decimals (:meth:`decimal`). ``method`` names the way the
    counts were decided (:data:`Method`); it is for tests and benchmarks. Two
    assignments are equal when their amounts are.
    """

    units: tuple[int, ...]
    shares: tuple[Mapping[str, int], ...]
    per_ceu: int
    compliant: bool
    method: Method = "transport"

    @property
    def counted(self) -> tuple[Fraction, ...]:
        return tuple(Fraction(u, self.per_ceu) for u in self.units)

    @property
    def applied(self) -> tuple[dict[str, Fraction], ...]:
        return tuple({k: Fraction(v, self.per_ceu) for k, v in x.items()} for x in self.shares)

    def decimal(self, units: int) -> Fraction | Decimal:
        """``units`` in CEUs: an exact decimal, or a fraction when it has no finite form."""
        return exact_decimal(units, self.per_ceu) or Fraction(units, self.per_ceu)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Assignment):
            return NotImplemented
        return (self.counted, self.applied, self.compliant) == (
            other.counted,
            other.applied,
            other.compliant,
        )

    __hash__ = None  # type: ignore[assignment]


#: A record's way through the flow: its core minimums, specialty minimums, binding cap.
Profile = tuple[tuple[int, ...], tuple[int, ...], str | None]

#: How an assignment's counts were decided, cheapest first (docs/design.md).
Method = Literal["transport", "rollover", "flow", "program"]


def assign(
    items: Sequence[Item],
    sinks: Sequence[Sink],
    caps: Mapping[str, Decimal],
    total_required: Decimal,
) -> Assignment:
    """The canonical optimal assignment described in the module docstring."""
    return _Problem(items, sinks, caps, total_required).solve()


def plan_assignment(
    items: Sequence[Item],
    sinks: Sequence[Sink],
    caps: Mapping[str, Decimal],
    total_required: Decimal,
) -> tuple[Assignment, Fraction]:
    """A completion plan's assignment (PL-MIN) and its N, the fewest new CEUs needed.

    Every item may count (no rollover is kept back: the plan asks what is still
    missing); ties are broken as for :func:`assign`.
    """
    problem = _Problem(items, sinks, caps, total_required)
    return problem.planned(problem.plan_counts())


@dataclass(frozen=True)
class Counts:
    """Every item's count, in units of the grain divided by ``denominator``.

    The flows count in whole units; only a linear program's vertex can be
    fractional (half-integral ones occur when a cap couples the layers).
    """

    values: list[int]
    denominator: int = 1

    @classmethod
    def of(cls, fractions: Sequence[Fraction]) -> Counts:
        denominator = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
        return cls([int(f * denominator) for f in fractions], denominator)


@dataclass(frozen=True)
class Span:
    """One period of a history, as the assignment sees it (H-SPLIT).

    ``shared`` maps the index of each item that the period shares with a
    neighbouring period (a renewal-month record) to its record id.
    """

    items: Sequence[Item]
    sinks: Sequence[Sink]
    caps: Mapping[str, Decimal]
    total_required: Decimal
    shared: Mapping[int, str]


def split(spans: Sequence[Span], *, use_highs: bool = True) -> list[dict[str, Fraction]]:
    """H-SPLIT: per border, the CEUs of each shared record that serve the earlier period.

    ``spans`` are consecutive periods, oldest first; a record shared by spans
    ``b`` and ``b + 1`` is split between them. One program over every period,
    each as :func:`assign` models it (a shared item counts freely, up to its CEUs
    in both periods together), maximised lexicographically: each period compliant
    if it can be, earliest first; then each period's shortfall (total and
    minimums) as small as it can be, earliest first; then at each border the
    earlier period takes as few shared CEUs as it can, and among those the
    earliest records serve it first.
    """
    borders = [
        {rid: i for i, rid in spans[b].shared.items() if rid in spans[b + 1].shared.values()}
        for b in range(len(spans) - 1)
    ]
    if not any(borders):
        return [{} for _ in borders]
    scale = max(_grain(s.items, s.sinks, s.caps, s.total_required) for s in spans)
    # A shared record is tagged with how the neighbouring period sees it, so that a
    # class of interchangeable records is one in both periods (one column each).
    seen = [{rid: _seen_as(span.items[i]) for i, rid in span.shared.items()} for span in spans]
    columns = _Columns()
    parts = {}
    scores: list[tuple[dict[int, int], int]] = []
    hopeless: list[bool] = []
    for k, span in enumerate(spans):
        # A period that shares no record with its neighbours is a block of the
        # program that no other touches: its objectives change no split.
        if not ((k and borders[k - 1]) or (k < len(borders) and borders[k])):
            continue
        items = [
            replace(it, flexible=True) if i in span.shared else it
            for i, it in enumerate(span.items)
        ]
        tags: dict[int, Hashable] = {}
        for i, rid in span.shared.items():
            if k and rid in seen[k - 1]:
                tags[i] = ("shared with the earlier period", seen[k - 1][rid])
            elif k + 1 < len(spans) and rid in seen[k + 1]:
                tags[i] = ("shared with the later period", seen[k + 1][rid])
        problem = _Problem(
            items, span.sinks, span.caps, span.total_required, scale=scale, tags=tags
        )
        count, owners, to_sink = _Linear.add(problem, columns)
        short = columns.column(0, None)
        columns.rows.append(Row({**dict.fromkeys(owners, 1), short: 1}, problem.total, None))
        score: dict[int, int] = {x: 1 for xs in to_sink.values() for x in xs}
        scores.append(({**score, short: -1}, sum(problem.r)))
        hopeless.append(problem.never_compliant())
        parts[k] = (problem, count)
    # Per border, the classes of shared records in the earlier period's objective-5
    # order: (column in the earlier period, its records in order, their CEUs there).
    earlier: list[list[tuple[int, list[str], list[int]]]] = []
    for b, border in enumerate(borders):
        if not border:
            earlier.append([])
            continue
        (problem, count), (later, later_count) = parts[b], parts[b + 1]
        later_index = {rid: i for i, rid in spans[b + 1].shared.items()}
        by_item = {i: rid for rid, i in border.items()}
        mine = []
        for members in problem.classes:
            records = [by_item[i] for i in members if i in by_item]
            if not records:
                continue
            column, then = count[members[0]], later_count[later_index[records[0]]]
            limit = sum(min(problem.a[border[r]], later.a[later_index[r]]) for r in records)
            columns.rows.append(Row({column: 1, then: 1}, None, limit))
            mine.append((column, records, [problem.a[border[r]] for r in records]))
        earlier.append(mine)

    program = columns.program(use_highs=use_highs)
    reached = []
    for (score, target), never in zip(scores, hopeless, strict=True):
        reached.append(not never and program.peek(score) == target)
        if reached[-1]:
            program.add_row(Row(score, target, None))
    for (score, _), made in zip(scores, reached, strict=True):
        if not made:
            program.maximize(score)
    for mine in earlier:
        if mine:
            program.maximize({column: -1 for column, _, _ in mine})
    served: list[dict[str, Fraction]] = []
    for mine in earlier:
        to_earlier: dict[str, Fraction] = {}
        for column, records, amounts in mine:
            if not program.fixed(column):
                program.fix(column, program.maximize({column: 1}))
            shares = earliest_first(program.lower[column], range(len(records)), amounts)
            to_earlier |= {r: share / scale for r, share in zip(records, shares, strict=True)}
        served.append(to_earlier)
    return served


def _seen_as(item: Item) -> Hashable:
    """What makes a record interchangeable with another in one period's assignment."""
    return (item.sinks, item.group, item.flexible)


def earliest_first(total: Number, members: Sequence[int], amounts: Sequence[int]) -> list[Fraction]:
    """``total`` shared out among ``members`` in order, each up to its amount."""
    left = Fraction(total)
    shares = []
    for i in members:
        share = min(left, Fraction(amounts[i]))
        shares.append(share)
        left -= share
    return shares


def _grain(
    items: Sequence[Item], sinks: Sequence[Sink], caps: Mapping[str, Decimal], total: Decimal
) -> int:
    """Units per CEU: 10 to the most decimal places any amount has (so all are whole)."""
    amounts = [i.amount for i in items] + [s.required for s in sinks] + [*caps.values(), total]
    places = 0
    for amount in amounts:
        exponent = amount.as_tuple().exponent
        assert isinstance(exponent, int)  # amounts are finite
        places = max(places, -exponent)
    return int(10**places)


class _Problem:
    """The assignment problem in integer units, and the ways of solving it."""

    def __init__(
        self,
        items: Sequence[Item],
        sinks: Sequence[Sink],
        caps: Mapping[str, Decimal],
        total_required: Decimal,
        *,
        scale: int = 1,
        tags: Mapping[int, Hashable] | None = None,
    ) -> None:
        self.items, self.sinks, self.decimal_caps = items, sinks, caps
        self.scale = max(scale, _grain(items, sinks, caps, total_required))
        self.a = [self.units(i.amount) for i in items]
        self.r = [self.units(s.required) for s in sinks]
        self.total = self.units(total_required)
        index = {s.key: k for k, s in enumerate(sinks)}
        self.core = [
            tuple(index[k] for k in i.sinks if sinks[index[k]].layer == "core") for i in items
        ]
        self.spec = [
            tuple(index[k] for k in i.sinks if sinks[index[k]].layer == "specialty") for i in items
        ]
        in_group: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.group:
                in_group[item.group] = in_group.get(item.group, 0) + self.a[i]
        # A cap that all its records together stay within changes nothing.
        self.cap = {
            g: self.units(caps[g]) for g, total in in_group.items() if total > self.units(caps[g])
        }
        self.group = [i.group if i.group in self.cap else None for i in items]
        self.by_order = sorted(range(len(items)), key=lambda i: items[i].order)
        # Objective 5 ranks open items in classes of interchangeable ones (same
        # minimums, cap and renewal-month standing; ``tags`` can split them
        # further): classes by their earliest item, then each class earliest first.
        classes: dict[Hashable, list[int]] = {}
        for i in self.by_order:
            if items[i].flexible or self.group[i] is not None:
                tag = tags.get(i) if tags else None
                key = (self.core[i], self.spec[i], self.group[i], items[i].flexible, tag)
                classes.setdefault(key, []).append(i)
        self.classes = list(classes.values())
        self.variable = [i for members in self.classes for i in members]
        self.countable = sum(a for a, g in zip(self.a, self.group, strict=True) if g is None)
        self.countable += sum(self.cap.values())

    def units(self, value: Decimal) -> int:
        scaled = value * self.scale
        whole = int(scaled)
        assert whole == scaled  # the grain makes every amount whole
        return whole

    def solve(self) -> Assignment:
        required = sum(self.r)
        counts: Counts
        method: Method = "flow"
        if not self.cap:
            counts = Counts(list(self.a))
            applied = self.transport(counts)
            best = sum(sum(x.values()) for x in applied)
            compliant = best == required and self.countable >= self.total
            method = "transport"
            if compliant and self.variable:
                counts, applied, method = self.rollover_counts()
        elif self.spanning():
            counts, compliant = self.lp_counts()
            applied = self.transport(counts)
            method = "program"
        else:
            counts = self.flow_counts(compliant=True)
            applied = self.transport(counts)
            best = sum(sum(x.values()) for x in applied)
            compliant = best == required and self.countable >= self.total
            if not compliant:
                counts = self.flow_counts(compliant=False)
                applied = self.transport(counts)
        return self.result(counts, applied, compliant, method)

    def rollover_counts(self) -> tuple[Counts, list[dict[int, int]], Method]:
        """Compliant, no cap binding: how much of the renewal-month items must count.

        Often nothing: when the other items meet every requirement alone, all of
        the renewal month rolls over (objective 3 at its largest, so objective 5
        has nothing to rank). Otherwise the min-cost flow decides.
        """
        alone = Counts([0 if self.items[i].flexible else a for i, a in enumerate(self.a)])
        applied = self.transport(alone)
        assigned = sum(sum(x.values()) for x in applied)
        if assigned == sum(self.r) and sum(alone.values) >= self.total:
            return alone, applied, "rollover"
        counts = self.flow_counts(compliant=True)
        return counts, self.transport(counts), "flow"

    def result(
        self,
        counts: Counts,
        applied: Sequence[Mapping[int, int]],
        compliant: bool,
        method: Method = "transport",
    ) -> Assignment:
        """Counts and shares, in units, as an :class:`Assignment` in CEUs."""
        keys = [s.key for s in self.sinks]
        return Assignment(
            units=tuple(counts.values),
            shares=tuple({keys[k]: v for k, v in x.items()} for x in applied),
            per_ceu=self.scale * counts.denominator,
            compliant=compliant,
            method=method,
        )

    def never_compliant(self) -> bool:
        """Whether no assignment at all meets every requirement: the items count less
        than the total, or those a minimum may take sum to less than it requires."""
        if self.countable < self.total:
            return True
        serving = [0] * len(self.sinks)
        for i, a in enumerate(self.a):
            for k in (*self.core[i], *self.spec[i]):
                serving[k] += a
        return any(s < r for s, r in zip(serving, self.r, strict=True))

    def spanning(self) -> bool:
        """Whether a binding cap groups records that serve minimums of both layers."""
        return any(self.gate_side(g) is None for g in self.cap)

    def gate_side(self, group: str) -> str | None:
        """Where a cap can sit in the flow: on the side of the layer its records never serve."""
        members = [i for i, g in enumerate(self.group) if g == group]
        if not any(self.spec[i] for i in members):
            return "specialty"
        if not any(self.core[i] for i in members):
            return "core"
        return None

    # ---------------------------------------------------------------- transport

    def transport(self, counts: Counts) -> list[dict[int, int]]:
        """Per item, what it gives to each sink (as ``counts``): layers filled in sink order."""
        whole, denominator = counts.values, counts.denominator
        applied: list[dict[int, int]] = [{} for _ in self.items]
        for serves in (self.core, self.spec):
            classes: dict[tuple[int, ...], list[int]] = {}
            for i in self.by_order:
                if serves[i] and whole[i]:
                    classes.setdefault(serves[i], []).append(i)
            keys = list(classes)
            flows = transport(
                [sum(whole[i] for i in classes[key]) for key in keys],
                keys,
                [r * denominator for r in self.r],
            )
            for key, flow in zip(keys, flows, strict=True):
                room = {i: whole[i] for i in classes[key]}
                for k in sorted(flow):
                    need = flow[k]
                    for i in classes[key]:
                        share = min(room[i], need)
                        if share:
                            applied[i][k] = share
                            room[i] -= share
                            need -= share
        return applied

    # ---------------------------------------------------------------- min-cost flow

    def flow_counts(self, *, compliant: bool, rollover: bool = True) -> Counts:
        """Every item's count: the lexicographic optimum as a min-cost flow.

        A CEU runs source -> (core minimum or core bypass) -> record -> (specialty
        minimum or specialty bypass) -> sink, so one path serves one minimum of
        each layer at most and the flow through a record is its count. A binding
        cap whose records serve no specialty minimum sits on the specialty bypass
        (no core minimum: on the core bypass). The objectives are integer costs,
        each weight larger than everything the lower objectives can add up to.
        """
        a, items, classes = self.a, self.items, self.classes
        # Objective 5 ranks classes of interchangeable items, earliest item
        # first within a class: one edge per class, so the weights are powers
        # of the number of classes, not of the records (thousands of digits
        # for thousands of renewal-month records otherwise).
        n = len(classes)
        size = [sum(a[i] for i in members) for members in classes]
        big = max(size, default=0) + 2
        bound = 4 * (sum(a) + self.total + sum(self.r)) + 8
        w_count = big**n  # objective 4; objective 5 adds up to less than this
        w_rollover = w_count * bound
        w_total = w_rollover * bound
        w_minimums = w_total * bound
        w_must = w_minimums * bound

        net = Network()
        source, start, sink, core_bypass, spec_bypass = (net.node() for _ in range(5))
        infinite = sum(a) + self.total + 1
        if compliant:
            bonus = net.edge(source, start, self.total, -w_total)
            free = net.edge(source, start, infinite)
        else:
            bonus = free = net.edge(source, start, infinite, -w_total)
        hub = {}
        hub_edge = {}
        for k, s in enumerate(self.sinks):
            hub[k] = net.node()
            if s.layer == "core":
                hub_edge[k] = net.edge(start, hub[k], self.r[k], -w_minimums)
            else:
                hub_edge[k] = net.edge(hub[k], sink, self.r[k], -w_minimums)
        into_core_bypass = net.edge(start, core_bypass, infinite)
        out_of_spec_bypass = net.edge(spec_bypass, sink, infinite)
        gate = {}
        for g, cap in self.cap.items():
            gate[g] = net.node()
            if self.gate_side(g) == "specialty":
                net.edge(gate[g], spec_bypass, cap)
            else:
                net.edge(core_bypass, gate[g], cap)

        # One node pair per (core minimums, specialty minimums, cap): the fixed
        # items of a profile share one edge, each open item has its own.
        profiles: dict[Profile, _Route] = {}

        def route(key: Profile) -> _Route:
            if key not in profiles:
                profiles[key] = _Route.build(net, key, hub, core_bypass, spec_bypass, gate, self)
            return profiles[key]

        open_items = set(self.variable)
        fixed: dict[Profile, int] = {}
        for i in self.by_order:
            if i not in open_items:
                key = self.profile(i)
                fixed[key] = fixed.get(key, 0) + a[i]
        edge_of: list[int] = []
        for c, members in enumerate(classes):
            way = route(self.profile(members[0]))
            cost = -w_count - big ** (n - 1 - c)
            if rollover and items[members[0]].flexible:
                cost += w_rollover
            edge_of.append(net.edge(way.inn, way.out, size[c], cost))

        # Start from the fixed items, each layer filled as far as it goes: the
        # cheapest flow of that value, as successive shortest paths require.
        keys = list(fixed)
        core_flow = transport([fixed[k] for k in keys], [k[0] for k in keys], self.r)
        spec_flow = transport([fixed[k] for k in keys], [k[1] for k in keys], self.r)
        for key, core, spec in zip(keys, core_flow, spec_flow, strict=True):
            way, amount = route(key), fixed[key]
            net.push(net.edge(way.inn, way.out, amount, -w_must), amount)
            for k, share in core.items():
                net.push(hub_edge[k], share)
                net.push(way.from_hub[k], share)
            net.push(into_core_bypass, amount - sum(core.values()))
            net.push(way.entry, amount - sum(core.values()))
            for m, share in spec.items():
                net.push(way.to_hub[m], share)
                net.push(hub_edge[m], share)
            net.push(way.exit, amount - sum(spec.values()))
            net.push(out_of_spec_bypass, amount - sum(spec.values()))
        placed = sum(fixed.values())
        first = min(placed, self.total) if compliant else placed
        net.push(bonus, first)
        if placed > first:
            net.push(free, placed - first)

        net.improve(source, sink)
        counts = list(a)
        for members, edge in zip(classes, edge_of, strict=True):
            flow = net.flow(edge)
            for i in members:  # earliest first
                counts[i] = min(a[i], flow)
                flow -= counts[i]
        return Counts(counts)

    # ---------------------------------------------------------------- linear program

    def lp_counts(self, *, use_highs: bool = True) -> tuple[Counts, bool]:
        """Every item's count as a linear program, one objective at a time (``_solver``).

        Needed when a binding cap spans both layers. ``use_highs=False`` is the
        exact reference.
        """
        lp = _Linear.of(self, use_highs=use_highs)
        program = lp.program
        best = program.maximize(lp.assigned())
        compliant = best == sum(self.r) and self.countable >= self.total
        program.add_row(Row(lp.counted(), self.total if compliant else self.countable, None))
        flexible = {lp.count[i]: -1 for i in self.variable if self.items[i].flexible}
        if flexible:
            program.maximize(flexible)
        program.maximize(lp.counted())
        return lp.rank_and_read(), compliant

    def plan_counts(self) -> Counts:
        """The counts of a completion plan (PL-MIN): fewest new CEUs, then objectives 1, 4, 5.

        With ``T``, ``C`` and ``S`` the shortfalls of the total and of the core and
        specialty minimums, ``max(T, C, S)`` new CEUs are needed (a new CEU can
        serve one minimum of each layer). Without a cap over both layers, each
        layer's shortfall depends on the records of one cap group at most, so it
        is smallest when the most CEUs go to minimums: the flow decides.
        """
        if not self.cap:
            return Counts(list(self.a))
        if not self.spanning():
            return self.flow_counts(compliant=False, rollover=False)
        return self.plan_lp_counts()

    def plan_lp_counts(self, *, use_highs: bool = True) -> Counts:
        """:meth:`plan_counts` as a linear program with ``n >= T, C, S`` (any caps)."""
        lp = _Linear.of(self, use_highs=use_highs)
        program = lp.program
        n = program.add_column(0, None)
        program.add_row(Row({**lp.counted(), n: 1}, self.total, None))
        for layer in ("core", "specialty"):
            sinks = [k for k, s in enumerate(self.sinks) if s.layer == layer]
            if sinks:
                row: dict[int, int] = {x: 1 for k in sinks for x in lp.to_sink[k]}
                program.add_row(Row({**row, n: 1}, sum(self.r[k] for k in sinks), None))
        program.maximize({n: -1})
        program.maximize(lp.assigned())
        program.maximize(lp.counted())
        return lp.rank_and_read()

    def profile(self, i: int) -> Profile:
        return self.core[i], self.spec[i], self.group[i]

    def planned(self, counts: Counts) -> tuple[Assignment, Fraction]:
        """A plan's assignment of ``counts`` (shares by the transport) and its N."""
        applied = self.transport(counts)
        least = self.shortfall(counts, applied)
        return self.result(counts, applied, least == 0), least

    def shortfall(self, counts: Counts, applied: Sequence[Mapping[int, int]]) -> Fraction:
        """PL-MIN's N for an assignment: ``max(T, C, S)``, in CEUs."""
        to_sink = [0] * len(self.sinks)
        for shares in applied:
            for k, v in shares.items():
                to_sink[k] += v
        per_unit = counts.denominator
        short = [max(0, self.total - self.countable) * per_unit]
        for layer in ("core", "specialty"):
            short.append(
                sum(
                    self.r[k] * per_unit - to_sink[k]
                    for k, s in enumerate(self.sinks)
                    if s.layer == layer
                )
            )
        return Fraction(max(short), self.scale * per_unit)


@dataclass
class _Columns:
    """Columns and rows being gathered for one :class:`StagedProgram`."""

    lower: list[int] = field(default_factory=list)
    upper: list[int | None] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def column(self, low: int, high: int | None) -> int:
        self.lower.append(low)
        self.upper.append(high)
        return len(self.lower) - 1

    def program(self, *, use_highs: bool) -> StagedProgram:
        return StagedProgram(self.lower, self.upper, self.rows, use_highs=use_highs)


@dataclass
class _Linear:
    """The assignment as a :class:`StagedProgram`: count and share columns, the rules as rows.

    Fixed items with the same minimums share one count column; every open item
    has its own, so that objective 5 can rank them.
    """

    problem: _Problem
    program: StagedProgram
    count: Mapping[int, int]  # item -> its count column
    owners: Sequence[int]  # the count columns
    to_sink: Mapping[int, Mapping[int, int]]  # sink -> its share columns

    @classmethod
    def of(cls, problem: _Problem, *, use_highs: bool) -> _Linear:
        columns = _Columns()
        count, owners, to_sink = cls.add(problem, columns)
        return cls(problem, columns.program(use_highs=use_highs), count, owners, to_sink)

    @staticmethod
    def add(
        problem: _Problem, columns: _Columns
    ) -> tuple[dict[int, int], list[int], dict[int, dict[int, int]]]:
        """Add ``problem``'s columns and rows: (item -> count column, count columns, shares)."""
        lower, upper, rows, column = columns.lower, columns.upper, columns.rows, columns.column

        count: dict[int, int] = {}
        for members in problem.classes:
            j = column(0, sum(problem.a[i] for i in members))
            count.update(dict.fromkeys(members, j))
        shared: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
        for i in problem.by_order:
            if i in count:
                continue
            key = (problem.core[i], problem.spec[i])
            if key not in shared:
                shared[key] = column(0, 0)
            j = count[i] = shared[key]
            lower[j] += problem.a[i]
            upper[j] = lower[j]
        owners = sorted(set(count.values()))
        sample = {j: i for i, j in count.items()}
        to_sink: dict[int, dict[int, int]] = {k: {} for k in range(len(problem.sinks))}
        for j in owners:
            i = sample[j]
            for layer in (problem.core[i], problem.spec[i]):
                if layer:
                    row: dict[int, int] = {j: -1}
                    for k in layer:
                        x = column(0, None)
                        row[x] = 1
                        to_sink[k][x] = 1
                    rows.append(Row(row, None, 0))
        for k, xs in to_sink.items():
            if xs:
                rows.append(Row(dict(xs), None, problem.r[k]))
        for g, cap in problem.cap.items():
            members = [i for i in problem.variable if problem.group[i] == g]
            rows.append(Row(dict.fromkeys((count[i] for i in members), 1), None, cap))
        return count, owners, to_sink

    def assigned(self) -> dict[int, int]:
        return {x: 1 for xs in self.to_sink.values() for x in xs}

    def counted(self) -> dict[int, int]:
        return dict.fromkeys(self.owners, 1)

    def rank_and_read(self) -> Counts:
        """Objective 5 (earliest class of open items first), then every item's count."""
        problem, program = self.problem, self.program
        counts = [Fraction(a) for a in problem.a]
        for members in problem.classes:
            j = self.count[members[0]]
            if not program.fixed(j):
                program.fix(j, program.maximize({j: 1}))
            shares = earliest_first(program.lower[j], members, problem.a)
            for i, share in zip(members, shares, strict=True):
                counts[i] = share
        return Counts.of(counts)


@dataclass(frozen=True)
class _Route:
    """A profile's two nodes and the edges that bring CEUs in and take them out."""

    inn: int
    out: int
    entry: int  # from the core bypass (or the cap's gate)
    exit: int  # to the specialty bypass (or the cap's gate)
    from_hub: Mapping[int, int]
    to_hub: Mapping[int, int]

    @classmethod
    def build(
        cls,
        net: Network,
        key: Profile,
        hub: Mapping[int, int],
        core_bypass: int,
        spec_bypass: int,
        gate: Mapping[str, int],
        problem: _Problem,
    ) -> _Route:
        core, spec, group = key
        inn, out = net.node(), net.node()
        infinite = sum(problem.a) + problem.total + 1
        from_hub = {k: net.edge(hub[k], inn, infinite) for k in core}
        side = problem.gate_side(group) if group else None
        entry_from = gate[group] if group and side == "core" else core_bypass
        entry = net.edge(entry_from, inn, infinite)
        to_hub = {m: net.edge(out, hub[m], infinite) for m in spec}
        exit_to = gate[group] if group and side == "specialty" else spec_bypass
        exit_ = net.edge(out, exit_to, infinite)
        return cls(inn, out, entry, exit_, from_hub, to_hub)
