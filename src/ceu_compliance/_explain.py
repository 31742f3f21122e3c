"""Explanations: which records fill each requirement, and why the rest did not count.

An :class:`Explanation` is built from a report alone, plus the citations of the
rule pack that produced it: each requirement lists the records that fill it
and how much, and each part of a record that did not count (a rejection, or
renewal-month CEUs left for the next period) carries its rule ID, a
plain-English reason with what to do about it, and the sentence of the source
the rule comes from. A citation the pack marks as not quoted from its source
(:data:`NOT_QUOTED`) is shown as the project's reading, never as a quote.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ._engine import resolve_pack
from ._errors import Problem, RulePackError
from ._messages import ceus
from ._models import (
    CEUs,
    ComplianceReport,
    Period,
    RejectionCode,
    Requirement,
    Status,
    format_decimal,
)
from ._pack import DEFAULT_PACK, RulePack, default_rule_pack, load_rule_pack
from ._render import uncounted, verdict

NOT_QUOTED = "Not on the source page"
"""How a pack's citation starts when the rule is the project's reading, not a quote."""

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_PACK_ID = re.compile(r"[a-z0-9][a-z0-9.-]*")
_WIDTH = 88


class Contribution(BaseModel):
    """CEUs of one record that count toward a requirement."""

    model_config = _FROZEN

    record: str
    ceus: CEUs


class RequirementExplanation(Requirement):
    """A requirement of the report, the records that fill it, and the source of its rule."""

    filled_by: tuple[Contribution, ...]
    citation: str | None


class NotCounted(BaseModel):
    """CEUs of one record that did not count: why, under which rule, from which sentence.

    ``code`` is a rejection code, or ``rollover`` for renewal-month CEUs left for the
    next period (P-RENEWAL-MONTH).
    """

    model_config = _FROZEN

    record: str
    ceus: CEUs
    code: RejectionCode | Literal["rollover"]
    rule: str
    reason: str
    citation: str | None


class Explanation(BaseModel):
    """Why a report says what it says; ``str()`` reads it, ``model_dump_json()`` serialises it."""

    model_config = _FROZEN

    member_id: str
    as_of: dt.date
    period: Period
    status: Status
    compliant: bool
    rules: str
    source: str
    requirements: tuple[RequirementExplanation, ...]
    not_counted: tuple[NotCounted, ...]

    def to_text(self) -> str:
        """A readable terminal form, wrapped to 88 columns."""
        lines = [
            f"Why member {self.member_id} is {verdict(self.status)}",
            f"Period {self.period.start} to {self.period.end}, as of {self.as_of}.",
            *_wrap(f"Rules {self.rules}, from {self.source}.", ""),
            "",
            "Requirements:",
        ]
        for r in self.requirements:
            state = "met" if r.met else f"{format_decimal(r.shortfall)} short"
            lines.append(
                f"- {r.id} [{r.rule}]: {format_decimal(r.counted)} of "
                f"{format_decimal(r.required)} CEUs counted, {state}."
            )
            filled = ", ".join(f"{c.record} ({format_decimal(c.ceus)})" for c in r.filled_by)
            lines += _wrap(f"Filled by {filled or 'no record'}.", "    ")
            lines += _wrap(self._cite(r.citation), "    ")
        if self.not_counted:
            lines += ["", "CEUs that did not count:"]
        for part in self.not_counted:
            lines.append(f"- {part.record}: {ceus(part.ceus)}, {part.code} [{part.rule}]")
            lines += _wrap(part.reason, "    ")
            lines += _wrap(self._cite(part.citation), "    ")
        return "\n".join(lines) + "\n"

    def _cite(self, citation: str | None) -> str:
        if citation is None:
            return f"Citation: none in rule pack {self.rules}."
        if citation.startswith(NOT_QUOTED):
            return f"Citation: {citation}"
        return f'Citation: "{citation}"'

    def __str__(self) -> str:
        return self.to_text()


def explain_report(
    report: ComplianceReport, *, rules: RulePack | str | Path | None = None
) -> Explanation:
    """The explanation of ``report``, citing the pack that produced it.

    ``rules`` is that pack, a path to its TOML file or a bundled pack name; by
    default the bundled pack named by ``report.rules``.

    Raises:
        RulePackError: the pack does not load, or it is not the one ``report.rules``
            names.
    """
    pack = _pack_of(report, rules)
    citations: Mapping[str, str] = pack.citations
    requirements = []
    for requirement in report.requirements:
        if requirement.id == "total":
            filled = [(o.id, o.counted) for o in report.records if o.counted > 0]
        else:
            filled = [
                (o.id, a.ceus)
                for o in report.records
                for a in o.applied_to
                if a.requirement == requirement.id
            ]
        requirements.append(
            RequirementExplanation(
                **requirement.model_dump(),
                filled_by=tuple(Contribution(record=r, ceus=c) for r, c in filled),
                citation=citations.get(requirement.rule),
            )
        )
    return Explanation(
        member_id=report.member_id,
        as_of=report.as_of,
        period=report.period,
        status=report.status,
        compliant=report.compliant,
        rules=pack.id,
        source=pack.pack.source,
        requirements=tuple(requirements),
        not_counted=tuple(
            NotCounted(
                record=part.record,
                ceus=part.ceus,
                code=part.code,
                rule=part.rule,
                reason=part.message,
                citation=citations.get(part.rule),
            )
            for part in uncounted(report)
        ),
    )


def _pack_of(report: ComplianceReport, rules: RulePack | str | Path | None) -> RulePack:
    pack = _bundled_pack(report.rules) if rules is None else resolve_pack(rules)
    if pack.id != report.rules:
        raise RulePackError(
            [
                Problem(
                    "pack_mismatch",
                    "$.rules",
                    f"the report was made with rule pack {report.rules!r}, not {pack.id!r}; "
                    "explain it with the pack that made it",
                )
            ]
        )
    return pack


def _bundled_pack(pack_id: str) -> RulePack:
    if pack_id == DEFAULT_PACK:
        return default_rule_pack()
    bundled = resources.files("ceu_compliance") / "packs" / f"{pack_id}.toml"
    if not (_PACK_ID.fullmatch(pack_id) and bundled.is_file()):
        raise RulePackError(
            [
                Problem(
                    "unknown_pack",
                    "$.rules",
                    f"the report was made with rule pack {pack_id!r}, which is not bundled "
                    "with this library; pass that pack as rules=",
                )
            ]
        )
    return load_rule_pack(pack_id)


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, _WIDTH, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False
    )
