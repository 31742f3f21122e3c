"""Fuzz the engine with hostile and random input (docs/reliability.md, fuzz/README.md).

    python fuzz/run.py --inputs 100000      # the long run
    python fuzz/run.py --inputs 2000        # what CI runs (tests/test_fuzz.py)

Every input goes through ``evaluate`` (then, if accepted, the report's invariants,
its explanation, the same member with its records reversed and shuffled, and a
check that the caller's data is unchanged) and through one of ``plan``, ``evaluate_history`` and
the command line (``main([...])`` on a file), in turn. Expected outcomes: a
report, or ``InvalidMemberError`` listing its problems; the command line exits
0, 1 or 2 and never prints a traceback. Anything else is a failure: it is
counted, saved to ``fuzz/failures/`` with a line to reproduce it, and the run
goes on. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import io
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oracle
from inputs import KINDS, FuzzInput

from ceu_compliance import InvalidMemberError, evaluate, evaluate_history, plan
from ceu_compliance._cli import main

FAILURES = Path(__file__).resolve().parent / "failures"


@dataclass
class Tally:
    """What the run saw: inputs, outcomes, failures and the slowest calls."""

    inputs: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str, FuzzInput]] = field(default_factory=list)
    slowest: list[tuple[float, str, str]] = field(default_factory=list)
    calls: int = 0

    def timed(self, target: str, kind: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return call()
        finally:
            seconds = time.perf_counter() - start
            self.calls += 1
            self.slowest = sorted([*self.slowest, (seconds, target, kind)], reverse=True)[:5]

    def fail(self, target: str, what: str, item: FuzzInput) -> None:
        self.failures.append((target, what, item))


def check(item: FuzzInput, turn: int, tally: Tally, workdir: Path) -> None:
    """Every target and invariant for one input."""
    tally.inputs[item.kind] += 1
    before = copy.deepcopy(item.data)
    report = _evaluate(item, tally)
    if item.data != before and not _has_nan(before):
        tally.fail("evaluate", "the caller's data was changed", item)
    if report is not None:
        _shuffled(item, report, tally)
    second = ("plan", "history", "cli")[turn % 3]
    if second == "plan":
        _plan(item, report, tally)
    elif second == "history":
        _history(item, tally)
    else:
        _cli(item, turn, tally, workdir)


def _guarded(target: str, item: FuzzInput, tally: Tally, call: Callable[[], Any]) -> Any:
    """``call``'s result; None when it refused the input as documented, or failed."""
    try:
        return tally.timed(target, item.kind, call)
    except InvalidMemberError as exc:
        tally.outcomes[f"{target}: refused"] += 1
        for wrong in oracle.refusal_problems(exc):
            tally.fail(target, wrong, item)
    except Exception:
        tally.fail(target, "unexpected exception:\n" + traceback.format_exc(limit=6), item)
    return None


def _evaluate(item: FuzzInput, tally: Tally) -> Any:
    report = _guarded("evaluate", item, tally, lambda: evaluate(item.data, as_of=item.as_of))
    if report is not None:
        tally.outcomes["evaluate: report"] += 1
        for wrong in oracle.report_problems(report):
            tally.fail("evaluate", wrong, item)
        _guarded("explain", item, tally, report.explain)
    return report


def _shuffled(item: FuzzInput, report: Any, tally: Tally) -> None:
    """The same member with its records in another order gives the same report."""
    # JSON text is read as the engine reads it: numbers as decimals, with every digit.
    data = item.data if isinstance(item.data, dict) else json.loads(item.data, parse_float=Decimal)
    records = data.get("records")
    if not isinstance(records, list) or len(records) < 2:
        return
    if oracle.tied_duplicates(records):
        tally.outcomes["shuffle: skipped, tied duplicate index numbers"] += 1
        return
    expected = oracle.order_free(report)
    order = list(records)
    random.Random(len(records)).shuffle(order)
    for other in (records[::-1], order):
        shuffled = partial(evaluate, {**data, "records": other}, as_of=item.as_of)
        again = _guarded("evaluate shuffled", item, tally, shuffled)
        if again is not None and oracle.order_free(again) != expected:
            tally.fail("evaluate shuffled", "the order of the records changed the report", item)
    tally.outcomes["shuffle: checked"] += 1


def _plan(item: FuzzInput, report: Any, tally: Tally) -> None:
    result = _guarded("plan", item, tally, lambda: plan(item.data, as_of=item.as_of))
    if result is not None:
        tally.outcomes["plan: plan"] += 1
        for wrong in (
            oracle.plan_problems(result, report)
            if report is not None
            else ["plan accepted what evaluate refused"]
        ):
            tally.fail("plan", wrong, item)


