"""The ``batch`` and ``calendar`` commands: whole rosters, streamed, with nothing lost.

Every entry of the roster ends up exactly once in the output (its report, row
or events) or in the errors (``--errors FILE`` as JSON Lines, else stderr),
in input order. Worker processes (``--jobs``) evaluate chunks and also format
them (JSON lines, CSV text, Arrow batches, calendar events), so that this
process only reads, writes and counts. Outputs are written under a temporary
name and renamed when complete, so a reader never sees half a file.

Exit codes: 0 every member was evaluated, 1 some were refused (each listed
in the errors), 2 the command itself was refused (nothing written).
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias

from ._batch import BatchError, Job, chunked, map_chunks
from ._calendar import CALENDAR_FOOTER, calendar_header, deadline_events, require_icalendar
from ._codes import Status
from ._engine import evaluate
from ._errors import CEUComplianceError
from ._models import ComplianceReport
from ._pack import resolve_pack
from ._roster import (
    INPUT_FORMATS,
    Entry,
    Roster,
    TableMember,
    format_named,
    input_format,
    open_roster,
)
from ._rows import Row, RowSpec

if TYPE_CHECKING:
    import pyarrow as pa

PROG = "ceu-compliance"
EXIT_OK, EXIT_SOME_REFUSED = 0, 1
_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

Output = Literal["jsonl", "csv", "parquet", "ics"]
OUTPUT_FORMATS: dict[str, Output] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
}
URGENT_DAYS = 90  # the summary lists members not compliant this close to their due date
_URGENT_SHOWN = 20
_ROW_GROUP = 16_384  # Parquet rows written at once: bounded memory, few row groups
_CHUNK = 64


_PYARROW = 'Parquet needs pyarrow: pip install "ceu-compliance[dataframe]"'


class BatchRefused(CEUComplianceError):
    """An option or file the command cannot work with; the message says which."""


Option = Callable[[argparse.ArgumentParser], None]


def add_commands(commands: _Commands, common: Sequence[Option]) -> None:
    """Register ``batch`` and ``calendar``; ``common`` adds the shared options (--as-of...)."""
    batch = commands.add_parser(
        "batch",
        help="evaluate a roster file into JSONL, CSV or Parquet, with nothing lost",
        description=(
            "Evaluate every member of INPUT (JSON Lines, a JSON array, a members CSV with "
            "--records, or Parquet) and write a report (JSONL) or a row (CSV, Parquet) per "
            "member to OUTPUT, in input order. Refused members go to --errors (JSON Lines), "
            "else to stderr. See docs/rosters.md."
        ),
    )
    _roster_arguments(batch, common)
    batch.add_argument(
        "--format",
        choices=sorted(set(OUTPUT_FORMATS.values())),
        help="output format (default: from the extension of OUTPUT; jsonl for -)",
    )
    batch.set_defaults(handler=_batch_command)

    calendar = commands.add_parser(
        "calendar",
        help="the deadlines of members not yet compliant as an iCalendar file",
        description=(
            "Evaluate every member of INPUT and write, for each member not yet compliant, "
            "all-day events for the submission opening, the due date and the revocation date "
            "(and the end of an open extension), each naming the shortfall."
        ),
    )
    _roster_arguments(calendar, common)
    calendar.set_defaults(handler=_calendar_command)


def _roster_arguments(parser: argparse.ArgumentParser, common: Sequence[Option]) -> None:
    parser.add_argument("input", metavar="INPUT", help="roster file, or - for JSON Lines on stdin")
    parser.add_argument("--out", required=True, metavar="OUTPUT", help="the output file, or -")
    parser.add_argument(
        "--records", metavar="FILE", help="with a members CSV: the records CSV, joined on member_id"
    )
    parser.add_argument(
        "--errors", metavar="FILE", help="refused members as JSON Lines (default: stderr, as text)"
    )
    parser.add_argument(
        "--jobs", type=_jobs, default=1, metavar="N", help="worker processes (default: 1)"
    )
    parser.add_argument(
        "--input-format",
        choices=sorted(set(INPUT_FORMATS.values())),
        help="the roster format (default: from the extension of INPUT)",
    )
    for option in common:
        option(parser)


def _jobs(text: str) -> int:
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"expected a whole number of processes >= 1, got {text!r}")


# ------------------------------------------------------------ worker side


class Outcome(NamedTuple):
    """What the summary needs of an evaluated member (small, to cross processes cheaply)."""

    member_id: str
    status: str
    days_left: int
    due: dt.date
    revocation: dt.date
    shortfalls: str


@dataclass(frozen=True)
class Chunk:
    """A chunk's output, formatted in the worker, and an outcome or error per entry."""

    body: bytes | pa.RecordBatch | None
    results: list[Outcome | BatchError]


