"""Every benchmark figure in one run, each beside its floors and its target.

Run from the repository root (not part of the test suite; nothing here is asserted)::

    python benchmarks/run.py            # full run, about 3 minutes on 2 cores
    python benchmarks/run.py --quick    # reduced sizes and repetitions, well under a minute
    python -m benchmarks --only latency,peer --seed 7
    python benchmarks/run.py --profile typical        # cProfile of evaluate, top 25

The run is a list of sections (``SECTIONS``); each measures, prints its own table
and returns its figures that have a target, and the run closes with every target,
PASS or MISS. Members come from the seeded generators in ``members.py``, so every
run measures the same inputs. The floors, ``json.loads`` and
``Member.model_validate_json`` of the same text, are measured in the same run on
the same inputs, so machine load cancels in the ratios.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import resource
import sys
import time
from collections.abc import Callable
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import members
from benchmarks.harness import (
    Check,
    Section,
    Settings,
    cpu_per_call,
    duration,
    number,
    percentile,
    table,
    title,
    wall_per_call,
)
from ceu_compliance import Member, default_rule_pack, evaluate, evaluate_history, parse_member, plan
from ceu_compliance._solver import FALLBACKS

AS_OF = members.AS_OF
PACK = default_rule_pack()

# What is measured on every member, in this order: the floors, then the engine.
CALLS: dict[str, Callable[[str], object]] = {
    "json.loads": json.loads,
    "model_validate_json": Member.model_validate_json,
    "parse_member": lambda text: parse_member(text, PACK),
    "evaluate": lambda text: evaluate(text, as_of=AS_OF),
    "plan": lambda text: plan(text, as_of=AS_OF),
    "history(3)": lambda text: evaluate_history(text, periods=3, as_of=AS_OF),
}

SMALL: dict[str, Callable[[int, int], dict[str, Any]]] = {
    "simple": members.simple,
    "typical": members.typical,
    "complex": members.complex_member,
}


def _large(quick: bool) -> dict[str, Callable[[int], dict[str, Any]]]:
    """The big members by name; ``--quick`` leaves out the 10,000-record one."""
    sizes = (100, 1_000) if quick else (100, 1_000, 10_000)
    out: dict[str, Callable[[int], dict[str, Any]]] = {
        f"worst-{n}": partial(members.worst_case, records=n) for n in sizes
    }
    out["adversarial"] = members.adversarial
    return out


def latency(settings: Settings) -> list[Check]:
    """Small members: wall-clock distribution of each call, and the ratios between them."""
    count, rounds = (5, 4) if settings.quick else (20, 20)
    title(
        f"Per-call latency, wall clock: p50 / p99 over {count} members x {rounds} rounds "
        f"= {count * rounds} calls each, interleaved"
    )
    stats: dict[str, dict[str, tuple[float, float]]] = {}
    rows = []
    for kind, make in SMALL.items():
        texts = [json.dumps(make(settings.seed, n)) for n in range(count)]
        times = wall_per_call(CALLS, texts, rounds)
        stats[kind] = {c: (percentile(t, 0.5), percentile(t, 0.99)) for c, t in times.items()}
        records = len(json.loads(texts[0])["records"])
        rows.append(
            [kind, str(records)]
            + [f"{duration(p50)} / {duration(p99)}" for p50, p99 in stats[kind].values()]
        )
    table(["member", "records", *CALLS], rows)

    print()
    print("Ratios of p50s (same run, same inputs):")
    ratios = {
        "evaluate / json.loads": ("evaluate", "json.loads"),
        "evaluate / model_validate_json": ("evaluate", "model_validate_json"),
        "parse_member / model_validate_json": ("parse_member", "model_validate_json"),
        "plan / evaluate": ("plan", "evaluate"),
        "history(3) / evaluate": ("history(3)", "evaluate"),
    }
    table(
        ["member", *ratios],
        [
            [kind] + [f"{number(s[a][0] / s[b][0])}x" for a, b in ratios.values()]
            for kind, s in stats.items()
        ],
    )
    typical = stats["typical"]
    return [
        Check(
            "typical: evaluate p50 / json.loads p50", _ratio(typical, "evaluate", "json.loads"), 15
        ),
        Check("typical: plan p50 / evaluate p50", _ratio(typical, "plan", "evaluate"), 2),
        Check(
            "typical: history(3) p50 / evaluate p50", _ratio(typical, "history(3)", "evaluate"), 3
        ),
        Check(
            "typical: parse_member p50 / model_validate_json p50",
            _ratio(typical, "parse_member", "model_validate_json"),
            1.5,
        ),
    ]


def _ratio(stats: dict[str, tuple[float, float]], a: str, b: str) -> float:
    return stats[a][0] / stats[b][0]


def large(settings: Settings) -> list[Check]:
    """The worst-case family and the adversarial member: CPU seconds per call."""
    budget, most = (0.0, 1) if settings.quick else (8.0, 15)
    repeats = (
        "once each"
        if settings.quick
        else (f"median, each call repeated until {budget:g} CPU s are spent, at most {most} times")
    )
    title(f"Large members, CPU seconds per call ({repeats})")
    medians: dict[str, dict[str, float]] = {}
    rows = []
    for name, make in _large(settings.quick).items():
        data = make(settings.seed)
        text = json.dumps(data)
        medians[name] = {}
        reps = []
        for call_name, call in CALLS.items():
            spent = cpu_per_call(partial(call, text), budget=budget, most=most)
            medians[name][call_name] = percentile(spent, 0.5)
            reps.append(len(spent))
        held = len(data["credentials"]) - 1
        rows.append(
            [name, f"{len(data['records']):,}", f"CPC+{held}"]
            + [duration(s) for s in medians[name].values()]
            + ["/".join(map(str, reps))]
        )
        if sys.stderr.isatty():  # the 10,000-record history takes minutes
            print(f"  measured {name}", file=sys.stderr, flush=True)
    table(["member", "records", "held", *CALLS, "repetitions"], rows)

    checks = [
        Check(
            "worst-case 1,000 records: evaluate CPU", medians["worst-1000"]["evaluate"], 0.5, " s"
        )
    ]
    small, big = ("worst-100", "worst-1000") if settings.quick else ("worst-1000", "worst-10000")
    print()
    for call_name in ("evaluate", "plan", "history(3)"):
        growth = medians[big][call_name] / medians[small][call_name]
        print(f"Growth of {call_name} from {small} to {big}: {number(growth)}x")
    if not settings.quick:
        w10k = medians["worst-10000"]
        checks += [
            Check("worst-case 10,000 records: evaluate CPU", w10k["evaluate"], 5, " s"),
            Check(
                "worst-case evaluate growth 1,000 -> 10,000 records",
                w10k["evaluate"] / medians["worst-1000"]["evaluate"],
                15,
            ),
            Check(
                "worst-case 10,000 records: history(3) / evaluate",
                w10k["history(3)"] / w10k["evaluate"],
                3,
            ),
        ]
    adversarial = medians["adversarial"]
    checks += [
        Check(f"adversarial 500 records: {c} CPU", adversarial[c], 1, " s")
        for c in ("evaluate", "plan", "history(3)")
    ]
    return checks


def peer(settings: Settings) -> list[Check]:
    """zen-engine's simpler decision beside the engine's full evaluate, members/s."""
    count, rounds, checked = (50, 2, 10) if settings.quick else (200, 5, 40)
    title(f"Peer: GoRules zen-engine decision (benchmarks/peers/) on {count} typical members")
    try:
        from benchmarks.peers import zen_peer
    except ImportError:
        print("skipped: zen-engine is not installed (pip install -e '.[bench]')")
        return []
    decision = zen_peer.load()
    texts = [json.dumps(members.typical(settings.seed, n)) for n in range(count)]

    agreed = zen_peer.agreement(decision, texts[:checked], AS_OF)
    print(
        f"Agreement on {agreed.members} members: {agreed.catalog} catalog and tier rows against "
        f"the rule pack, {agreed.required} required CEUs, {agreed.met_equal} met/not met "
        f"(rejected records removed) equal, {agreed.met_implied} 'engine met => peer met'; "
        f"{len(agreed.disagreements)} disagreements"
    )
    for line in agreed.disagreements:
        print(f"  DISAGREE {line}")

    calls: dict[str, Callable[[str], object]] = {
        "ceu_compliance.evaluate (full rules)": lambda text: evaluate(text, as_of=AS_OF),
        "zen-engine (tier + minimums only)": lambda text: zen_peer.decide(decision, text),
    }
    times = wall_per_call(calls, texts, rounds, batched=True)
    rows = []
    rates = {}
    for name, spent in times.items():
        rates[name] = len(spent) / sum(spent)
        rows.append(
            [
                name,
                f"{rates[name]:,.0f}",
                duration(percentile(spent, 0.5)),
                duration(percentile(spent, 0.99)),
            ]
        )
    print()
    table(["from the member's JSON text", "members/s", "p50", "p99"], rows)
    engine, zen_rate = rates.values()
    return [
        Check(
            "evaluate members/s / zen-engine members/s", engine / zen_rate, 1, "x", at_least=True
        ),
        Check("zen-engine peer: disagreements with the engine", len(agreed.disagreements), 0, ""),
    ]


def mix(settings: Settings) -> list[Check]:
    """A realistic roster mix: evaluate's throughput and latency tail (no target)."""
    count = 100 if settings.quick else 1_000
    texts = [json.dumps(members.mixed(settings.seed, n)) for n in range(count)]
    records = sum(len(json.loads(t)["records"]) for t in texts)
    title(
        f"Roster mix: {count} members, {records:,} records (60 % CPC only, 30 % with one or "
        "two minimums, 10 % with four); evaluate one after another"
    )
    evaluate(texts[0], as_of=AS_OF)
    latencies = []
    compliant = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    for text in texts:
        start = time.perf_counter()
        compliant += evaluate(text, as_of=AS_OF).compliant
        latencies.append(time.perf_counter() - start)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    table(
        ["members/s", "per CPU-second", "p50", "p90", "p99", "max", "compliant"],
        [
            [
                f"{count / elapsed:,.0f}",
                f"{count / cpu:,.0f}",
                *(duration(percentile(latencies, f)) for f in (0.5, 0.9, 0.99)),
                duration(max(latencies)),
                f"{compliant}/{count}",
            ]
        ],
    )
    return []