def _history(item: FuzzInput, tally: Tally) -> None:
    periods = 1 + tally.calls % 3
    result = _guarded(
        "history",
        item,
        tally,
        lambda: evaluate_history(item.data, periods=periods, as_of=item.as_of),
    )
    if result is not None:
        tally.outcomes["history: history"] += 1
        for wrong in oracle.history_problems(result):
            tally.fail("history", wrong, item)


_OPTIONS = (
    ["evaluate"],
    ["evaluate", "--check"],
    ["evaluate", "--format", "json"],
    ["evaluate", "--format", "html"],
    ["evaluate", "--format", "markdown"],
    ["evaluate", "--explain"],
    ["evaluate", "--periods", "2"],
    ["evaluate", "--strict"],
    ["plan"],
    ["plan", "--format", "json"],
)


def _cli(item: FuzzInput, turn: int, tally: Tally, workdir: Path) -> None:
    """The command line on the input written to a file: exit 0, 1 or 2, never a traceback."""
    path = workdir / "input.json"
    if isinstance(item.data, bytes):
        path.write_bytes(item.data)
    else:
        text = item.data if isinstance(item.data, str) else json.dumps(item.data)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    command, *options = _OPTIONS[turn // 3 % len(_OPTIONS)]
    argv = [command, str(path), *options, "--as-of", item.as_of.isoformat()]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = tally.timed("cli", item.kind, lambda: main(argv))
    tally.outcomes[f"cli: exit {code}"] += 1
    if code not in (0, 1, 2) or "Traceback" in err.getvalue():
        tally.fail(
            "cli " + " ".join(argv[:1] + argv[2:]), f"exit {code}: {err.getvalue()[-2000:]}", item
        )
    elif (code == 2) != (out.getvalue() == ""):
        tally.fail("cli", f"exit {code} with {len(out.getvalue())} characters on stdout", item)


def _has_nan(data: Any) -> bool:
    # NaN != NaN: a mapping holding one never compares equal to its copy.
    return "NaN" in json.dumps(data, default=str)


def fuzz(inputs: int, seed_value: int, batch: int = 1000) -> Tally:
    """Run ``inputs`` inputs, each of a kind drawn at random, in batches of ``batch``."""
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        done = 0
        while done < inputs:
            size = min(batch, inputs - done)
            _batch(size, seed_value + done, done, tally, workdir)
            done += size
            print(f"{done:,} inputs, {len(tally.failures)} failures", file=sys.stderr, flush=True)
    return tally


def _batch(size: int, seed_value: int, offset: int, tally: Tally, workdir: Path) -> None:
    turn = [offset]

    @seed(seed_value)
    @settings(
        max_examples=size,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(list(KINDS)).flatmap(lambda kind: KINDS[kind]))
    def one(item: FuzzInput) -> None:
        check(item, turn[0], tally, workdir)
        turn[0] += 1

    one()


def save(tally: Tally) -> list[Path]:
    """Each failure's input and what went wrong, as a JSON file under fuzz/failures/."""
    FAILURES.mkdir(exist_ok=True)
    saved = []
    for n, (target, what, failed) in enumerate(tally.failures[:50], start=1):
        data = failed.data
        record = {
            "target": target,
            "what": what,
            "kind": failed.kind,
            "as_of": failed.as_of.isoformat(),
            "data": data.decode("latin-1") if isinstance(data, bytes) else data,
            "bytes": isinstance(data, bytes),
        }
        path = FAILURES / f"failure-{n:03d}.json"
        path.write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
        saved.append(path)
    return saved


def summary(tally: Tally, seconds: float) -> str:
    lines = [
        f"inputs: {sum(tally.inputs.values()):,} ("
        + ", ".join(f"{k} {v:,}" for k, v in sorted(tally.inputs.items()))
        + ")",
        f"calls: {tally.calls:,} in {seconds:,.0f} s",
        *(f"  {k}: {v:,}" for k, v in sorted(tally.outcomes.items())),
        f"failures (unexpected exceptions and broken invariants): {len(tally.failures)}",
        "slowest calls: " + ", ".join(f"{s:.2f} s ({t}, {k})" for s, t, k in tally.slowest),
    ]
    for target, what, _ in tally.failures[:10]:
        lines.append(f"  FAILED {target}: {what.splitlines()[0] if what else what}")
    return "\n".join(lines)


def main_fuzz(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=2000, help="how many inputs (default 2000)")
    parser.add_argument("--seed", type=int, default=2027, help="seed of the run (default 2027)")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=10.0,
        help="a call slower than this is a failure (default 10)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    tally = fuzz(args.inputs, args.seed)
    for seconds, target, kind in tally.slowest:
        if seconds > args.max_seconds:
            tally.failures.append(
                (target, f"took {seconds:.1f} s", FuzzInput(kind, None, dt.date.min))
            )
    print(summary(tally, time.perf_counter() - start))
    if tally.failures:
        print("saved: " + ", ".join(str(p) for p in save(tally)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main_fuzz())
