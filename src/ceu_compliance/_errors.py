"""The one exception hierarchy of ceu-compliance.

Non-compliance is never an exception: it is data in the report. Exceptions are
for input the engine cannot evaluate and for rule packs it cannot load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._printable import shown, visible


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
        return visible(f"{self.path}: {self.message}")

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "path": self.path, "message": self.message}


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*", re.ASCII)


def json_path(loc: Sequence[int | str], root: str = "$") -> str:
    """``("records", 3, "ceus")`` as ``$.records[3].ceus``.

    A key that is not a plain name is quoted, escaped and cut when long
    (``$.records[0]["approved\\nfor"]``), so that a path never carries a line break
    or a megabyte of someone's key.
    """
    out = root
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _NAME.fullmatch(part) and len(part) <= 64:
            out += f".{part}"
        else:
            out += f"[{shown(part)}]"
    return out


def how_many(problems: Sequence[Problem]) -> str:
    """``1 problem``, ``3 problems``, or ``over 100 problems`` when :func:`capped` left some out."""
    count = len(problems)
    if problems and problems[-1].type == "more_problems":
        return f"over {count - 1} problems"
    return f"{count} {'problem' if count == 1 else 'problems'}"


def capped(problems: Iterable[Problem], limit: int) -> list[Problem]:
    """The first ``limit`` problems, and one more saying how many were left out."""
    kept: list[Problem] = []
    more = 0
    for problem in problems:
        if len(kept) < limit:
            kept.append(problem)
        else:
            more += 1
    if more:
        kept.append(
            Problem(
                "more_problems",
                "$",
                f"{more:,} more {'problem' if more == 1 else 'problems'} not listed "
                f"(Limits.max_problems is {limit}); fix these first",
            )
        )
    return kept


class CEUComplianceError(Exception):
    """Root of every error this library raises on purpose."""


class ProblemsError(CEUComplianceError):
    """An error that carries the full list of problems found."""

    what = "input"

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.what} refused, {how_many(self.problems)}:\n{lines}")


class InvalidMemberError(ProblemsError, ValueError):
    """The member input was refused; ``problems`` lists every reason."""

    what = "member input"


class RulePackError(ProblemsError):
    """A rule pack failed validation on load; ``problems`` lists every reason."""

    what = "rule pack"