def roster(settings: Settings) -> list[Check]:
    """``ceu-compliance batch`` on a JSON Lines roster end to end, beside the floor (issue 8).

    Each figure comes from a fresh process (bench_roster.py), so peak RSS is the
    batch's own. ``--roster-members 1000000`` is the issue's full roster.
    """
    from benchmarks import bench_roster

    count = settings.roster_members or (300 if settings.quick else 10_000)
    title(f"Roster end to end: ceu-compliance batch on {count:,} members (JSON Lines)")
    floor, *batches = bench_roster.compare(count, settings.seed, jobs=(1, 2))
    one, two = batches
    return [
        Check(
            "roster: batch --jobs 1 speed / floor speed", one.rate / floor.rate, 0.5, at_least=True
        ),
        Check(
            "roster: peak RSS of any process",
            max(run.peak_rss for run in batches) / 2**20,
            300,
            " MB",
        ),
        Check("roster: --jobs 2 speed / --jobs 1 speed", two.rate / one.rate, 1.8, at_least=True),
    ]


# The documented bound of docs/reliability.md: every call within the default
# limits ends within it, in CPU seconds on the 2-core machine.
WORST_BOUND = 30.0


def worst(settings: Settings) -> list[Check]:
    """The worst inputs within the default limits, one call each (issue 9).

    ``--quick`` leaves out the 10,000-record ones, which take seconds each.
    """
    from benchmarks.worst_inputs import worst_inputs

    title("Worst inputs within the default limits (docs/reliability.md), CPU of one call")
    rows = []
    slowest = 0.0
    for item in worst_inputs(settings.seed):
        if settings.quick and item.heavy:
            continue
        before = FALLBACKS.value
        seconds, outcome = item.timed()
        slowest = max(slowest, seconds)
        rows.append([item.name, duration(seconds), outcome, FALLBACKS.value - before, item.about])
    table(["input", "CPU", "outcome", "fall-backs", "what it is"], rows)
    return [Check("worst input within the limits: slowest call", slowest, WORST_BOUND, " s")]


