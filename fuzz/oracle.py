"""What must hold for every input: the documented outcome, and a report's invariants.

Each check returns the list of what it found wrong (empty when all is well), so
that the runner can count and save failures and carry on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ceu_compliance import (
    ComplianceReport,
    History,
    InvalidMemberError,
    Plan,
    Status,
    default_rule_pack,
)

ZERO = Decimal(0)
PACK = default_rule_pack()
PYTHON_WORDS = (
    "tuple",
    "instance of",
    "dictionary",
    "Decimal(",
    "NoneType",
    "Value error",
    "Traceback",
)
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def refusal_problems(error: InvalidMemberError) -> list[str]:
    """A refusal lists its problems, each with a path and a message in JSON terms, briefly."""
    wrong = []
    if not error.problems:
        wrong.append("a refusal without problems")
    if len(error.problems) > 101:
        wrong.append(f"{len(error.problems)} problems listed, more than the cap")
    for problem in error.problems:
        if not (problem.path.startswith("$") or problem.path in ("as_of", "periods")):
            wrong.append(f"problem path {problem.path!r}")
        if not problem.message.strip():
            wrong.append(f"an empty message at {problem.path}")
        wrong += [f"Python word {w!r} in {problem}" for w in PYTHON_WORDS if w in str(problem)]
    if len(str(error)) > 200_000:
        wrong.append(f"a refusal of {len(str(error)):,} characters")
    if _CONTROL.search(str(error)):
        wrong.append("a control character in a refusal")
    return wrong


def report_problems(report: ComplianceReport) -> list[str]:
    """The invariants of one report (docs/reliability.md, "Invariants")."""
    wrong = []
    for o in report.records:
        rejected = sum((r.ceus for r in o.rejections), ZERO)
        if o.counted + o.rollover + rejected != o.claimed:
            wrong.append(f"record {o.id}: counted + rollover + rejected != claimed")
        if min(o.counted, o.rollover, o.claimed, *(r.ceus for r in o.rejections)) < 0:
            wrong.append(f"record {o.id}: a negative amount")
        for layer in ("core", "specialty"):
            shares = [a.ceus for a in o.applied_to if _layer(a.requirement) == layer]
            if sum(shares, ZERO) > o.counted:
                wrong.append(f"record {o.id}: a CEU in two {layer} minimums")
    counted_total = sum((o.counted for o in report.records), ZERO)
    if counted_total != report.counted_total:
        wrong.append("counted_total is not the records' counted")
    for r in report.requirements:
        if r.shortfall != max(ZERO, r.required - r.counted) or r.shortfall < 0:
            wrong.append(f"requirement {r.id}: shortfall != required - counted")
        if r.met != (r.shortfall == 0):
            wrong.append(f"requirement {r.id}: met disagrees with the shortfall")
        if r.id != "total":
            if r.counted > r.required:
                wrong.append(f"minimum {r.id}: counted over required")
            applied = sum(
                (a.ceus for o in report.records for a in o.applied_to if a.requirement == r.id),
                ZERO,
            )
            if applied != r.counted:
                wrong.append(f"minimum {r.id}: counted is not what the records apply")
    total = report.requirements[0]
    if (total.id, total.required, total.counted) != ("total", report.required_total, counted_total):
        wrong.append("the total requirement is not the report's totals")
    if report.excess != max(ZERO, counted_total - report.required_total):
        wrong.append("excess != counted - required")
    compliant = all(r.met for r in report.requirements)
    if report.compliant != compliant:
        wrong.append("compliant disagrees with the requirements")
    wrong += [
        f"status {report.status}, expected {s}" for s in [_status(report)] if s != report.status
    ]
    if _CONTROL.search(report.to_text().replace("\n", "")):
        wrong.append("a control character in the text rendering")
    return wrong


def _layer(requirement: str) -> str:
    spec = PACK.credential(requirement)
    return spec.kind if spec else "?"


def _status(report: ComplianceReport) -> Status:
    if report.compliant:
        return Status.COMPLIANT
    if report.as_of <= report.period.end:
        return Status.IN_PROGRESS
    until = report.deadlines.extension_until
    return Status.EXTENSION if until is not None and report.as_of <= until else Status.NONCOMPLIANT


def plan_problems(plan: Plan, report: ComplianceReport) -> list[str]:
    """A plan agrees with the report of the same member and day."""
    wrong = []
    if plan.compliant != report.compliant or plan.status != report.status:
        wrong.append("the plan's verdict is not the report's")
    if plan.minimum_additional < 0 or any(n.ceus <= 0 for n in plan.needs):
        wrong.append("a negative or empty need")
    if report.compliant != (plan.minimum_additional == 0 and not plan.needs):
        wrong.append("a compliant member needs CEUs, or a short one none")
    return wrong


def history_problems(history: History) -> list[str]:
    wrong = [f"period {k}: {w}" for k, r in enumerate(history.periods) for w in report_problems(r)]
    for split in history.splits:
        if min(split.to_earlier, split.to_later) < 0:
            wrong.append(f"split {split.record}: a negative share")
    return wrong


def order_free(report: ComplianceReport) -> dict[str, Any]:
    """The report as data, with what the records' input order may change taken out:
    the records keyed by id, and the warnings' record indexes."""
    data = report.model_dump(mode="json")
    data["records"] = {r["id"]: r for r in data["records"]}
    data["warnings"] = sorted(
        (re.sub(r"^\$\.records\[\d+\]", "$.records[*]", w["path"]), w["message"])
        for w in data["warnings"]
    )
    return data


def tied_duplicates(records: Sequence[Any]) -> bool:
    """Whether two records claim one index number on one date: the tie E-DUPLICATE breaks
    by input order (docs/design.md)."""
    seen = set()
    for record in records:
        if not isinstance(record, dict):
            continue
        key = (str(record.get("index_number", "")).strip().casefold(), record.get("date"))
        if key[0] and key in seen:
            return True
        seen.add(key)
    return False
