"""Reading rosters from files, a member at a time: JSON Lines, JSON, a CSV pair, Parquet.

Every reader yields one :class:`Entry` per member it finds, with its position
and the line it starts on, and never holds the whole file: JSON Lines and CSV
are read line by line, a JSON array element by element (an incremental parser
over a buffered reader), Parquet a row batch at a time. An entry the reader
cannot make a member of (a blank CSV row, a row with too many cells, the
broken tail of a JSON array) is still yielded, as a :class:`Refusal` that
names the problem, so that nothing vanishes on the way to the errors file.

docs/rosters.md describes each format.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

from ._batch import Refusal
from ._decode import EXACT_JSON
from ._errors import Problem, ProblemsError
from ._models import CEURecord, Member

InputFormat = Literal["jsonl", "json", "csv", "parquet"]
INPUT_FORMATS: dict[str, InputFormat] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
}

# Longest line (or JSON array element) read as one member: a member this
# large is a mistake, and the bound keeps memory bounded whatever the input.
MAX_MEMBER_BYTES = 16 * 1024 * 1024
_READ_SIZE = 1 << 16
_BOM = b"\xef\xbb\xbf"

# CSV columns: a member's fields (credentials as CODE:DATE;CODE:DATE), and a
# record's fields keyed by member_id (approved_for as CODE;CODE).
MEMBER_COLUMNS = tuple(name for name in Member.model_fields if name != "records")
RECORD_COLUMNS = ("member_id", *CEURecord.model_fields)
REQUIRED_MEMBER_COLUMNS = ("member_id", "renewal_due", "credentials")
REQUIRED_RECORD_COLUMNS = ("member_id", "id", "date", "activity")


class RosterError(ProblemsError):
    """A roster was refused as a whole: unreadable, or its columns are not the documented ones."""

    what = "roster"


def _refused(kind: str, where: str, message: str) -> RosterError:
    return RosterError([Problem(kind, where, message)])


@dataclass(frozen=True)
class Entry:
    """One member as read: its 0-based position, its first line (None in Parquet), the data.

    ``item`` is what :func:`ceu_compliance.evaluate_many` takes (JSON text as
    bytes, a mapping), a :class:`TableMember` still to assemble, or a
    :class:`Refusal`.
    """

    index: int
    line: int | None
    item: Any
    source: str | None = None  # the file ``line`` is in, when not the roster's own


@dataclass
class Roster:
    """A roster being read: its entries, and how far through its input the reader is.

    ``total`` and ``done()`` are in the same unit (bytes, or rows for Parquet),
    for a progress bar; ``total`` is None when the size is not known (a pipe).
    Use it in a ``with`` block, which closes its files and temporary spool.
    """

    name: str
    entries: Iterator[Entry]
    total: int | None
    done: Callable[[], int]
    close: Callable[[], None]

    def __enter__(self) -> Roster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_Format = TypeVar("_Format", bound=str)


def format_named(path: str, given: str | None, formats: Mapping[str, _Format]) -> _Format | None:
    """The format ``given`` names, else ``path``'s extension's (stdin: JSON Lines), or None."""
    if given is not None:
        return formats[f".{given}"]
    if path == "-":
        return formats[".jsonl"]
    return formats.get(Path(path).suffix.lower())


def input_format(path: str, given: str | None) -> InputFormat:
    """The format named by ``--input-format``, else by the file's extension (stdin: JSON Lines)."""
    found = format_named(path, given, INPUT_FORMATS)
    if found is None:
        known = ", ".join(INPUT_FORMATS)
        raise _refused(
            "unknown_format",
            path,
            f"cannot tell the roster format from the extension; use {known} or --input-format",
        )
    return found


def open_roster(path: str, form: InputFormat, *, records: str | None = None) -> Roster:
    """Open ``path`` as a roster of ``form``; ``records`` is the records CSV of a CSV pair.

    Raises:
        RosterError: the file cannot be opened, or its columns are not the documented ones.
    """
    if form == "csv":
        if records is None:
            raise _refused(
                "records_missing", path, "a CSV roster needs its records file: --records FILE"
            )
        return _csv_roster(path, records)
    if records is not None:
        raise _refused("records_not_csv", records, "--records goes with a CSV roster only")
    if form == "parquet":
        return _parquet_roster(path)
    stream, total = _open_binary(path)
    entries = _jsonl_entries(stream) if form == "jsonl" else _json_entries(stream, path)
    return Roster(path, entries, total, stream.tell, stream.close)