@dataclass(frozen=True)
class Task:
    """Evaluate a chunk of entries and format it for ``output`` (runs in a worker)."""

    job: Job[ComplianceReport]
    output: Output
    spec: RowSpec

    def __call__(self, entries: Sequence[Entry]) -> Chunk:
        results: list[Outcome | BatchError] = []
        reports: list[ComplianceReport] = []
        rows: list[Row] = []
        for entry in entries:
            item = entry.item.to_member() if isinstance(entry.item, TableMember) else entry.item
            result = self.job.run(entry.index, item)
            if isinstance(result, BatchError):
                results.append(result)
                continue
            row = self.spec.row(result)
            results.append(
                Outcome(
                    row["member_id"],
                    row["status"],
                    row["days_left"],
                    row["due"],
                    row["revocation"],
                    row["shortfalls"],
                )
            )
            reports.append(result)
            rows.append(row)
        return Chunk(self._body(reports, rows), results)

    def _body(self, reports: list[ComplianceReport], rows: list[Row]) -> bytes | Any:
        if not reports:
            return None
        if self.output == "jsonl":
            return "".join(r.to_json(indent=None) + "\n" for r in reports).encode("utf-8")
        if self.output == "csv":
            return self.spec.csv_text(rows).encode("utf-8")
        if self.output == "ics":
            return b"".join(deadline_events(r) for r in reports)
        return self.spec.arrow_batch(rows)


# ------------------------------------------------------------ parent side


def _batch_command(args: argparse.Namespace) -> int:
    output = _output_format(args.out, args.format)
    return _run(args, output)


def _calendar_command(args: argparse.Namespace) -> int:
    try:
        require_icalendar()
    except ImportError as exc:
        raise BatchRefused(str(exc)) from None
    return _run(args, "ics")


def _output_format(path: str, given: str | None) -> Output:
    found = format_named(path, given, OUTPUT_FORMATS)
    if found is None:
        raise BatchRefused(
            f"cannot tell the output format from {path!r}; name it .jsonl, .csv or .parquet, "
            "or give --format"
        )
    return found


def _run(args: argparse.Namespace, output: Output) -> int:
    if output == "parquet" or args.input_format == "parquet" or args.input.endswith(".parquet"):
        _require_pyarrow()
    _refuse_overwriting_inputs(args)
    pack = resolve_pack(args.rules)
    as_of = args.as_of or dt.date.today()
    spec = RowSpec.of(pack)
    task = Task(Job(evaluate, pack, as_of), output, spec)
    form = input_format(args.input, args.input_format)
    with ExitStack() as stack:
        roster = stack.enter_context(open_roster(args.input, form, records=args.records))
        sink = stack.enter_context(_Sink(args.out, output, spec))
        errors = stack.enter_context(_Errors(args.errors, roster.name))
        progress = _Progress(sys.stderr, roster)
        summary = _Summary(as_of)
        chunks = chunked(roster.entries, 1 if args.jobs == 1 else _CHUNK)
        for entries, chunk in map_chunks(task, chunks, args.jobs):
            sink.write(chunk.body)
            for entry, result in zip(entries, chunk.results, strict=True):
                if isinstance(result, BatchError):
                    progress.clear()
                    errors.write(entry, roster, result)
                else:
                    summary.add(result)
                summary.count(result)
            progress.update(summary.total)
        progress.clear()
        sink.commit()
        errors.commit()
    print(summary.text(roster.name, args.errors), file=sys.stderr, end="")
    return EXIT_SOME_REFUSED if summary.refused else EXIT_OK


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise BatchRefused(_PYARROW) from None


def _refuse_overwriting_inputs(args: argparse.Namespace) -> None:
    inputs = {Path(p).resolve() for p in (args.input, args.records) if p not in (None, "-")}
    for option, path in (("--out", args.out), ("--errors", args.errors)):
        if path not in (None, "-") and Path(path).resolve() in inputs:
            raise BatchRefused(f"{option} {path} is an input file; write elsewhere")
    if args.errors is not None and args.errors == args.out and args.out != "-":
        raise BatchRefused("--errors and --out name the same file")


class _Atomic:
    """A file written under a temporary name and renamed into place by ``commit``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.partial = f"{path}.partial"
        try:
            self.stream: IO[bytes] = open(self.partial, "wb")  # noqa: SIM115 -- see close
        except OSError as exc:
            raise BatchRefused(f"cannot write {path}: {exc.strerror or exc}") from None

    def commit(self) -> None:
        self.stream.close()
        os.replace(self.partial, self.path)

    def close(self) -> None:
        if not self.stream.closed:  # not committed: an error stopped the run
            self.stream.close()
            os.unlink(self.partial)


class _Sink:
    """The output file: a header, the chunks' bodies in order, a footer."""

    def __init__(self, path: str, output: Output, spec: RowSpec) -> None:
        self.output = output
        self.spec = spec
        self.file = None if path == "-" else _Atomic(path)
        self.stream: IO[bytes] = sys.stdout.buffer if self.file is None else self.file.stream
        self.parquet: Any = None
        self.batches: list[pa.RecordBatch] = []
        if output == "parquet":
            if self.file is None:
                raise BatchRefused("Parquet cannot go to stdout; give a file with --out")
            import pyarrow.parquet as pq

            self.parquet = pq.ParquetWriter(self.stream, spec.arrow_schema())
        elif output == "csv":
            self.stream.write(spec.csv_header().encode("utf-8"))
        elif output == "ics":
            self.stream.write(calendar_header())

    def __enter__(self) -> _Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()

    def write(self, body: bytes | pa.RecordBatch | None) -> None:
        if body is None:
            return
        if isinstance(body, bytes):
            self.stream.write(body)
            return
        self.batches.append(body)
        if sum(b.num_rows for b in self.batches) >= _ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self.batches:
            self.parquet.write_table(pa.Table.from_batches(self.batches))
            self.batches = []

    def commit(self) -> None:
        if self.parquet is not None:
            self._flush()
            self.parquet.close()
        elif self.output == "ics":
            self.stream.write(CALENDAR_FOOTER)
        self.stream.flush()
        if self.file is not None:
            self.file.commit()


