"""The GoRules zen-engine peer: tier total and credential minimums as a JDM decision graph.

``ceu_minimums.jdm.json`` decides, from the member's JSON text, the tier total
(Q-TIER), each held credential's minimum (Q-CPMA ... Q-SPECIALTY) and whether the
pre-approved CEUs approved for it reach it, every CEU counting toward every
minimum it is approved for (no optimal sharing, no rollover, no eligibility
stage). See README.md beside this file for what it does not decide.

:func:`agreement` checks its answers against ``evaluate`` where the two decide
the same thing, so that the members/s figures compare two right answers.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import zen

from ceu_compliance import ComplianceReport, default_rule_pack, evaluate

MODEL = Path(__file__).with_name("ceu_minimums.jdm.json")


def load() -> zen.ZenDecision:
    """The decision graph, compiled once."""
    return zen.ZenEngine().create_decision(MODEL.read_text(encoding="utf-8"))


def decide(decision: zen.ZenDecision, text: str) -> dict[str, Any]:
    """The peer's decision for one member's JSON text."""
    result: dict[str, Any] = decision.evaluate(text)["result"]
    return result


@dataclass
class Agreement:
    """How the peer's answers compare with the engine's, and every disagreement."""

    members: int = 0
    catalog: int = 0  # catalog rows and tier rows checked against the rule pack
    required: int = 0  # tier totals and minimums' required CEUs compared
    met_equal: int = 0  # met / not met compared where both decide the same thing
    met_implied: int = 0  # engine met => peer met, on the members as generated
    disagreements: list[str] = field(default_factory=list)


def agreement(decision: zen.ZenDecision, texts: list[str], as_of: dt.date) -> Agreement:
    """Compare the peer with ``evaluate`` on ``texts`` and with the rule pack's tables.

    - tier totals and each minimum's required CEUs: always equal;
    - met / not met: equal once the records the engine rejects any part of are
      removed (the peer has no eligibility stage; a typical member has one core and
      one specialty minimum, so sharing decides nothing there);
    - on the members as generated the peer counts every claimed CEU, so the
      engine's "met" implies the peer's.
    """
    out = Agreement()
    _catalog(decision, as_of, out)
    for text in texts:
        out.members += 1
        data = json.loads(text)
        report = evaluate(text, as_of=as_of)
        peer = decide(decision, text)
        _compare_required(data["member_id"], report, peer, out)
        for rid, (mine, theirs) in _met(report, peer).items():
            out.met_implied += 1
            if mine and not theirs:
                out.disagreements.append(f"{data['member_id']} {rid}: engine met, peer not met")
        rejected = {o.id for o in report.records if o.rejections}
        data["records"] = [r for r in data["records"] if r["id"] not in rejected]
        clean = json.dumps(data)
        clean_report = evaluate(clean, as_of=as_of)
        for rid, (mine, theirs) in _met(clean_report, decide(decision, clean)).items():
            out.met_equal += 1
            if mine != theirs:
                out.disagreements.append(
                    f"{data['member_id']} without rejected records, {rid}: "
                    f"engine met={mine}, peer met={theirs}"
                )
    return out


def _met(report: ComplianceReport, peer: dict[str, Any]) -> dict[str, tuple[bool, bool]]:
    theirs = {m["code"]: bool(m["met"]) for m in peer["minimums"]}
    theirs["total"] = bool(peer["total_met"])
    return {r.id: (r.met, theirs.get(r.id, False)) for r in report.requirements}


def _compare_required(
    member: str, report: ComplianceReport, peer: dict[str, Any], out: Agreement
) -> None:
    theirs = {m["code"]: _decimal(m["required"]) for m in peer["minimums"]}
    theirs["total"] = _decimal(peer["required_total"])
    mine = {r.id: r.required for r in report.requirements}
    out.required += len(mine)
    if mine != theirs:
        out.disagreements.append(f"{member}: required engine {mine} != peer {theirs}")


def _catalog(decision: zen.ZenDecision, as_of: dt.date, out: Agreement) -> None:
    """Every catalog code's minimum and every tier row, against the bundled rule pack."""
    rules = default_rule_pack().at(as_of)
    codes = [spec.code for spec in rules.credentials]
    for code in codes:
        spec = rules.credential(code)
        assert spec is not None
        peer = decide(decision, _bare([code]))
        theirs = {m["code"]: _decimal(m["required"]) for m in peer["minimums"]}
        if theirs != ({code: spec.minimum} if spec.minimum else {}):
            out.disagreements.append(f"catalog {code}: pack {spec.minimum}, peer {theirs}")
        out.catalog += 1
    for held in range(1, len(rules.tier_totals) + 2):
        peer = decide(decision, _bare(codes[:held]))
        if _decimal(peer["required_total"]) != rules.tier_total(held):
            out.disagreements.append(
                f"tier {held}: pack {rules.tier_total(held)}, peer {peer['required_total']}"
            )
        out.catalog += 1


def _bare(codes: list[str]) -> str:
    credentials = [{"code": code, "earned": "2015-06-01"} for code in codes]
    return json.dumps({"member_id": "peer-check", "credentials": credentials, "records": []})


def _decimal(value: float) -> Decimal:
    """A zen number (its exact decimal, handed to Python as a float) back as a Decimal."""
    return Decimal(repr(value))