def _open_binary(path: str) -> tuple[IO[bytes], int | None]:
    if path == "-":
        import sys

        return sys.stdin.buffer, None
    try:
        stream = open(path, "rb")  # noqa: SIM115 -- closed by Roster.close
    except OSError as exc:
        raise _refused("unreadable", path, f"cannot read: {exc.strerror or exc}") from None
    return stream, os.fstat(stream.fileno()).st_size


# ------------------------------------------------------------- JSON Lines


def _jsonl_entries(stream: IO[bytes]) -> Iterator[Entry]:
    """A line per member, every line an entry: a blank line is refused, not skipped."""
    number = 0
    while line := stream.readline(MAX_MEMBER_BYTES + 1):
        number += 1
        if number == 1:
            line = line.removeprefix(_BOM)
        if len(line) > MAX_MEMBER_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(_READ_SIZE)) and not rest.endswith(b"\n"):
                pass  # skip the rest of an over-long line, never holding it
            yield Entry(number - 1, number, _too_long(f"line {number}"))
            continue
        yield Entry(number - 1, number, line.rstrip(b"\r\n"))


def _too_long(what: str) -> Refusal:
    limit = MAX_MEMBER_BYTES // (1024 * 1024)
    return Refusal((Problem("too_long", "$", f"{what} is longer than {limit} MiB; not read"),))


# ------------------------------------------------------------------- JSON

_MEMBERS_KEY = re.compile(r'\{\s*"members"\s*:\s*\[')
_SPACE = re.compile(r"\s*")


