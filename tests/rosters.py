"""Rosters for the batch tests: good members from the bundled examples, and bad lines.

``mixed_lines(n)`` gives ``n`` good members and, after every second one, a bad
line of one of three kinds in turn (broken JSON, an invalid member, a blank
line): a third of the lines are bad.
"""

from __future__ import annotations

import json
from typing import Any

from ceu_compliance._cli import DEMO_AS_OF, example_members

AS_OF = DEMO_AS_OF
EXAMPLES = [json.loads(text) for _, text in example_members()]

INVALID = {
    "member_id": "BAD-INVALID",
    "renewal_due": "2027-02-30",
    "credentials": [{"code": "XYZ", "earned": "2020-01-01"}],
    "records": [{"id": "a", "date": "2026-01-01", "activity": "webinar", "ceus": -1}],
}


def good(i: int) -> dict[str, Any]:
    """The i-th good member: an example member under the id ``G-i``."""
    return {**EXAMPLES[i % len(EXAMPLES)], "member_id": f"G-{i}"}


def bad_line(k: int) -> str:
    kind = k % 3
    if kind == 0:
        return f'{{"member_id": "BAD-JSON-{k}", "renewal_due": '
    if kind == 1:
        return json.dumps({**INVALID, "member_id": f"BAD-INVALID-{k}"})
    return ""


def mixed_lines(n: int) -> list[str]:
    lines = []
    for i in range(n):
        lines.append(json.dumps(good(i)))
        if i % 2 == 1:
            lines.append(bad_line(i // 2))
    return lines


def credentials_cell(member: dict[str, Any]) -> str:
    return ";".join(f"{c['code']}:{c['earned']}" for c in member["credentials"])


def csv_pair(members: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Members as rows of members.csv and records.csv (docs/rosters.md)."""
    member_rows, record_rows = [], []
    for member in members:
        row = {k: str(v) for k, v in member.items() if k not in ("credentials", "records")}
        member_rows.append({**row, "credentials": credentials_cell(member)})
        for record in member.get("records", []):
            cells = {k: _cell(v) for k, v in record.items()}
            record_rows.append({"member_id": member["member_id"], **cells})
    return member_rows, record_rows


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return "" if value is None else str(value)


def extra(module: str) -> Any:
    """Import an optional extra's module: skip without it, except in CI, which installs them."""
    import importlib
    import os

    import pytest

    if os.environ.get("CI"):
        return importlib.import_module(module)  # CI installs every extra: never skip there
    return pytest.importorskip(module)
