"""The reference service over HTTP against the library in-process (not a test).

Run from the repository root, with the ``service`` extra installed::

    python benchmarks/bench_service.py                     # 10,000 small members
    python benchmarks/bench_service.py --members 2000 --roster   # bench_roster.py's members

It starts ``uvicorn ceu_service:app`` on 127.0.0.1 (as tests/test_service.py
does), then measures on the same members:

* in-process: ``evaluate_many`` and ``to_json`` for each report, in this process;
* ``POST /v1/batch``: the members as JSON Lines, streamed in and out;
* ``POST /v1/evaluate``: one request per member, one at a time, and 8 at a time.

Small members are tests/service.py's (1-3 records each); ``--roster`` uses
bench_roster.py's (1-5 credentials, 10-60 records).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_roster import member as roster_member  # noqa: E402

from ceu_compliance import evaluate_many  # noqa: E402
from service import running_service, small_member  # noqa: E402

AS_OF = dt.date(2027, 3, 15)
TIMEOUT = httpx.Timeout(600.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--single", type=int, default=500, help="members sent one per request")
    parser.add_argument("--roster", action="store_true", help="bench_roster.py's larger members")
    parser.add_argument("--concurrency", type=int, help="CEU_SERVICE_MAX_CONCURRENCY")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    compare(args.members, args.single, roster=args.roster, concurrency=args.concurrency)


def compare(
    members: int, single: int, *, roster: bool = False, concurrency: int | None = None
) -> dict[str, float]:
    """Measure every way in, print a line each; return members/s by way in."""
    make = (lambda i: roster_member(2027, i)) if roster else small_member
    lines = [json.dumps(make(i)) for i in range(members)]
    size = sum(len(line) + 1 for line in lines)
    print(f"{members:,} {'roster' if roster else 'small'} members, {size / 1e6:.1f} MB\n")
    rates: dict[str, float] = {}

    start = time.perf_counter()
    for result in evaluate_many(lines, as_of=AS_OF):
        if not hasattr(result, "problems"):
            result.to_json(indent=None)
    rates["in-process evaluate_many"] = report(
        "in-process evaluate_many", members, time.perf_counter() - start
    )

    settings = {}
    if concurrency is not None:
        settings["CEU_SERVICE_MAX_CONCURRENCY"] = str(concurrency)
    with (
        running_service(settings) as service,
        httpx.Client(base_url=service.url, timeout=TIMEOUT) as c,
    ):

        def body() -> Iterator[bytes]:
            for k in range(0, len(lines), 100):
                yield "".join(f"{line}\n" for line in lines[k : k + 100]).encode()

        start = time.perf_counter()
        first = None
        params = {"as_of": AS_OF.isoformat()}
        with c.stream("POST", "/v1/batch", params=params, content=body()) as response:
            count = 0
            for _ in response.iter_lines():
                first = first or time.perf_counter() - start
                count += 1
        assert count == len(lines), count
        rates["POST /v1/batch"] = report("POST /v1/batch", count, time.perf_counter() - start)
        print(f"{'':28} first line after {first:.2f} s (httpx sends the whole body first)")

        singles = lines[:single]
        latencies = []
        start = time.perf_counter()
        for line in singles:
            sent = time.perf_counter()
            c.post("/v1/evaluate", params=params, content=line).raise_for_status()
            latencies.append(time.perf_counter() - sent)
        rates["POST /v1/evaluate, 1 at a time"] = report(
            "POST /v1/evaluate, 1 at a time", len(singles), time.perf_counter() - start
        )
        p50, p99 = statistics.median(latencies), sorted(latencies)[int(len(latencies) * 0.99)]
        print(f"{'':28} latency p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")

        async def concurrently() -> float:
            limits = httpx.Limits(max_connections=8)
            async with httpx.AsyncClient(base_url=service.url, timeout=TIMEOUT, limits=limits) as a:
                start = time.perf_counter()
                gate = asyncio.Semaphore(8)

                async def one(line: str) -> None:
                    async with gate:
                        answer = await a.post("/v1/evaluate", params=params, content=line)
                        answer.raise_for_status()

                await asyncio.gather(*(one(line) for line in singles))
                return time.perf_counter() - start

        rates["POST /v1/evaluate, 8 at a time"] = report(
            "POST /v1/evaluate, 8 at a time", len(singles), asyncio.run(concurrently())
        )
    return rates


def report(what: str, members: int, seconds: float) -> float:
    """Print one line; return members per second."""
    print(f"{what:28} {members / seconds:8.0f} members/s  {seconds:7.2f} s")
    return members / seconds


if __name__ == "__main__":
    main()