class _Text:
    """Decoded text read ahead from a binary stream, with the line number of its start."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.line = 1  # line of buf[0]
        self.eof = False

    def more(self, at_least: int = _READ_SIZE) -> bool:
        """Read at least ``at_least`` more bytes; False at the end of the input."""
        if self.eof:
            return False
        data = self._stream.read(max(at_least, _READ_SIZE))
        self.eof = not data
        self.buf += self._utf8.decode(data, final=self.eof)
        return not self.eof

    def skip_space(self) -> None:
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf) or not self.more():
                return

    def peek(self) -> str:
        self.skip_space()
        return self.buf[self.pos : self.pos + 1]

    def line_at(self, pos: int) -> int:
        return self.line + self.buf.count("\n", 0, pos)

    def where(self, pos: int) -> str:
        column = pos - self.buf.rfind("\n", 0, pos)
        return f"line {self.line_at(pos)} column {column}"

    def drop_read(self) -> None:
        """Forget the text before ``pos`` (keeping the line count right)."""
        self.line += self.buf.count("\n", 0, self.pos)
        self.buf = self.buf[self.pos :]
        self.pos = 0


def _json_entries(stream: IO[bytes], name: str) -> Iterator[Entry]:
    """A JSON array streamed element by element; ``{"members": [...]}`` likewise.

    Any other document (one member, or a members key that is not the first) is
    read whole. A syntax error stops the reading (JSON has no way to
    resynchronise): it becomes one last refused entry saying where, and that
    the rest was not read.
    """
    text = _Text(stream)
    try:
        text.more()
        first = text.peek()
        if first == "{":
            while len(text.buf) - text.pos < 256 and text.more():
                pass
            opening = _MEMBERS_KEY.match(text.buf, text.pos)
            if opening is None:
                yield from _whole_document(text)
                return
            text.pos = opening.end()
            yield from _array_elements(text, wrapped=True)
        elif first == "[":
            text.pos += 1
            yield from _array_elements(text, wrapped=False)
        else:
            yield Entry(0, text.line_at(text.pos), _broken(text, "expected a JSON array"))
    except UnicodeDecodeError as exc:
        raise _refused("not_utf8", name, f"not UTF-8 text: {exc.reason}") from None


def _whole_document(text: _Text) -> Iterator[Entry]:
    while text.more():
        if len(text.buf) > MAX_MEMBER_BYTES:
            yield Entry(0, 1, _too_long("the document"))
            return
    try:
        document = EXACT_JSON.decode(text.buf)
    except (ValueError, RecursionError):
        document = None  # refused by the batch with the parser's message
    members = document.get("members") if isinstance(document, dict) else None
    if isinstance(members, list):
        yield from (Entry(i, None, member) for i, member in enumerate(members))
    else:
        yield Entry(0, 1, text.buf.encode("utf-8"))


def _array_elements(text: _Text, *, wrapped: bool) -> Iterator[Entry]:
    """The elements after an opening ``[``, then ``]`` (and the rest of the object if
    ``wrapped``), then the end of the file."""
    index = 0
    if text.peek() == "]":
        text.pos += 1
    else:
        while True:
            text.skip_space()
            line = text.line_at(text.pos)
            element = _element(text)
            yield Entry(index, line, element)
            index += 1
            if isinstance(element, Refusal):
                return
            text.drop_read()
            separator = text.peek()
            if separator not in (",", "]"):
                yield Entry(index, text.line_at(text.pos), _broken(text, "expected , or ]"))
                return
            text.pos += 1
            if separator == "]":
                break
    if wrapped:
        rest = _rest(text)
        try:
            EXACT_JSON.decode('{"members": []' + rest)  # the keys after members, and the }
        except (ValueError, RecursionError):
            yield Entry(index, text.line_at(text.pos), _broken(text, "after the members array"))
    elif text.peek():
        yield Entry(index, text.line_at(text.pos), _broken(text, "expected the end of the file"))


def _rest(text: _Text) -> str:
    while len(text.buf) - text.pos <= MAX_MEMBER_BYTES and text.more():
        pass
    return text.buf[text.pos : text.pos + MAX_MEMBER_BYTES]


def _element(text: _Text) -> Any:
    """The next JSON value, reading more until it is complete (up to MAX_MEMBER_BYTES).

    Numbers are read exactly, as the engine reads JSON text (``_decode``).
    """
    while True:
        try:
            value, end = EXACT_JSON.raw_decode(text.buf, text.pos)
        except RecursionError:
            return _broken(text, "arrays and objects nested too deeply")
        except ValueError as exc:
            if not isinstance(exc, json.JSONDecodeError):  # NaN or Infinity
                return _broken(text, str(exc))
            if len(text.buf) - text.pos > MAX_MEMBER_BYTES:
                return _too_long("an element of the array")
            if text.more(len(text.buf)):
                continue
            return _broken(text, exc.msg, at=exc.pos)
        if end == len(text.buf) and text.more():
            continue  # a number or literal may go on in the next read
        text.pos = end
        return value


def _broken(text: _Text, what: str, at: int | None = None) -> Refusal:
    where = text.where(text.pos if at is None else at)
    message = f"not valid JSON at {where}: {what}; the rest of the file was not read"
    return Refusal((Problem("json_invalid", "$", message),))


# -------------------------------------------------------------- CSV pair


@dataclass(frozen=True)
class TableMember:
    """A member as table cells: its own cells and its records' cells, assembled in a worker.

    ``record_lines`` are the lines (or rows) of its records in the records table,
    ``problems`` what the reader already found wrong with them.
    """

    cells: Mapping[str, Any]
    records: tuple[Mapping[str, Any], ...] = ()
    problems: tuple[Problem, ...] = ()

    def to_member(self) -> dict[str, Any] | Refusal:
        member = {k: v for k, v in self._cleaned(self.cells).items() if k in MEMBER_COLUMNS}
        if isinstance(member.get("credentials"), str):
            member["credentials"] = _credentials(member["credentials"])
        member["records"] = [_record(r) for r in self.records]
        if self.problems:
            member_id = member.get("member_id")
            return Refusal(self.problems, member_id if isinstance(member_id, str) else None)
        return member

    @staticmethod
    def _cleaned(cells: Mapping[str, Any]) -> dict[str, Any]:
        return {k: c for k, v in cells.items() if (c := table_cell(v)) is not None}


def table_cell(value: Any) -> Any:
    """A cell as a member field: blank is absent, a midnight datetime is a date."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value != value:  # NaN: a missing value in a DataFrame
        return None
    if isinstance(value, dt.datetime) and value.time() == dt.time() and value.tzinfo is None:
        return value.date()
    return value


def _credentials(cell: str) -> list[dict[str, str]]:
    """``CPC:2016-05-14;CPMA:2021-02-01`` as credentials (a part without ``:`` has no date)."""
    out = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        code, _, earned = part.partition(":")
        out.append({"code": code.strip(), "earned": earned.strip()} if earned else {"code": code})
    return out


