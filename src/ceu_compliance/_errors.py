"""The one exception hierarchy of ceu-compliance.

Non-compliance is never an exception: it is data in the report. Exceptions are
for input the engine cannot evaluate and for rule packs it cannot load.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located by a JSONPath-like ``path``.

    ``type`` is a stable machine-readable code (``unknown_credential``,
    ``date_from_datetime_parsing``...), ``path`` looks like
    ``$.records[3].ceus`` and ``message`` says what is wrong and how to fix it.
    """

    type: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "path": self.path, "message": self.message}


def json_path(loc: Sequence[int | str]) -> str:
    """``("records", 3, "ceus")`` as ``$.records[3].ceus``."""
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class CEUComplianceError(Exception):
    """Root of every error this library raises on purpose."""


class ProblemsError(CEUComplianceError):
    """An error that carries the full list of problems found."""

    what = "input"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{self.what} refused, {count} {noun}:\n{lines}")


class InvalidMemberError(ProblemsError, ValueError):
    """The member input was refused; ``problems`` lists every reason."""

    what = "member input"


class RulePackError(ProblemsError):
    """A rule pack failed validation on load; ``problems`` lists every reason."""

    what = "rule pack"
