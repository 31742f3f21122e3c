"""Throughput and latency of ``evaluate`` on realistic members (not part of the test suite).

Run from the repository root::

    python benchmarks/bench_evaluate.py                # 1,000 members, seed 2027
    python benchmarks/bench_evaluate.py --members 5000 --seed 7 --worst-records 300

It generates members with a seeded ``random.Random`` (so every run measures the
same inputs), evaluates each one as JSON data of docs/format.md (validation
included, as a service would call it) and prints members per second (wall
clock, and per CPU-second, which a busy machine disturbs less), the p50, p90,
p99 and maximum latency, and the latency of one worst-case member: five
credentials with minimums, 200 records spread over every combination of
approvals, both period caps and the renewal months.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from ceu_compliance import evaluate

DUE = dt.date(2027, 3, 31)
START = dt.date(2025, 4, 1)
AS_OF = dt.date(2027, 3, 31)
PREVIOUS_MONTH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
RENEWAL_MONTH = (dt.date(2027, 3, 1), DUE)

CORE_MINIMUMS = ("CPMA", "CPCO", "CIRCC", "CPPM", "CDEO")
SPECIALTIES = ("CEMC", "CCC", "CANPC", "CGSC", "CPEDC")
PROVIDERS = ("AAPC", "AAPC", "ZHealth Publishing", "CMS", "State College", "Acme Seminars")


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def amount(rng: random.Random, low: int = 5, high: int = 40) -> str:
    """CEUs as a decimal string with at most one decimal place (0.5 to 4 by default)."""
    whole, tenth = divmod(rng.randint(low, high), 10)
    return f"{whole}.{tenth}" if tenth else str(whole)


def record(
    rng: random.Random,
    n: int,
    held: list[str],
    *,
    renewal_share: float = 0.1,
    capped_share: float = 0.0,
) -> dict[str, Any]:
    """One record: mostly approved webinars and courses, some of everything else."""
    roll = rng.random()
    if roll < renewal_share:
        day = day_between(rng, *RENEWAL_MONTH)
    elif roll < renewal_share + 0.03:
        day = day_between(rng, *PREVIOUS_MONTH)
    else:
        day = day_between(rng, START, DUE)
    kinds = ["webinar"] * 5 + ["course"] * 3 + ["workshop", "conference", "self_study"]
    activity = rng.choice(kinds)
    if rng.random() < capped_share:
        activity = rng.choice(["instructor", "post_secondary"])
    out: dict[str, Any] = {
        "id": f"r{n}",
        "date": day.isoformat(),
        "activity": activity,
        "provider": rng.choice(PROVIDERS),
    }
    if rng.random() < 0.85:
        out["index_number"] = f"AAPC-{rng.randint(1, 10**6)}"
    else:
        out["approved"] = rng.random() < 0.7
    minimums = [c for c in held if c in CORE_MINIMUMS or c in SPECIALTIES]
    if minimums and rng.random() < 0.5:
        out["approved_for"] = rng.sample(minimums, rng.randint(1, min(2, len(minimums))))
    if activity == "post_secondary":
        out["credit_hours"] = rng.choice(["1", "2", "3"])
        out["field"] = rng.choice(["health_care", "health_care_business", "history"])
        return out
    if activity == "instructor":
        out["ceus"] = amount(rng, 20, 120)
        out["teaches"] = rng.choice(["CPC", "CPC", "COC"])
        return out
    out["ceus"] = {"webinar": amount(rng, 5, 25), "workshop": amount(rng, 40, 70)}.get(
        activity, amount(rng)
    )
    if activity in ("webinar", "workshop"):
        out["quiz_passed"] = rng.random() < 0.9
    return out


def member(rng: random.Random, n: int) -> dict[str, Any]:
    """A realistic member: 60 % simple, 30 % with minimums, 10 % complex."""
    kind = rng.random()
    if kind < 0.6:
        held, count, renewal, capped = ["CPC"], rng.randint(10, 25), 0.05, 0.0
    elif kind < 0.9:
        extra = rng.sample([*CORE_MINIMUMS[:2], *SPECIALTIES[:2]], rng.randint(1, 2))
        held, count, renewal, capped = ["CPC", *extra], rng.randint(15, 35), 0.15, 0.05
    else:
        extra = rng.sample(CORE_MINIMUMS, 2) + rng.sample(SPECIALTIES, 2)
        held, count, renewal, capped = ["CPC", *extra], rng.randint(30, 60), 0.2, 0.1
    return {
        "member_id": f"M-{n}",
        "renewal_due": DUE.isoformat(),
        "credentials": [{"code": c, "earned": "2015-06-01"} for c in held],
        "records": [
            record(rng, i, held, renewal_share=renewal, capped_share=capped)
            for i in range(1, count + 1)
        ],
    }


def worst_case(rng: random.Random, records: int) -> dict[str, Any]:
    """Five minimums and ``records`` records over every approval combination and both caps."""
    held = ["CPC", "CPMA", "CPCO", "CIRCC", "CEMC", "CCC"]
    rows = []
    for i in range(1, records + 1):
        row = record(rng, i, held, renewal_share=0.3, capped_share=0.2)
        row["approved_for"] = rng.sample(held[1:], rng.randint(0, 3))
        row["provider"] = rng.choice(["ZHealth Publishing", "AAPC", "CMS"])
        rows.append(row)
    return {
        "member_id": "M-WORST",
        "renewal_due": DUE.isoformat(),
        "credentials": [{"code": c, "earned": "2015-06-01"} for c in held],
        "records": rows,
    }


def timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, round(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--worst-records", type=int, default=200)
    parser.add_argument("--worst-repeats", type=int, default=5)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    members = [member(rng, n) for n in range(args.members)]
    records = sum(len(m["records"]) for m in members)
    evaluate(members[0], as_of=AS_OF)  # load the rule pack outside the measurement

    latencies = []
    compliant = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    for data in members:
        start = time.perf_counter()
        report = evaluate(data, as_of=AS_OF)
        latencies.append(time.perf_counter() - start)
        compliant += report.compliant
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    latencies.sort()

    worst = worst_case(random.Random(args.seed), args.worst_records)
    worst_times = sorted(
        timed(lambda: evaluate(worst, as_of=AS_OF)) for _ in range(args.worst_repeats)
    )

    print(f"python {platform.python_version()} on {platform.machine()}, seed {args.seed}")
    print(
        f"{args.members} members ({records} records, {compliant} compliant) "
        f"in {elapsed:.2f} s: {args.members / elapsed:,.0f} members/s "
        f"({cpu:.2f} s CPU: {args.members / cpu:,.0f} members per CPU-second)"
    )
    for label, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        print(f"  {label} latency {percentile(latencies, fraction) * 1000:8.2f} ms")
    print(f"  max latency {latencies[-1] * 1000:8.2f} ms")
    print(
        f"worst case ({args.worst_records} records, 5 minimums, both caps): "
        f"median {statistics.median(worst_times) * 1000:.1f} ms, "
        f"max {worst_times[-1] * 1000:.1f} ms over {args.worst_repeats} runs"
    )


if __name__ == "__main__":
    main()
