"""What every benchmark section shares: settings, timing, tables and target checks.

A section is a function ``(Settings) -> list[Check]``: it measures, prints its own
table, and returns the figures that have a target, which ``run.py`` collects into
the closing table.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    seed: int
    quick: bool
    roster_members: int | None = None  # None: the section's own size for the run


@dataclass(frozen=True)
class Check:
    """A figure next to its target: ``figure <= limit`` (or ``>=`` when ``at_least``)."""

    what: str
    figure: float
    limit: float
    unit: str = "x"
    at_least: bool = False

    @property
    def passed(self) -> bool:
        return self.figure >= self.limit if self.at_least else self.figure <= self.limit

    @property
    def target(self) -> str:
        return f"{'>=' if self.at_least else '<='} {number(self.limit)}{self.unit}"


Section = Callable[[Settings], list[Check]]


def number(value: float) -> str:
    """Three significant figures, no exponent (``0.482``, ``12.3``, ``1,234``)."""
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 0.001 else f"{value:.2e}"


def duration(seconds: float) -> str:
    """A duration in the unit that reads best: ``38 µs``, ``4.21 ms``, ``1.93 s``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs" if seconds < 1e-4 else f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms" if seconds < 0.1 else f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p50: ``fraction=0.5``)."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def wall_per_call(
    calls: dict[str, Callable[[str], object]],
    inputs: Sequence[str],
    rounds: int,
    *,
    batched: bool = False,
) -> dict[str, list[float]]:
    """Wall-clock seconds of every call on every input, ``rounds`` times.

    The calls are interleaved so that a change of load on a shared machine hits
    every column alike and cancels in their ratios: each input goes through every
    call in turn, or, ``batched``, each call goes through every input in turn (as
    a roster job would run it, with its code and data warm in the CPU caches). One
    untimed pass first loads the rule pack and warms caches.
    """
    for text in inputs:
        for call in calls.values():
            call(text)
    gc.collect()
    times: dict[str, list[float]] = {name: [] for name in calls}
    clock = time.perf_counter
    order = (
        [(name, text) for name in calls for text in inputs]
        if batched
        else [(name, text) for text in inputs for name in calls]
    )
    for _ in range(rounds):
        for name, text in order:
            call = calls[name]
            began = clock()
            call(text)
            times[name].append(clock() - began)
    return times


def cpu_per_call(call: Callable[[], object], *, budget: float, most: int) -> list[float]:
    """CPU seconds of ``call``, repeated until ``budget`` CPU seconds are spent (at least
    once, at most ``most`` times). CPU time is what other jobs on the machine disturb least."""
    gc.collect()
    spent: list[float] = []
    while not spent or (sum(spent) < budget and len(spent) < most):
        began = time.process_time()
        call()
        spent.append(time.process_time() - began)
    return spent


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print ``rows`` under ``headers``: the first column left-aligned, the others right."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        first, *rest = (str(c) for c in cells)
        parts = [first.ljust(widths[0])]
        parts += [cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)]
        return "  ".join(parts).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def title(text: str) -> None:
    print()
    print(f"== {text} ==")
