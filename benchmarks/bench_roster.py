"""End-to-end roster throughput: ``ceu-compliance batch`` against the floor (not a test).

Run from the repository root::

    python benchmarks/bench_roster.py                      # 1,500 members, about a minute
    python benchmarks/bench_roster.py --members 1000000    # the full run (hours at today's engine)
    python benchmarks/bench_roster.py --members 20000 --jobs 1 2 --keep roster.jsonl

It writes a deterministic JSON Lines roster (member ``i`` is the same for a
given seed whatever ``--members``), then measures, each in a fresh process:

* the floor: reading the same file and validating every member into the same
  models (``parse_member``), nothing else;
* ``ceu-compliance batch ROSTER --out reports.jsonl --jobs N`` for each N.

It prints members per second, wall time, CPU time and peak RSS (the main
process, and the worker processes) side by side, the speedup of each
``--jobs`` over ``--jobs 1`` and the batch's share of the floor's speed. On
a shared machine the CPU columns say what the wall clock cannot: how much of
the work the main process does (which bounds the speedup of ``--jobs``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ceu_compliance import Activity

DUE_DATES = [dt.date(2027, m, 1) - dt.timedelta(days=1) for m in range(2, 13)]
AS_OF = dt.date(2027, 3, 15)
CORE = ("CPC", "COC", "CIC", "CRC", "CPB")
CORE_MINIMUMS = ("CPMA", "CPCO", "CIRCC", "CPPM", "CDEO")
SPECIALTIES = ("CEMC", "CCC", "CANPC", "CGSC", "CPEDC", "CRHC", "CUC")
ACTIVITIES = tuple(a.value for a in Activity)  # in the order of WEIGHTS
WEIGHTS = (30, 8, 8, 20, 10, 3, 8, 4, 4, 5)
PROVIDERS = ("AAPC", "AAPC", "AAPC", "CMS", "ZHealth Publishing", "State College", "Acme Seminars")


def member(seed: int, i: int) -> dict[str, Any]:
    """Member ``i``: 1-5 credentials, 10-60 records of every activity kind."""
    rng = random.Random(f"{seed}-{i}")
    due = rng.choice(DUE_DATES)
    start = due.replace(year=due.year - 2) + dt.timedelta(days=1)
    held = [rng.choice(CORE)]
    extra = rng.choices([0, 1, 2, 3, 4], weights=[50, 25, 13, 8, 4])[0]
    held += rng.sample(CORE_MINIMUMS + SPECIALTIES, extra)
    credentials = [
        {"code": code, "earned": (start - dt.timedelta(days=rng.randint(30, 3000))).isoformat()}
        for code in held
    ]
    records = [record(rng, n, held, start, due) for n in range(rng.randint(10, 60))]
    out: dict[str, Any] = {
        "member_id": f"M-{i:07d}",
        "renewal_due": due.isoformat(),
        "credentials": credentials,
        "records": records,
    }
    if rng.random() < 0.03:
        out["extension_until"] = (due + dt.timedelta(days=60)).isoformat()
    return out


def record(
    rng: random.Random, n: int, held: list[str], start: dt.date, due: dt.date
) -> dict[str, Any]:
    span = (due - start).days
    day = start + dt.timedelta(days=rng.randint(-40, span + 20))
    activity = rng.choices(ACTIVITIES, weights=WEIGHTS)[0]
    out: dict[str, Any] = {
        "id": f"r{n}",
        "date": day.isoformat(),
        "activity": activity,
        "provider": rng.choice(PROVIDERS),
    }
    if activity == "post_secondary":
        out["credit_hours" if rng.random() < 0.5 else "clock_hours"] = rng.choice([1, 3, 4, 90])
        out["field"] = rng.choice(["health_care", "health_care_business", "history"])
        out["approved"] = True
        return out
    out["ceus"] = rng.choice(["0.5", "1", "1.5", "2", "2", "3", "4", "6", "8"])
    if activity == "instructor":
        out["teaches"] = held[0]
        out["approved"] = True
    elif rng.random() < 0.85:
        out["index_number"] = f"AAPC-{rng.randint(1, 10**6)}"
    else:
        out["approved"] = rng.random() < 0.7
    if activity in ("webinar", "workshop"):
        out["quiz_passed"] = rng.random() < 0.9
    if len(held) > 1 and rng.random() < 0.4:
        out["approved_for"] = rng.sample(held[1:], rng.randint(1, len(held) - 1))
    return out


def write_roster(path: Path, members: int, seed: int) -> tuple[int, int]:
    """Write the roster; return (records, bytes)."""
    records = 0
    with path.open("w", encoding="utf-8") as f:
        for i in range(members):
            data = member(seed, i)
            records += len(data["records"])
            f.write(json.dumps(data, separators=(",", ":")) + "\n")
    return records, path.stat().st_size


# --------------------------------------------------------------- measuring


class Workers:
    """Peak RSS (VmHWM) and CPU time of this process's descendants, sampled from /proc.

    Workers are started by a fork server, so they are not our children and
    ``RUSAGE_CHILDREN`` does not see them. Sampled every 0.1 s, so the CPU time
    misses up to 0.1 s per worker. Linux only (elsewhere: 0).
    """

    def __init__(self) -> None:
        self.peak = 0
        self.ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> tuple[int, float]:
        self._stop.set()
        self._thread.join()
        return self.peak, sum(self.ticks.values()) / os.sysconf("SC_CLK_TCK")

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            for pid in _descendants(os.getpid()):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue  # it has just ended
                self.ticks[pid] = int(stat[11]) + int(stat[12])  # utime + stime
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak = max(self.peak, int(line.split()[1]) * 1024)


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def measure(kind: str, roster: str, jobs: int) -> dict[str, float]:
    """Run one measurement in this (fresh) process; print nothing, return the figures.

    The clock starts after the imports: the floor and the batch pay the same
    interpreter start, which is not what is measured.
    """
    from ceu_compliance import InvalidMemberError, default_rule_pack, parse_member
    from ceu_compliance._cli import main

    workers = Workers()
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    start = time.perf_counter()
    if kind == "floor":
        pack = default_rule_pack()
        with open(roster, "rb") as f:
            for line in f:
                with contextlib.suppress(InvalidMemberError):  # the floor only validates
                    parse_member(line, pack)
    else:
        out = str(Path(roster).with_suffix(f".reports-{jobs}.jsonl"))
        argv = ["batch", roster, "--out", out, "--jobs", str(jobs), "--as-of", str(AS_OF)]
        with open(os.devnull, "w") as devnull:
            sys.stderr, stderr = devnull, sys.stderr
            try:
                main(argv)
            finally:
                sys.stderr = stderr
        os.unlink(out)
    seconds = time.perf_counter() - start
    worker_rss, worker_cpu = workers.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime - cpu_before,
        "worker_cpu": worker_cpu,
        "rss": _own_peak_rss(usage),
        "worker_rss": worker_rss,
    }


def _own_peak_rss(usage: resource.struct_rusage) -> float:
    """This process's peak RSS in bytes, its own only.

    On Linux ``ru_maxrss`` keeps the peak of the process that forked this one
    from before its exec, so a benchmark run that had grown large would be
    charged to each roster measurement; VmHWM belongs to this program alone.
    """
    with contextlib.suppress(OSError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    kib = 1024 if sys.platform != "darwin" else 1  # ru_maxrss: KiB on Linux, bytes on macOS
    return float(usage.ru_maxrss * kib)


def child(kind: str, roster: str, jobs: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", kind, roster, str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def compare(members: int, seed: int, jobs: Sequence[int], keep: str | None = None) -> list[Run]:
    """Write the roster, measure the floor and ``batch --jobs N`` for each N, print the table."""
    with tempfile.TemporaryDirectory() as folder:
        roster = Path(keep or Path(folder) / "roster.jsonl")
        records, size = write_roster(roster, members, seed)
        print(
            f"roster: {members:,} members, {records:,} records, {size / 1e6:,.1f} MB "
            f"(seed {seed}); as of {AS_OF}"
        )
        runs = [Run("floor (read + validate)", members, child("floor", str(roster), 1))]
        runs += [Run(f"batch --jobs {j}", members, child("batch", str(roster), j)) for j in jobs]

    mb = 1024 * 1024
    print(
        f"\n{'':26}{'members/s':>10}{'wall s':>8}{'CPU s':>7}{'worker CPU s':>13}"
        f"{'peak RSS':>10}{'worker RSS':>12}"
    )
    for run in runs:
        f = run.figures
        worker = f"{f['worker_rss'] / mb:,.0f} MB" if f["worker_rss"] else "-"
        worker_cpu = f"{f['worker_cpu']:.1f}" if f["worker_rss"] else "-"
        print(
            f"{run.name:26}{run.rate:>10,.0f}{f['seconds']:>8.1f}"
            f"{f['cpu']:>7.1f}{worker_cpu:>13}{f['rss'] / mb:>7,.0f} MB{worker:>12}"
        )
    floor = runs[0].rate
    for k, run in enumerate(runs[1:]):
        versus = f", {run.rate / runs[1].rate:.2f}x --jobs {jobs[0]}" if k else ""
        print(f"{run.name}: {run.rate / floor:.1%} of the floor's speed{versus}")
    return runs


@dataclass(frozen=True)
class Run:
    name: str
    members: int
    figures: dict[str, float]

    @property
    def rate(self) -> float:
        """Members per second, wall clock."""
        return self.members / self.figures["seconds"]

    @property
    def peak_rss(self) -> float:
        """The larger of the main process's and any worker's peak RSS, bytes."""
        return max(self.figures["rss"], self.figures["worker_rss"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", metavar="PATH", help="write the roster here and keep it")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, roster, jobs = args.measure
        print(json.dumps(measure(kind, roster, int(jobs))))
        return
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    compare(args.members, args.seed, args.jobs, args.keep)


if __name__ == "__main__":
    main()