def _record(cells: Mapping[str, Any]) -> dict[str, Any]:
    record = {
        k: v
        for k, v in TableMember._cleaned(cells).items()
        if k != "member_id" and k in RECORD_COLUMNS
    }
    if isinstance(record.get("approved_for"), str):
        record["approved_for"] = [c.strip() for c in record["approved_for"].split(";") if c.strip()]
    return record


def column_problems(
    header: Sequence[str], known: Sequence[str], required: Sequence[str], where: str
) -> list[Problem]:
    """A table's unknown (a typo would be ignored), missing and repeated columns."""
    problems = []
    for name in header:
        if name not in known:
            problems.append(
                Problem(
                    "unknown_column",
                    where,
                    f"unknown column {name!r}; the columns are {', '.join(known)}",
                )
            )
    problems += [
        Problem("missing_column", where, f"column {name!r} is required")
        for name in required
        if name not in header
    ]
    problems += [
        Problem("repeated_column", where, f"column {name!r} appears twice")
        for name in sorted({n for n in header if list(header).count(n) > 1})
    ]
    return problems


class _Spool:
    """The records CSV in a temporary SQLite file, indexed by member_id: joined without RAM."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="ceu-compliance-")
        self.db = sqlite3.connect(Path(self._dir.name) / "records.sqlite3")
        self.db.execute("CREATE TABLE records (member_id TEXT, line INTEGER, cells TEXT)")
        self.db.execute("CREATE TABLE members (member_id TEXT PRIMARY KEY, line INTEGER)")

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()


def _csv_roster(members_path: str, records_path: str) -> Roster:
    members_stream, members_size = _open_binary(members_path)
    try:
        records_stream, records_size = _open_binary(records_path)
    except RosterError:
        members_stream.close()
        raise
    # Kept here: a TextIOWrapper closes its stream when it is collected.
    members_text = io.TextIOWrapper(members_stream, encoding="utf-8-sig", newline="")
    records_text = io.TextIOWrapper(records_stream, encoding="utf-8-sig", newline="")
    members, records = _csv_rows(members_text), _csv_rows(records_text)
    try:
        member_header = _header(members, members_path)
        record_header = _header(records, records_path)
        problems = [
            *column_problems(member_header, MEMBER_COLUMNS, REQUIRED_MEMBER_COLUMNS, members_path),
            *column_problems(record_header, RECORD_COLUMNS, REQUIRED_RECORD_COLUMNS, records_path),
        ]
        if problems:
            raise RosterError(problems)
    except RosterError:
        members_text.close()
        records_text.close()
        raise
    spool = _Spool()

    def close() -> None:
        members_text.close()
        records_text.close()
        spool.close()

    def done() -> int:
        return records_stream.tell() + members_stream.tell()

    total = None if members_size is None or records_size is None else members_size + records_size
    entries = _csv_entries(members, member_header, records, record_header, spool, records_path)
    return Roster(members_path, entries, total, done, close)


def _csv_rows(text: IO[str]) -> Iterator[tuple[int, list[str] | str]]:
    """``(first line, cells)`` per CSV row (a blank line has no cells), or what is wrong."""
    rows = csv.reader(text)
    line = 1
    while True:
        try:
            cells: list[str] | str = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            cells = f"is not valid CSV: {exc}"
        except UnicodeDecodeError as exc:
            raise _refused("not_utf8", f"line {line}", f"not UTF-8 text: {exc.reason}") from None
        yield line, cells
        line = rows.line_num + 1


def _header(rows: Iterator[tuple[int, list[str] | str]], name: str) -> list[str]:
    for _, cells in rows:
        if isinstance(cells, str):
            raise _refused("csv_invalid", name, f"the header {cells}")
        return [c.strip() for c in cells]
    raise _refused("empty", name, "the file is empty: no header row")


def _cells(
    line: int, cells: list[str] | str, header: list[str], where: str
) -> dict[str, str] | Problem:
    if isinstance(cells, str):
        return Problem("csv_invalid", where, f"line {line} {cells}")
    if not any(c.strip() for c in cells):
        return Problem("empty", where, f"line {line} is blank: no member here")
    if len(cells) != len(header):
        return Problem(
            "cell_count", where, f"line {line} has {len(cells)} cells; the header has {len(header)}"
        )
    return dict(zip(header, cells, strict=True))


def _csv_entries(
    members: Iterator[tuple[int, list[str] | str]],
    member_header: list[str],
    records: Iterator[tuple[int, list[str] | str]],
    record_header: list[str],
    spool: _Spool,
    records_name: str,
) -> Iterator[Entry]:
    _fill(spool, records, record_header, records_name)
    index = -1
    for index, (line, raw) in enumerate(members):
        cells = _cells(line, raw, member_header, "$")
        if isinstance(cells, Problem):
            yield Entry(index, line, Refusal((cells,)))
            continue
        member_id = cells["member_id"].strip()
        try:
            with spool.db:
                spool.db.execute("INSERT INTO members VALUES (?, ?)", (member_id, line))
        except sqlite3.IntegrityError:
            (first,) = spool.db.execute(
                "SELECT line FROM members WHERE member_id = ?", (member_id,)
            ).fetchone()
            problem = Problem(
                "duplicate_member",
                "$.member_id",
                f"member_id {member_id!r} is already on line {first}; records are joined "
                "on member_id, so it must be unique",
            )
            yield Entry(index, line, Refusal((problem,), member_id or None))
            continue
        yield Entry(index, line, _joined(spool, cells, member_id, records_name))
    for member_id, lines in spool.db.execute(
        "SELECT member_id, group_concat(line) FROM records WHERE member_id NOT IN "
        "(SELECT member_id FROM members) GROUP BY member_id ORDER BY min(line)"
    ):
        index += 1
        numbers = [int(n) for n in str(lines).split(",")]
        shown = ", ".join(map(str, numbers[:10])) + (", ..." if len(numbers) > 10 else "")
        whose = f"member_id {member_id!r}" if member_id else "no member_id"
        problem = Problem(
            "unknown_member",
            "$.member_id",
            f"{len(numbers)} record(s) of {records_name} (lines {shown}) have {whose}, "
            "which no member row has",
        )
        # Records that belong to no one are refused too, so that none vanishes.
        yield Entry(index, numbers[0], Refusal((problem,), member_id or None), records_name)


def _fill(
    spool: _Spool, records: Iterator[tuple[int, list[str] | str]], header: list[str], name: str
) -> None:
    at = header.index("member_id")

    def rows() -> Iterator[tuple[str, int, str]]:
        for line, raw in records:
            if isinstance(raw, list) and not any(c.strip() for c in raw):
                continue  # a blank line in the records file holds no record
            if isinstance(raw, list) and len(raw) == len(header):
                yield raw[at].strip(), line, json.dumps(dict(zip(header, raw, strict=True)))
                continue
            member_id = raw[at].strip() if isinstance(raw, list) and len(raw) > at else ""
            count = f"has {len(raw)} cells; the header has {len(header)}"
            what = raw if isinstance(raw, str) else count
            yield member_id, line, json.dumps({"__problem__": what})

    with spool.db:
        spool.db.executemany("INSERT INTO records VALUES (?, ?, ?)", rows())
        spool.db.execute("CREATE INDEX by_member ON records (member_id, line)")


def _joined(spool: _Spool, cells: dict[str, str], member_id: str, name: str) -> TableMember:
    records = []
    problems = []
    found = spool.db.execute(
        "SELECT line, cells FROM records WHERE member_id = ? ORDER BY line", (member_id,)
    )
    for i, (line, text) in enumerate(found):
        record = json.loads(text)
        if "__problem__" in record:
            message = f"{name} line {line} {record['__problem__']}"
            problems.append(Problem("cell_count", f"$.records[{i}]", message))
        records.append(record)
    return TableMember(cells, tuple(records), tuple(problems))


# ---------------------------------------------------------------- Parquet


def _parquet_roster(path: str) -> Roster:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise _refused(
            "extra_missing", path, 'Parquet needs pyarrow: pip install "ceu-compliance[dataframe]"'
        ) from None
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise _refused("unreadable", path, f"cannot read as Parquet: {exc}") from None
    done = [0]

    def entries() -> Iterator[Entry]:
        for batch in parquet.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                yield Entry(done[0], None, _without_nulls(row))
                done[0] += 1

    return Roster(path, entries(), parquet.metadata.num_rows, lambda: done[0], parquet.close)


def _without_nulls(value: Any) -> Any:
    """Arrow fills a missing struct field with null; the member format leaves it out."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
