"""evaluate_many() and plan_many(): a roster in, one result per member out, in order.

A roster is any iterable of members (mappings, JSON texts, ``Member`` objects).
Each member gives either its report (or plan) or a :class:`BatchError` naming
its position and every problem: a refused member never stops the batch.

With ``jobs > 1`` the members go to worker processes in chunks, at most
``2 * jobs`` chunks in flight, and the results come back in input order: the
roster is never held whole, whatever its size. The rule pack is resolved once
in the caller and sent once to each worker, never loaded per member.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar

from ._decode import decode_json
from ._engine import RulesArg, evaluate
from ._errors import InvalidMemberError, Problem
from ._limits import DEFAULT_LIMITS, Limits, check_limits
from ._models import ComplianceReport, Member, Plan
from ._pack import RulePack, resolve_pack
from ._plan import plan
from ._validation import MEMBER_TYPES, as_of_date

MemberInput: TypeAlias = Member | Mapping[str, Any] | str | bytes

# Members per chunk sent to a worker process: large enough that the cost of
# sending a chunk is small beside evaluating it, small enough to keep results flowing.
CHUNK_SIZE = 64

_MEMBER_ID = re.compile(rb'"member_id"\s*:\s*"([^"\\]{1,200})"')


@dataclass(frozen=True)
class BatchError:
    """A roster member that was refused: a result of the batch, not an exception.

    ``index`` is the member's 0-based position in the input, ``member_id`` its
    ``member_id`` when one could be read, and ``problems`` every reason it was
    refused, as :class:`InvalidMemberError` would list them.
    """

    index: int
    member_id: str | None
    problems: tuple[Problem, ...]

    def __str__(self) -> str:
        who = f"member {self.member_id}" if self.member_id else "member"
        lines = "".join(f"\n  - {p}" for p in self.problems)
        return f"#{self.index} ({who}) refused:{lines}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``index``, ``member_id`` and ``problems`` (type, path, message)."""
        return {
            "index": self.index,
            "member_id": self.member_id,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class Refusal:
    """A roster entry refused before evaluation (a reader found it unusable)."""

    problems: tuple[Problem, ...]
    member_id: str | None = None


Out = TypeVar("Out", ComplianceReport, Plan)


@dataclass(frozen=True)
class Job(Generic[Out]):
    """What to run on each member (``evaluate`` or ``plan``), as of one date, with one pack.

    A job is sent once to each worker process, so it holds the resolved pack.
    """

    compute: Callable[..., Out]
    pack: RulePack
    as_of: dt.date
    limits: Limits = DEFAULT_LIMITS

    def run(self, index: int, item: Any) -> Out | BatchError:
        """The result for one member, or the error that says why it was refused."""
        if isinstance(item, Refusal):
            return BatchError(index, item.member_id, item.problems)
        data, problem = _loaded(item, self.limits)
        if problem is not None:
            return BatchError(index, _id_in_text(item), (problem,))
        if not isinstance(data, MEMBER_TYPES):  # no member at all (a set, an object)
            kind = type(data).__name__
            problem = Problem("not_a_member", "$", f"expected a member, not a {kind}")
            return BatchError(index, None, (problem,))
        try:
            return self.compute(data, as_of=self.as_of, rules=self.pack, limits=self.limits)
        except InvalidMemberError as exc:
            return BatchError(index, _member_id(data), exc.problems)

    def __call__(self, chunk: Sequence[tuple[int, Any]]) -> list[Out | BatchError]:
        return [self.run(index, item) for index, item in chunk]


def _loaded(item: Any, limits: Limits) -> tuple[Any, Problem | None]:
    """JSON text decoded (once, so that a refusal can still name the member_id), its
    numbers exact, as :func:`ceu_compliance.evaluate` reads JSON text."""
    if not isinstance(item, str | bytes):
        return item, None
    if not item.strip():
        return None, Problem("empty", "$", "no member here: the text is empty (a blank line?)")
    data, problems = decode_json(item, limits)
    return data, problems[0] if problems else None


def _member_id(data: Any) -> str | None:
    if isinstance(data, Member):
        return data.member_id
    if isinstance(data, Mapping):
        found = data.get("member_id")
        return (found.strip() or None) if isinstance(found, str) else None
    return None


def _id_in_text(item: str | bytes) -> str | None:
    """Best effort: the member_id written in text that is not valid JSON."""
    raw = item.encode("utf-8", "replace") if isinstance(item, str) else item
    found = _MEMBER_ID.search(raw)
    return found.group(1).decode("utf-8", "replace") if found else None


def evaluate_many(
    members: Iterable[MemberInput],
    *,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
    jobs: int = 1,
    limits: Limits | None = None,
) -> Iterator[ComplianceReport | BatchError]:
    """Evaluate every member of a roster; yield a report or a :class:`BatchError` each.

    Results come lazily and in input order, one per member. A member that
    :func:`ceu_compliance.evaluate` would refuse gives a ``BatchError`` and the
    batch goes on. ``as_of`` defaults to today (the same day for the whole
    batch). ``jobs`` worker processes evaluate chunks of members; the results
    are the same, in the same order, as with ``jobs=1``. ``limits`` bounds each
    member, as for :func:`ceu_compliance.evaluate`.

    Raises:
        RulePackError: ``rules`` names a pack that does not load (before any member).
        InvalidMemberError: ``as_of`` is outside the years of ``limits`` (before any member).
        TypeError: ``as_of``, ``rules`` or ``limits`` is not of its type (before any member).
        ValueError: ``jobs`` is less than 1.
    """
    return run_job(_job(evaluate, as_of, rules, limits), members, jobs)


def plan_many(
    members: Iterable[MemberInput],
    *,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
    jobs: int = 1,
    limits: Limits | None = None,
) -> Iterator[Plan | BatchError]:
    """:func:`evaluate_many` for completion plans (PL-MIN): a plan or a ``BatchError`` each."""
    return run_job(_job(plan, as_of, rules, limits), members, jobs)


def _job(
    compute: Callable[..., Out], as_of: dt.date | None, rules: RulesArg, limits: Limits | None
) -> Job[Out]:
    """The job of a batch, its arguments checked at the call, before any member."""
    checked = check_limits(limits)
    return Job(compute, resolve_pack(rules), as_of_date(as_of, checked), checked)


def run_job(
    job: Job[Out], members: Iterable[MemberInput | Refusal], jobs: int
) -> Iterator[Out | BatchError]:
    """``job`` on every member, lazily, in order (the engine of :func:`evaluate_many`)."""
    check_jobs(jobs)
    # One member per chunk in-process, so that results follow a slow source at once.
    size = 1 if jobs == 1 else CHUNK_SIZE
    chunks = map_chunks(job, chunked(enumerate(members), size), jobs)
    return (result for _, results in chunks for result in results)


def check_jobs(jobs: int) -> None:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number >= 1, got {jobs!r}")


T = TypeVar("T")
R = TypeVar("R")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last may be shorter), read as they are needed."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_worker_task: Callable[[Any], Any] | None = None