def service(settings: Settings) -> list[Check]:
    """The reference HTTP service beside the library in-process (no target)."""
    count, single = (300, 100) if settings.quick else (5_000, 500)
    title(f"Reference service (examples/service) over HTTP on 127.0.0.1, {count:,} small members")
    try:
        from benchmarks import bench_service
    except ImportError as missing:
        print(f"skipped: {missing.name} is not installed (pip install -e '.[service,test]')")
        return []
    bench_service.compare(count, single)
    return []


SECTIONS: dict[str, Section] = {
    "latency": latency,
    "large": large,
    "peer": peer,
    "mix": mix,
    "worst": worst,
    "roster": roster,
    "service": service,
}


def _versions() -> str:
    found = []
    for name in ("ceu-compliance", "pydantic", "highspy", "zen-engine"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def _profile(kind: str, call_name: str, seed: int) -> None:
    """cProfile of one call on one member, top 25 by cumulative time."""
    make = SMALL.get(kind)
    data = make(seed, 0) if make else _large(False)[kind](seed)
    text = json.dumps(data)
    call = CALLS[call_name]
    call(text)  # warm: rule pack loaded, caches filled
    repeat = 50 if make else 1
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call(text)
    profiler.disable()
    print(
        f"cProfile: {call_name} on {kind} ({len(data['records'])} records) x {repeat}, seed {seed}"
    )
    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced run, well under a minute")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument(
        "--only", help=f"comma-separated sections to run, of: {', '.join(SECTIONS)}"
    )
    parser.add_argument(
        "--roster-members",
        type=int,
        metavar="N",
        help="members in the roster section (default 10,000; 300 with --quick)",
    )
    parser.add_argument(
        "--profile",
        metavar="MEMBER",
        choices=[*SMALL, *_large(False)],
        help="profile one member instead: " + ", ".join([*SMALL, *_large(False)]),
    )
    parser.add_argument(
        "--call", default="evaluate", choices=list(CALLS)[3:], help="with --profile"
    )
    args = parser.parse_args(argv)
    if args.profile:
        _profile(args.profile, args.call, args.seed)
        return 0
    chosen = args.only.split(",") if args.only else list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    settings = Settings(seed=args.seed, quick=args.quick, roster_members=args.roster_members)

    print(f"ceu-compliance benchmarks, {'quick' if args.quick else 'full'} run, seed {args.seed}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}) on "
        f"{platform.machine()}, {platform.platform()}, {os.cpu_count()} CPUs, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(_versions())
    began = time.perf_counter()
    checks: list[Check] = []
    fallbacks = FALLBACKS.value
    for name in chosen:
        before = FALLBACKS.value
        checks += SECTIONS[name](settings)
        print(f"(exact-check fall-backs in {name}: {FALLBACKS.value - before})", flush=True)
    checks.append(
        Check("exact-check fall-backs to the reference simplex", FALLBACKS.value - fallbacks, 0, "")
    )

    title("Targets (issues 7, 8 and 9)")
    table(
        ["figure", "measured", "target", ""],
        [
            [c.what, f"{number(c.figure)}{c.unit}", c.target, "PASS" if c.passed else "MISS"]
            for c in checks
        ],
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{sum(c.passed for c in checks)} of {len(checks)} targets met; "
        f"{time.perf_counter() - began:.0f} s wall, {time.process_time():.0f} s CPU, "
        f"peak RSS {peak:,.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
