"""Renderings: one module per format, each rendering every kind of output.

``text``, ``markdown``, ``html`` and ``json`` each provide the functions of
:class:`Format`: one output (a report, a plan, a history, an explanation) or a
roster of them. ``common`` holds the rows and sentences they share. A new format
is one module with these functions and one entry in :data:`FORMATS`.

These modules know the models only for type checking: the models import them
for their ``to_text()``, ``to_markdown()`` and ``to_html()``, so the dependency
runs one way (docs/design.md, "Renderings"). The engine never imports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from . import html, json, markdown, text

if TYPE_CHECKING:
    from .._models import ComplianceReport, Explanation, History, Plan


class Format(Protocol):
    """What a format module provides: each kind of output alone, and a roster of each."""

    def report(self, report: ComplianceReport, /) -> str: ...
    def plan(self, plan: Plan, /) -> str: ...
    def history(self, history: History, /) -> str: ...
    def explanation(self, explanation: Explanation, /) -> str: ...
    def reports(self, reports: Sequence[ComplianceReport], /) -> str: ...
    def plans(self, plans: Sequence[Plan], /) -> str: ...
    def histories(self, histories: Sequence[History], /) -> str: ...
    def explanations(self, explanations: Sequence[Explanation], /) -> str: ...


FORMATS: dict[str, Format] = {"text": text, "json": json, "html": html, "markdown": markdown}
"""The formats by the name ``--format`` takes."""