def _start_worker(task: Callable[[Any], Any]) -> None:
    global _worker_task
    _worker_task = task


def _run_chunk(chunk: Any) -> Any:
    assert _worker_task is not None, "worker started without a task"
    return _worker_task(chunk)


C = TypeVar("C")


def map_chunks(task: Callable[[C], R], chunks: Iterable[C], jobs: int) -> Iterator[tuple[C, R]]:
    """``(chunk, task(chunk))`` for each chunk, in order, on ``jobs`` processes.

    ``task`` must pickle (a module-level function or a frozen dataclass): each
    worker receives it once. At most ``2 * jobs`` chunks are in flight, so
    memory stays bounded however long ``chunks`` is; the consumer's pace sets
    the pace of reading.
    """
    check_jobs(jobs)
    if jobs == 1:
        yield from ((chunk, task(chunk)) for chunk in chunks)
        return
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=_start_worker, initargs=(task,)
    ) as pool:
        pending: deque[tuple[C, Future[R]]] = deque()
        try:
            for chunk in chunks:
                pending.append((chunk, pool.submit(_run_chunk, chunk)))
                if len(pending) >= 2 * jobs:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        finally:
            for _, future in pending:
                future.cancel()


def _context() -> multiprocessing.context.BaseContext:
    # forkserver where there is one (fork is unsafe once the caller has threads),
    # spawn elsewhere; both start workers that import only what they need.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
