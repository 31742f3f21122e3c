"""POST /v1/batch: JSON Lines in, JSON Lines out, through ``evaluate_many``, never held whole.

Three parts run at once:

- the reader (on the event loop) cuts the request body into lines as it arrives;
- the evaluator (one worker thread) runs ``evaluate_many`` over those lines and
  writes a line per result;
- the writer (on the event loop) sends those lines to the client.

The evaluator asks the reader for lines only when it needs more, so the server
never holds more than a body chunk and one line of unread input. Results go
through a spool (memory, then a temporary file) instead of straight to the
socket: most HTTP/1.1 clients (httpx, requests) send their whole request before
they read a byte of the response, and a server that waited for them to read its
results before reading on would wait for ever. A client that reads as it sends
gets each result as soon as it is ready.

Every line of the body is an entry, blank lines included, as in
``ceu-compliance batch`` (docs/rosters.md): output line N answers input line N.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ceu_compliance import BatchError, ComplianceReport, Problem, RulePack, evaluate_many

from .errors import error_body, incident, internal_error_body

MEDIA_TYPE = "application/x-ndjson"
_BOM = b"\xef\xbb\xbf"
_SEND_BYTES = 1 << 16  # results are sent, and handed to the event loop, this many bytes at a time


class ClientGone(Exception):
    """The client disconnected before the whole body was read."""


@dataclass(frozen=True)
class Line:
    """One entry of the body: its number (from 1) and its bytes, None when too long to keep."""

    number: int
    text: bytes | None


class LineReader:
    """The request body as lines, read only when asked for, within the size limits."""

    def __init__(self, receive: Receive, *, max_line: int, max_total: int) -> None:
        self._receive = receive
        self._max_line = max_line
        self._max_total = max_total
        self._partial = bytearray()
        self._skipping = False  # inside a line already longer than max_line
        self._count = 0
        self._total = 0
        self._ended = False
        self.cut_at: int | None = None
        """The first line not read because the body passed ``max_total``; None when all was read."""

    async def next_lines(self) -> list[Line]:
        """The next complete lines (at least one), or ``[]`` once the body is over.

        Raises:
            ClientGone: the client disconnected.
        """
        while not self._ended:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk: bytes = message.get("body", b"")
            room = self._max_total - self._total
            self._total += len(chunk)
            if len(chunk) > room:  # the lines that end within the limit are still entries
                lines = self._split(chunk[:room])
                self._ended = True
                self.cut_at = self._count + 1
                return lines
            lines = self._split(chunk)
            if not message.get("more_body", False):
                self._ended = True
                if self._partial or self._skipping:  # a last line without its newline
                    lines.append(self._finish(b""))
            if lines:
                return lines
        return []

    def _split(self, chunk: bytes) -> list[Line]:
        lines = []
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            lines.append(self._finish(chunk[start:end]))
            start = end + 1
        rest = chunk[start:]
        if not self._skipping:
            if len(self._partial) + len(rest) > self._max_line:
                self._skipping = True
                self._partial.clear()
            else:
                self._partial += rest
        return lines

    def _finish(self, end: bytes) -> Line:
        self._count += 1
        text: bytes | None = None
        if not self._skipping and len(self._partial) + len(end) <= self._max_line:
            text = bytes(self._partial + end).removesuffix(b"\r")
            if self._count == 1:
                text = text.removeprefix(_BOM)
        self._partial.clear()
        self._skipping = False
        return Line(self._count, text)


class Spool:
    """Bytes from the evaluator to the writer: in memory up to a size, then in a temporary file.

    Used only on the event loop's thread, so it needs no lock. Once the writer
    has caught up, the file is emptied, so a client that keeps up never makes
    it grow.
    """

    def __init__(self, memory_bytes: int) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=memory_bytes)  # noqa: SIM115 -- closed by chunks()
        self._read = 0
        self._written = 0
        self._closed = False
        self._more = anyio.Event()

    def put(self, data: bytes) -> None:
        self._file.seek(self._written)
        self._file.write(data)
        self._written += len(data)
        self._more.set()

    def close(self) -> None:
        """No more data will come; the writer ends once it has sent what is there."""
        self._closed = True
        self._more.set()

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while True:
                if self._read < self._written:
                    self._file.seek(self._read)
                    data = self._file.read(min(_SEND_BYTES, self._written - self._read))
                    self._read += len(data)
                    if self._read == self._written:
                        self._file.seek(0)
                        self._file.truncate()
                        self._read = self._written = 0
                    yield data
                elif self._closed:
                    return
                else:
                    await self._more.wait()
                    self._more = anyio.Event()
        finally:
            self._file.close()


class BatchResponse(Response):
    """The streamed JSON Lines answer to /v1/batch; it reads the request body itself."""

    media_type = MEDIA_TYPE

    def __init__(
        self,
        *,
        pack: RulePack,
        as_of: dt.date | None,
        limiter: anyio.CapacityLimiter,
        max_line: int,
        max_total: int,
        spool_memory: int,
    ) -> None:
        super().__init__(media_type=MEDIA_TYPE)
        self._pack = pack
        self._as_of = as_of
        self._limiter = limiter
        self._max_line = max_line
        self._max_total = max_total
        self._spool_memory = spool_memory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reader = LineReader(receive, max_line=self._max_line, max_total=self._max_total)
        spool = Spool(self._spool_memory)
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._write, spool, send)
                try:
                    await anyio.to_thread.run_sync(
                        self._evaluate, reader, spool, limiter=self._limiter
                    )
                finally:
                    spool.close()
        except* ClientGone:
            pass  # nobody is left to answer

    async def _write(self, spool: Spool, send: Send) -> None:
        headers = [(b"content-type", MEDIA_TYPE.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        async for data in spool.chunks():
            await send({"type": "http.response.body", "body": data, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _evaluate(self, reader: LineReader, spool: Spool) -> None:
        """Run in a worker thread: every line through ``evaluate_many``, a result line each."""
        waiting: deque[Line] = deque()  # lines given to evaluate_many, result not yet written
        out = bytearray()

        def flush() -> None:
            if out:
                anyio.from_thread.run_sync(spool.put, bytes(out))
                out.clear()

        def members() -> Iterator[bytes]:
            while True:
                flush()  # before waiting for more input, send what is done
                lines = anyio.from_thread.run(reader.next_lines)
                if not lines:
                    return
                for line in lines:
                    waiting.append(line)
                    # A line too long to keep is not read: an empty text stands in
                    # for it (refused at once) and its result is replaced below.
                    yield b"" if line.text is None else line.text

        source = members()
        while True:
            try:
                for result in evaluate_many(source, as_of=self._as_of, rules=self._pack):
                    out += result_line(waiting.popleft(), result, max_line=self._max_line)
                    if len(out) >= _SEND_BYTES:
                        flush()
                break
            except ClientGone:
                raise
            except Exception:
                if not waiting:
                    raise  # not the engine's failure on a member: reading failed
                # The engine failed on this member (a bug to report, never the
                # member's fault). evaluate_many cannot go on after raising, so a
                # new one takes the lines after it from the same source.
                line = waiting.popleft()
                key = incident(f"POST /v1/batch, line {line.number}")
                out += _line({**_where(line, None), **internal_error_body(key)})
        if reader.cut_at is not None:
            message = (
                f"the batch is larger than {self._max_total} bytes; "
                f"line {reader.cut_at} and the lines after it were not read"
            )
            out += _line({**_where_number(reader.cut_at), **error_body("too_large", message)})
        flush()


def result_line(line: Line, result: ComplianceReport | BatchError, *, max_line: int) -> bytes:
    """The output line for ``line``: its report, or why it has none."""
    if line.text is None:
        problem = Problem("too_long", "$", f"line {line.number} is longer than {max_line} bytes")
        message = "member refused: the line is too long to read"
        return _line({**_where(line, None), **error_body("invalid_member", message, [problem])})
    if isinstance(result, BatchError):
        count = len(result.problems)
        message = f"member refused: {count} {'problem' if count == 1 else 'problems'}"
        body = error_body("invalid_member", message, result.problems)
        return _line({**_where(line, result.member_id), **body})
    return result.to_json(indent=None).encode("utf-8") + b"\n"


def _where(line: Line, member_id: str | None) -> dict[str, Any]:
    return {**_where_number(line.number), "member_id": member_id}


def _where_number(number: int) -> dict[str, Any]:
    return {"line": number, "index": number - 1, "member_id": None}


def _line(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode("ascii") + b"\n"  # ASCII: see errors.error_response