class _Errors:
    """Refused entries: JSON Lines in ``--errors``, else readable lines on stderr."""

    def __init__(self, path: str | None, name: str) -> None:
        self.file = None if path is None or path == "-" else _Atomic(path)
        self.json = path is not None

    def __enter__(self) -> _Errors:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()

    def write(self, entry: Entry, roster: Roster, error: BatchError) -> None:
        source = entry.source or roster.name
        if self.json:
            record = {"input": source, "line": entry.line, **error.to_dict()}
            text = json.dumps(record, ensure_ascii=False) + "\n"
            if self.file is None:
                sys.stdout.write(text)
            else:
                self.file.stream.write(text.encode("utf-8"))
            return
        where = f"{source}:{entry.line}" if entry.line is not None else f"{source}[{entry.index}]"
        who = f"member {error.member_id}" if error.member_id else "member"
        for problem in error.problems:
            print(f"{where}: {who} refused: {problem}", file=sys.stderr)

    def commit(self) -> None:
        if self.file is not None:
            self.file.commit()


class _Summary:
    """Counts by status and the most urgent members not compliant, in bounded memory."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.statuses: Counter[str] = Counter()
        self.total = 0
        self.refused = 0
        self.urgent_count = 0
        self._urgent: list[tuple[int, int, Outcome]] = []  # a max-heap by (-days_left, -seq)

    def count(self, result: Outcome | BatchError) -> None:
        self.total += 1
        if isinstance(result, BatchError):
            self.refused += 1

    def add(self, outcome: Outcome) -> None:
        self.statuses[outcome.status] += 1
        urgent = (
            outcome.status != Status.COMPLIANT
            and outcome.days_left <= URGENT_DAYS
            and self.as_of <= outcome.revocation
        )
        if not urgent:
            return
        self.urgent_count += 1
        item = (-outcome.days_left, -self.urgent_count, outcome)
        if len(self._urgent) < _URGENT_SHOWN:
            heapq.heappush(self._urgent, item)
        else:
            heapq.heappushpop(self._urgent, item)

    def text(self, name: str, errors: str | None) -> str:
        evaluated = self.total - self.refused
        line = f"{PROG}: {name}: {self.total:,} entries, {evaluated:,} evaluated"
        if self.refused:
            line += f", {self.refused:,} refused (listed in {errors or 'the lines above'})"
        lines = [line]
        if evaluated:
            lines.append("  " + ", ".join(f"{s.value} {self.statuses[s.value]:,}" for s in Status))
        heading = (
            f"  not compliant and due within {URGENT_DAYS} days of {self.as_of} "
            f"(or overdue, not yet revoked): {self.urgent_count:,}"
        )
        lines.append(heading)
        urgent = sorted(self._urgent, key=lambda item: (-item[0], -item[1]))
        for _, _, o in urgent:
            days = f"{o.days_left} days left" if o.days_left >= 0 else f"{-o.days_left} days late"
            lines.append(f"    {o.member_id}  {o.status}  due {o.due} ({days})  {o.shortfalls}")
        if self.urgent_count > len(urgent):
            lines.append(f"    ... and {self.urgent_count - len(urgent):,} more")
        return "\n".join(lines) + "\n"


class _Progress:
    """A progress bar on stderr when stderr is a terminal; nothing at all otherwise."""

    WIDTH = 24
    INTERVAL = 0.2  # seconds between redraws

    def __init__(self, stream: IO[str], roster: Roster) -> None:
        self.stream = stream
        self.roster = roster
        self.enabled = show_progress(stream)
        self.start = time.monotonic()
        self.last = 0.0
        self.shown = 0

    def update(self, members: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < self.INTERVAL:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        text = f"{members:,} members  {members / elapsed:,.0f}/s"
        total = self.roster.total
        if total:
            fraction = min(1.0, self.roster.done() / total)
            filled = round(fraction * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            eta = elapsed * (1 - fraction) / fraction if fraction > 0 else 0
            text = f"[{bar}] {fraction:4.0%}  {text}  ETA {_duration(eta)}"
        self.stream.write("\r" + text.ljust(self.shown))
        self.stream.flush()
        self.shown = len(text)

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()
            self.shown = 0
            self.last = 0.0


def show_progress(stream: IO[str]) -> bool:
    """A bar only for a person watching: stderr is a terminal (not a pipe, file or CI log)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
