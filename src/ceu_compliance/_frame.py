"""DataFrames for notebooks: to_frame() and evaluate_frame() (the ``dataframe`` extra).

The columns are those of ``ceu-compliance batch --format csv`` (docs/rosters.md),
plus ``problems``, which is empty for an evaluated member and lists why a
refused one was refused (its other columns are then empty). pandas is imported
when these functions are called, never by ``import ceu_compliance``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._batch import BatchError, Job, Refusal, run_job
from ._engine import RulesArg, evaluate
from ._errors import Problem
from ._limits import DEFAULT_LIMITS
from ._models import ComplianceReport
from ._pack import resolve_pack
from ._roster import (
    MEMBER_COLUMNS,
    RECORD_COLUMNS,
    REQUIRED_MEMBER_COLUMNS,
    REQUIRED_RECORD_COLUMNS,
    RosterError,
    TableMember,
    column_problems,
)
from ._rows import RowSpec
from ._validation import as_of_date

if TYPE_CHECKING:
    import pandas as pd

_EXTRA = 'DataFrames need pandas and pyarrow: pip install "ceu-compliance[dataframe]"'


def _require_pandas() -> None:
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise ImportError(_EXTRA) from None


def to_frame(
    results: Iterable[ComplianceReport | BatchError], *, rules: RulesArg = None
) -> pd.DataFrame:
    """A DataFrame with a row per report (or refused member), in order.

    Dates are ``datetime.date`` and CEU amounts exact ``Decimal``; ``rules`` is
    the pack that made the reports (default: the bundled pack), which names the
    per-minimum columns.

    Raises:
        ImportError: the ``dataframe`` extra is not installed.
    """
    _require_pandas()
    import pandas as pd

    spec = RowSpec.of(resolve_pack(rules))
    columns = [*spec.columns, "problems"]
    rows = []
    for result in results:
        if isinstance(result, BatchError):
            rows.append({"member_id": result.member_id, "problems": _problems(result)})
        else:
            rows.append({**spec.row(result), "problems": None})
    # Object columns hold the values as they are (str, date, Decimal, None), whatever
    # the rows; only the flag and the day count get pandas' nullable types.
    frame = pd.DataFrame(
        {c: pd.Series([row.get(c) for row in rows], dtype=object) for c in columns}
    )
    typed: pd.DataFrame = frame.astype({"compliant": "boolean", "days_left": "Int64"})
    return typed


def _problems(error: BatchError) -> str:
    return "; ".join(str(p) for p in error.problems)


def evaluate_frame(
    members: pd.DataFrame,
    records: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
    rules: RulesArg = None,
    jobs: int = 1,
) -> pd.DataFrame:
    """Evaluate the members of a table, with their records joined on ``member_id``.

    ``members`` and ``records`` have the columns of the CSV roster
    (docs/rosters.md): ``credentials`` as ``CPC:2016-05-14;CPMA:2021-02-01``
    (or a list of ``{"code", "earned"}``), ``approved_for`` as ``CPMA;CEMC``
    (or a list). Returns :func:`to_frame` of the results: a row per member, in
    order, then a refused row per ``member_id`` of ``records`` that no member has.

    Raises:
        RosterError: a column is unknown, missing or repeated.
        ImportError: the ``dataframe`` extra is not installed.
        TypeError: ``as_of`` is not a ``datetime.date`` (or ``rules`` of no rules' type).
    """
    _require_pandas()
    problems = [
        *column_problems(list(members.columns), MEMBER_COLUMNS, REQUIRED_MEMBER_COLUMNS, "members"),
        *column_problems(list(records.columns), RECORD_COLUMNS, REQUIRED_RECORD_COLUMNS, "records"),
    ]
    if problems:
        raise RosterError(problems)
    pack = resolve_pack(rules)
    by_member: dict[Any, list[dict[str, Any]]] = {}
    for record in _rows(records):
        by_member.setdefault(_key(record.get("member_id")), []).append(record)
    job = Job(evaluate, pack, as_of_date(as_of, DEFAULT_LIMITS))
    return to_frame(run_job(job, _items(_rows(members), by_member), jobs), rules=pack)


def _rows(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    """Rows as dicts of Python values, a missing value (NaN, NA, NaT) as None."""
    plain = frame.astype(object)
    plain = plain.where(frame.notna(), None)
    for row in plain.to_dict("records"):
        yield {str(k): v for k, v in row.items()}


def _key(member_id: Any) -> Any:
    return member_id.strip() if isinstance(member_id, str) else member_id


def _items(
    members: Iterator[dict[str, Any]], records: Mapping[Any, list[dict[str, Any]]]
) -> Iterator[dict[str, Any] | Refusal]:
    seen: dict[Any, int] = {}
    for index, cells in enumerate(members):
        key = _key(cells.get("member_id"))
        if key in seen and key is not None:
            problem = Problem(
                "duplicate_member",
                "$.member_id",
                f"member_id {key!r} is already in row {seen[key]}; records are joined on "
                "member_id, so it must be unique",
            )
            yield Refusal((problem,), str(key))
            continue
        seen[key] = index
        yield TableMember(cells, tuple(records.get(key, ()))).to_member()
    for key, orphans in records.items():
        if key not in seen:
            whose = f"member_id {key!r}" if key is not None else "no member_id"
            problem = Problem(
                "unknown_member",
                "$.member_id",
                f"{len(orphans)} record(s) have {whose}, which no member row has",
            )
            yield Refusal((problem,), None if key is None else str(key))
