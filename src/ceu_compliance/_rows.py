"""A report as one flat row: the columns of the batch CSV and Parquet output and of to_frame.

One row per member: where the member stands (status, deadlines, days left) and,
for the total and for every credential minimum of the rule pack, what is
required, what counted and what is short. The minimum columns come from the
pack's catalog, so every row of a roster has the same columns, known before
the first member is read (which streaming CSV and Parquet need); a minimum the
member does not have is empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._amounts import format_decimal
from ._models import ComplianceReport
from ._pack import RulePack

if TYPE_CHECKING:
    import pyarrow as pa

Row = dict[str, Any]

_DATES = ("as_of", "period_start", "period_end", "due", "submission_opens", "revocation")
BASE_COLUMNS = (
    "member_id",
    "status",
    "compliant",
    "as_of",
    "rules",
    "period_start",
    "period_end",
    "due",
    "submission_opens",
    "revocation",
    "extension_until",
    "days_left",
    "required_total",
    "counted_total",
    "shortfall_total",
    "rollover",
    "shortfalls",
)
_AMOUNTS = ("required", "counted", "shortfall")


def _suffix(requirement: str) -> str:
    return requirement.lower().replace("-", "_")


@dataclass(frozen=True)
class RowSpec:
    """The columns for one rule pack: the base columns, then three per credential minimum."""

    minimums: tuple[str, ...]

    @classmethod
    def of(cls, pack: RulePack) -> RowSpec:
        return cls(tuple(spec.code for spec in pack.credentials if spec.minimum > 0))

    @property
    def columns(self) -> tuple[str, ...]:
        wide = (f"{a}_{_suffix(code)}" for code in self.minimums for a in _AMOUNTS)
        return (*BASE_COLUMNS, *wide)

    def row(self, report: ComplianceReport) -> Row:
        """The report's row: dates as ``date``, amounts as ``Decimal``, absent as ``None``."""
        deadlines, total = report.deadlines, report.requirements[0]
        row: Row = {
            "member_id": report.member_id,
            "status": report.status.value,
            "compliant": report.compliant,
            "as_of": report.as_of,
            "rules": report.rules,
            "period_start": report.period.start,
            "period_end": report.period.end,
            "due": deadlines.due,
            "submission_opens": deadlines.submission_opens,
            "revocation": deadlines.revocation,
            "extension_until": deadlines.extension_until,
            # Signed: negative once the due date has passed, so sorting puts the latest first.
            "days_left": (deadlines.due - report.as_of).days,
            "required_total": total.required,
            "counted_total": total.counted,
            "shortfall_total": total.shortfall,
            "rollover": report.rollover,
            "shortfalls": shortfalls(report),
        }
        row.update(dict.fromkeys(self.columns[len(BASE_COLUMNS) :]))
        for requirement in report.requirements[1:]:
            if requirement.id not in self.minimums:
                raise ValueError(
                    f"member {report.member_id}: requirement {requirement.id} is not a minimum "
                    "of the rule pack these columns were made for; pass the pack that made "
                    "the report"
                )
            suffix = _suffix(requirement.id)
            for amount in _AMOUNTS:
                row[f"{amount}_{suffix}"] = getattr(requirement, amount)
        return row

    def csv_text(self, rows: Iterable[Row]) -> str:
        """``rows`` as CSV lines (no header), cells as the JSON format writes them."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([csv_cell(row[c]) for c in self.columns] for row in rows)
        return out.getvalue()

    def csv_header(self) -> str:
        return ",".join(self.columns) + "\n"

    def arrow_schema(self) -> pa.Schema:
        """Parquet types: dates as dates, amounts as exact decimal strings (as in the JSON)."""
        import pyarrow as pa

        types = {"compliant": pa.bool_(), "days_left": pa.int32(), "extension_until": pa.date32()}
        types.update(dict.fromkeys(_DATES, pa.date32()))
        return pa.schema([(c, types.get(c, pa.string())) for c in self.columns])

    def arrow_batch(self, rows: Sequence[Row]) -> pa.RecordBatch:
        import pyarrow as pa

        schema = self.arrow_schema()
        arrays = [
            pa.array([_arrow_cell(row[field.name]) for row in rows], type=field.type)
            for field in schema
        ]
        return pa.RecordBatch.from_arrays(arrays, schema=schema)


def shortfalls(report: ComplianceReport) -> str:
    """What is short, as the demo's summary writes it: ``total 4, CPMA 14`` ('' when none)."""
    return ", ".join(
        f"{q.id} {format_decimal(q.shortfall)}" for q in report.requirements if not q.met
    )


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _arrow_cell(value: Any) -> Any:
    return format_decimal(value) if isinstance(value, Decimal) else value
