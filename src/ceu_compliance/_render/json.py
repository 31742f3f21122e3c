"""JSON, the format of docs/format.md: one output as an object, a roster as an array."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._models import ComplianceReport, Explanation, History, Plan, Rendered


def one(output: Rendered) -> str:
    """One output as an indented JSON object."""
    return output.to_json() + "\n"


def many(outputs: Sequence[Rendered]) -> str:
    """Several outputs as an indented JSON array."""
    return json.dumps([json.loads(o.to_json(indent=None)) for o in outputs], indent=2) + "\n"


def report(report: ComplianceReport) -> str:
    """The report as a JSON object."""
    return one(report)


def plan(plan: Plan) -> str:
    """The plan as a JSON object."""
    return one(plan)


def history(history: History) -> str:
    """The history as a JSON object."""
    return one(history)


def explanation(explanation: Explanation) -> str:
    """The explanation as a JSON object."""
    return one(explanation)


def reports(reports: Sequence[ComplianceReport]) -> str:
    """Several members' reports as a JSON array."""
    return many(reports)


def plans(plans: Sequence[Plan]) -> str:
    """Several members' plans as a JSON array."""
    return many(plans)


def histories(histories: Sequence[History]) -> str:
    """Several members' histories as a JSON array."""
    return many(histories)


def explanations(explanations: Sequence[Explanation]) -> str:
    """Several members' explanations as a JSON array."""
    return many(explanations)
