"""The worst inputs within the limits (docs/reliability.md): one generator for the benchmark.

Each :class:`WorstInput` is one call at the edge of :class:`ceu_compliance.Limits`'
defaults: 10,000 records, every credential of the catalog, records approved for
many minimums at once, the longest period, strings and amounts at their longest,
the deepest unknown field, a document near the size limit, and refusals that
find hundreds of thousands of problems. ``worst_inputs()`` yields them, built
from a seed; the benchmark command times them. Run alone, this file times each
once::

    python benchmarks/worst_inputs.py               # every input, once
    python benchmarks/worst_inputs.py --only approvals_400 --only records_10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ceu_compliance import (
    InvalidMemberError,
    Limits,
    default_rule_pack,
    evaluate,
    evaluate_history,
    plan,
)

LIMITS = Limits()
AS_OF = dt.date(2027, 3, 31)
DUE = dt.date(2027, 3, 31)
START = dt.date(2025, 4, 1)
PACK = default_rule_pack()
# Every credential of the catalog with a minimum of its own (CPMA, CIRCC, CEMC, ...).
MINIMUMS = tuple(spec.code for spec in PACK.at(DUE).credentials if spec.minimum > 0)
EVERY_CODE = tuple(c for spec in PACK.credentials for c in (spec.code, *spec.apprentice))


@dataclass(frozen=True)
class WorstInput:
    """One call: ``call(member)`` of ``entry`` (evaluate, plan or history), and what it shows."""

    name: str
    entry: str
    member: Any
    about: str
    heavy: bool = False  # seconds, not a fraction of one: left out of a quick run

    def run(self) -> Any:
        """The call; a refusal (``InvalidMemberError``) is its expected outcome for some."""
        calls: dict[str, Callable[[Any], Any]] = {
            "evaluate": lambda m: evaluate(m, as_of=AS_OF),
            "plan": lambda m: plan(m, as_of=AS_OF),
            "history": lambda m: evaluate_history(m, periods=LIMITS.max_periods, as_of=AS_OF),
        }
        try:
            return calls[self.entry](self.member)
        except InvalidMemberError as exc:
            return exc

    def timed(self) -> tuple[float, str]:
        """CPU seconds of one call, and whether it gave a report or was refused."""
        began = time.process_time()
        outcome = self.run()
        seconds = time.process_time() - began
        return seconds, "refused" if isinstance(outcome, InvalidMemberError) else "report"


def _day(rng: random.Random, first: dt.date = START, last: dt.date = DUE) -> str:
    return (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat()


def _record(rng: random.Random, n: int, approvals: int, text: int = 12) -> dict[str, Any]:
    activity = rng.choice(["course", "webinar", "workshop", "instructor", "post_secondary"])
    record: dict[str, Any] = {
        "id": f"r{n}".ljust(text, "-"),
        "date": _day(rng, START - dt.timedelta(days=31)),
        "activity": activity,
        "provider": rng.choice(["AAPC", "ZHealth Publishing", "CMS", "State College"]).ljust(text),
        "title": f"Course {n}".ljust(text, "."),
        "index_number": f"AAPC-{rng.randint(1, 10**7)}",
        "approved_for": rng.sample(MINIMUMS, approvals),
    }
    if activity == "post_secondary":
        record |= {"credit_hours": "1.5", "field": "health_care"}
    else:
        record["ceus"] = f"{rng.randint(1, 40)}.{rng.randint(0, 10**19):019d}"
    if activity in ("webinar", "workshop"):
        record["quiz_passed"] = True
    if activity == "instructor":
        record["teaches"] = "CPC"
    return record


def _member(
    records: list[dict[str, Any]], codes: tuple[str, ...] = ("CPC", *MINIMUMS)
) -> dict[str, Any]:
    return {
        "member_id": "M-WORST",
        "renewal_due": DUE.isoformat(),
        "credentials": [{"code": code, "earned": "2010-01-01"} for code in codes],
        "records": records,
    }


def _each_call(
    name: str,
    member: dict[str, Any],
    about: str,
    *,
    heavy: bool = False,
    entries: tuple[str, ...] = ("evaluate", "plan", "history"),
) -> Iterator[WorstInput]:
    """The same member given to each of ``entries``, named ``{name}_{entry}``."""
    for entry in entries:
        yield WorstInput(f"{name}_{entry}", entry, member, about, heavy)


def worst_inputs(seed: int = 2027) -> Iterator[WorstInput]:
    """The worst inputs within the default limits, the same for the same ``seed``."""
    rng = random.Random(seed)
    many = [_record(rng, n, rng.randint(0, 4)) for n in range(LIMITS.max_records)]
    yield from _each_call(
        "records_10000",
        _member(many),
        "Limits.max_records records, ten minimums, both caps, renewal months",
        heavy=True,
    )
    # The renewal month decides which records roll over: a min-cost flow ranks them.
    renewal = [
        {**r, "date": f"2027-03-{1 + n % 28:02d}", "approved_for": []} for n, r in enumerate(many)
    ]
    yield from _each_call(
        "renewal_month_10000",
        _member(renewal),
        "Limits.max_records records, all in the renewal month, both caps binding",
        heavy=True,
        entries=("evaluate", "plan"),
    )
    yield from _each_call(
        "approvals_400",
        _member([_record(rng, n, 10) for n in range(400)]),
        "400 records approved for random sets of 10 minimums (issue 9's 70 KB member)",
    )
    yield WorstInput(
        "every_credential",
        "evaluate",
        _member(many[:1_000], EVERY_CODE),
        f"all {len(EVERY_CODE)} codes of the catalog held, 1,000 records",
    )
    widest = [
        {
            **_record(rng, n, 0),
            "approved_for": list(EVERY_CODE + EVERY_CODE)[: LIMITS.max_credentials],
        }
        for n in range(1_000)
    ]
    yield WorstInput(
        "approvals_at_the_limit",
        "evaluate",
        _member(widest),
        f"1,000 records each approved for {LIMITS.max_credentials} codes",
    )
    longest = _member(many[:1_000])
    longest["period_start"] = "2023-04-01"  # 48 months: Limits.max_period_months
    yield WorstInput("longest_period", "evaluate", longest, "a 48-month period, 1,000 records")
    long_text = [_record(rng, n, 2, LIMITS.max_string_length) for n in range(LIMITS.max_records)]
    yield WorstInput(
        "longest_strings",
        "evaluate",
        _member(long_text),
        "10,000 records, every string at Limits.max_string_length (a mapping: no document limit)",
        heavy=True,
    )
    text = json.dumps(_member(long_text))
    size = LIMITS.max_document_bytes
    yield WorstInput(
        "document_near_the_limit",
        "evaluate",
        json.dumps(_member(long_text[: len(long_text) * size // len(text) - 10])),
        "JSON text just under Limits.max_document_bytes, strings at their longest",
        heavy=True,
    )
    yield WorstInput(
        "document_over_the_limit",
        "evaluate",
        text,
        f"{len(text) // 2**20} MiB of JSON text: refused by Limits.max_document_bytes unread",
    )
    deep: Any = 1
    for _ in range(LIMITS.max_json_depth - 2):
        deep = [deep]
    yield WorstInput(
        "deepest_unknown_field",
        "evaluate",
        {**_member(many[:100]), "extra": deep},
        "an unknown field nested to Limits.max_json_depth",
    )
    nope = [{**r, "approved_for": [f"NO-{i}" for i in range(LIMITS.max_credentials)]} for r in many]
    yield WorstInput(
        "refused_500000_problems",
        "evaluate",
        _member(nope),
        "10,000 records with 50 unknown codes each: 500,000 problems, 100 listed",
        heavy=True,
    )
    yield WorstInput(
        "refused_at_once",
        "evaluate",
        _member(many * 10),
        "100,000 records: refused by Limits.max_records before anything else is read",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument(
        "--only", action="append", help="time only the inputs whose name starts with this"
    )
    args = parser.parse_args()
    for worst in worst_inputs(args.seed):
        if args.only and not worst.name.startswith(tuple(args.only)):
            continue
        seconds, verdict = worst.timed()
        print(f"{worst.name:28} {seconds:8.2f} s  {verdict:8} {worst.about}", flush=True)


if __name__ == "__main__":
    main()
