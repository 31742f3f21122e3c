"""The roster batch on Dask: partitioned JSON Lines in, reports and errors out.

Each input part (``roster/part-00000.jsonl``, ...) is one partition; each worker
evaluates its partitions with :func:`ceu_compliance.evaluate_many` and the
reports are written a part per input part, in order, so that concatenating
``out/reports/*.jsonl`` gives, byte for byte, what
``ceu-compliance batch roster.jsonl --out reports.jsonl`` writes for the
concatenated input. Refused lines go to ``out/errors/*.jsonl`` with their part
file and line number. docs/scale-out.md explains the choices.

Run it on a local cluster (two worker processes) or on your scheduler::

    python examples/dask_roster.py roster/ out/ --as-of 2027-04-15
    python examples/dask_roster.py roster/ out/ --scheduler tcp://scheduler:8786
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

import dask
import dask.bag as db

from ceu_compliance import BatchError, evaluate_many


def evaluate_partition(
    lines: list[tuple[str, str]], as_of: dt.date, rules: str | None = None
) -> list[tuple[str, str]]:
    """One part file's ``(line, path)`` pairs in, ``("report" | "error", JSON text)`` out.

    The rule pack is resolved once per partition, never per member.
    """
    results = evaluate_many((line.rstrip("\r\n") for line, _ in lines), as_of=as_of, rules=rules)
    out = []
    for (_, path), result in zip(lines, results, strict=True):
        if isinstance(result, BatchError):
            error: dict[str, Any] = {"input": Path(path).name, "line": result.index + 1}
            error.update(result.to_dict())
            out.append(("error", json.dumps(error, ensure_ascii=False)))
        else:
            out.append(("report", result.to_json(indent=None)))
    return out


def run(parts: str, out: str, as_of: dt.date, rules: str | None = None) -> None:
    """Evaluate every ``*.jsonl`` part under ``parts`` on the current Dask client."""
    paths = sorted(str(p) for p in Path(parts).glob("*.jsonl"))
    # One partition per file, so that line numbers are those of the file.
    lines = db.read_text(paths, files_per_partition=1, include_path=True)
    results = lines.map_partitions(evaluate_partition, as_of=as_of, rules=rules)
    writes = [
        results.filter(lambda result, kind=kind: result[0] == kind)
        .pluck(1)
        .to_textfiles(
            f"{out}/{kind}s/*.jsonl",
            name_function=lambda i: f"{i:05d}",
            last_endline=True,
            compute=False,
        )
        for kind in ("report", "error")
    ]
    dask.compute(*writes)  # one pass: each partition is evaluated once


def main() -> None:
    from dask.distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", help="a folder of JSON Lines parts")
    parser.add_argument("out", help="a folder for reports/ and errors/")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--rules", help="a bundled rule pack name or a rule pack TOML file")
    parser.add_argument("--scheduler", help="a scheduler address (default: a local cluster)")
    args = parser.parse_args()
    if args.scheduler:
        with Client(args.scheduler):
            run(args.parts, args.out, args.as_of, args.rules)
        return
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster):
        run(args.parts, args.out, args.as_of, args.rules)


if __name__ == "__main__":
    main()
