"""Readable end-to-end scenarios: ``tests/scenarios/*.json``, one rule story each.

Each file is named as a sentence and holds ``rules`` (the RULES.md IDs it
exercises), ``description``, ``as_of``, ``member`` (INTERCHANGE.md input) and
``expect``, a *partial* report worked out by hand from RULES.md:

* top-level fields (``status``, ``compliant``, ``required_total``, ...) compare
  exactly; decimals compare by value, so ``16``, ``"16"`` and ``"16.0"`` agree;
* ``requirements`` maps requirement id -> partial fields, and its keys must be
  exactly the requirements the report lists (so a missing or extra minimum fails);
* ``records`` maps record id -> partial fields; ``rejections`` is the full list
  of ``{code, ceus}`` (order-free; ``rule`` checked against INTERCHANGE.md's code
  table, messages never compared); ``applied_to`` is the full mapping
  requirement -> CEUs;
* nested objects (``period``, ``deadlines``, ``extension_offer``) compare partially,
  ``null`` exactly.

Every report is also checked against the invariants INTERCHANGE.md states for
any report (``counted + rollover + rejected = claimed`` and so on).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

from ceu_compliance import default_rule_pack, evaluate
from conftest import RULE_IDS, SCENARIO_DIR

SCENARIOS = sorted(SCENARIO_DIR.glob("*.json"))
PACK = default_rule_pack()

# INTERCHANGE.md: rejection code -> rule (quiz and cap codes depend on the activity).
RULE_OF_CODE = {
    "not_approved": "E-APPROVED",
    "outside_period": "P-PERIOD",
    "before_certification": "P-BEFORE-CERT",
    "late_not_aapc": "P-EXTENSION",
    "duplicate": "E-DUPLICATE",
    "instructor_cap": "E-INSTRUCTOR",
    "post_secondary_cap": "E-POSTSECONDARY",
    "post_secondary_min_hours": "E-POSTSECONDARY",
    "post_secondary_field": "E-POSTSECONDARY",
    "already_applied": "P-RENEWAL-MONTH",
    "future_date": "P-PERIOD",
}
RULE_OF_ACTIVITY_CODE = {"webinar": "E-WEBINAR", "workshop": "E-WORKSHOP"}
NOT_APPLIED_CODES = {"vendor_not_contracted", "cms_core_only", "before_credential", "not_held"}

DECIMAL_FIELDS = {
    "required_total",
    "counted_total",
    "excess",
    "rollover",
    "required",
    "counted",
    "shortfall",
    "claimed",
    "ceus",
    "fee_usd",
}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def dec(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise AssertionError(f"not a decimal amount: {value!r}") from None


def same(field: str, expected: Any, actual: Any) -> bool:
    if field in DECIMAL_FIELDS and expected is not None and actual is not None:
        return dec(expected) == dec(actual)
    return bool(expected == actual)


class Mismatches:
    """Collects every difference so that one failure shows all of them."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, expected: Any, actual: Any) -> None:
        self.lines.append(f"{where}: expected {expected!r}, got {actual!r}")

    def note(self, line: str) -> None:
        self.lines.append(line)


def compare_partial(where: str, expected: Any, actual: Any, out: Mismatches) -> None:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            out.add(where, expected, actual)
            return
        for key, value in expected.items():
            if key not in actual:
                out.note(f"{where}.{key}: missing from the report")
            else:
                compare_partial(f"{where}.{key}", value, actual[key], out)
        return
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            out.add(where, expected, actual)
            return
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            compare_partial(f"{where}[{i}]", e, a, out)
        return
    field = where.rsplit(".", 1)[-1].split("[")[0]
    if not same(field, expected, actual):
        out.add(where, expected, actual)


def rejection_key(code: str, ceus: Any, rule: str) -> tuple[str, Decimal, str]:
    return code, dec(ceus), rule


def expected_rule(code: str, activity: str | None) -> str:
    if code in ("quiz_not_passed", "activity_cap"):
        return RULE_OF_ACTIVITY_CODE.get(activity or "", "E-WEBINAR")
    return RULE_OF_CODE[code]


def compare_record(
    rid: str,
    expected: dict[str, Any],
    actual: dict[str, Any],
    activity: str | None,
    out: Mismatches,
) -> None:
    where = f"records[{rid}]"
    for key, value in expected.items():
        if key == "rejections":
            want = Counter(
                rejection_key(
                    r["code"], r["ceus"], r.get("rule") or expected_rule(r["code"], activity)
                )
                for r in value
            )
            got = Counter(
                rejection_key(r["code"], r["ceus"], r["rule"]) for r in actual["rejections"]
            )
            if want != got:
                out.add(f"{where}.rejections", sorted(want.elements()), sorted(got.elements()))
        elif key == "applied_to":
            want_map = {k: dec(v) for k, v in value.items()}
            got_map = {a["requirement"]: dec(a["ceus"]) for a in actual["applied_to"]}
            if want_map != got_map:
                out.add(f"{where}.applied_to", want_map, got_map)
        elif key not in actual:
            out.note(f"{where}.{key}: missing from the report")
        else:
            compare_partial(f"{where}.{key}", value, actual[key], out)


def check_expectation(scenario: dict[str, Any], report: dict[str, Any]) -> list[str]:
    out = Mismatches()
    expect = scenario["expect"]
    activities = {r["id"]: r.get("activity") for r in scenario["member"].get("records", [])}
    for key, value in expect.items():
        if key == "requirements":
            actual = {r["id"]: r for r in report["requirements"]}
            if set(actual) != set(value):
                out.add("requirement ids", sorted(value), list(actual))
            for rid, partial in value.items():
                if rid in actual:
                    compare_partial(f"requirements[{rid}]", partial, actual[rid], out)
        elif key == "records":
            actual = {r["id"]: r for r in report["records"]}
            for rid, partial in value.items():
                if rid not in actual:
                    out.note(f"records[{rid}]: not in the report")
                else:
                    compare_record(rid, partial, actual[rid], activities.get(rid), out)
        elif key not in report:
            out.note(f"{key}: missing from the report")
        else:
            compare_partial(key, value, report[key], out)
    return out.lines


def check_invariants(report: dict[str, Any], member: dict[str, Any]) -> list[str]:
    """What INTERCHANGE.md promises of every report, whatever the member."""
    problems = []
    reqs = report["requirements"]
    if not reqs or reqs[0]["id"] != "total":
        problems.append("requirements must list 'total' first")
    for r in reqs:
        shortfall = max(Decimal(0), dec(r["required"]) - dec(r["counted"]))
        if dec(r["shortfall"]) != shortfall:
            problems.append(f"requirement {r['id']}: shortfall is not required - counted")
        if r["met"] != (dec(r["shortfall"]) == 0):
            problems.append(f"requirement {r['id']}: met disagrees with shortfall")
        if not r.get("rule"):
            problems.append(f"requirement {r['id']}: no rule ID")
    if report["compliant"] != all(r["met"] for r in reqs):
        problems.append("compliant is not 'every requirement met'")
    if report["compliant"] != (report["status"] == "compliant"):
        problems.append("status and compliant disagree")
    counted = sum((dec(r["counted"]) for r in report["records"]), Decimal(0))
    if dec(report["counted_total"]) != counted:
        problems.append("counted_total is not the sum of the records' counted CEUs")
    if dec(reqs[0]["counted"]) != counted:
        problems.append("the total requirement does not count the records' CEUs")
    if dec(report["required_total"]) != dec(reqs[0]["required"]):
        problems.append("required_total differs from the total requirement")
    excess = max(Decimal(0), counted - dec(report["required_total"]))
    if dec(report["excess"]) != excess:
        problems.append(f"excess should be {excess} (P-NO-CARRY)")
    rollover = sum((dec(r["rollover"]) for r in report["records"]), Decimal(0))
    if dec(report["rollover"]) != rollover:
        problems.append("rollover is not the sum of the records' rollover")
    if [r["id"] for r in report["records"]] != [r["id"] for r in member.get("records", [])]:
        problems.append("records are not reported one for one, in input order")
    minimums = {r["id"] for r in reqs[1:]}
    approvals = {
        rec["id"]: {
            spec.code for code in rec.get("approved_for", []) if (spec := PACK.credential(code))
        }
        for rec in member.get("records", [])
    }
    for r in report["records"]:
        rejected = sum((dec(x["ceus"]) for x in r["rejections"]), Decimal(0))
        if dec(r["counted"]) + dec(r["rollover"]) + rejected != dec(r["claimed"]):
            problems.append(f"record {r['id']}: counted + rollover + rejected != claimed")
        for x in r["rejections"]:
            if (
                dec(x["ceus"]) <= 0
                or not x["message"].strip()
                or x["code"]
                not in (
                    *RULE_OF_CODE,
                    "quiz_not_passed",
                    "activity_cap",
                )
            ):
                problems.append(f"record {r['id']}: malformed rejection {x!r}")
        layers: dict[str, Decimal] = {}
        for a in r["applied_to"]:
            if a["requirement"] not in minimums:
                problems.append(f"record {r['id']}: applied to unknown minimum {a['requirement']}")
            spec = PACK.credential(a["requirement"])
            kind = spec.kind if spec else "?"
            layers[kind] = layers.get(kind, Decimal(0)) + dec(a["ceus"])
        if any(amount > dec(r["counted"]) for amount in layers.values()):
            problems.append(
                f"record {r['id']}: gives more than it counts to one kind of minimum (Q-CONCURRENT)"
            )
        if any(x["code"] == "duplicate" for x in r["rejections"]) and len(r["rejections"]) != 1:
            problems.append(f"record {r['id']}: a duplicate carries no other code (E-DUPLICATE)")
        problems += not_applied_problems(r, rejected, approvals.get(r["id"], set()))
    for r in reqs[1:]:
        applied = sum(
            (
                dec(a["ceus"])
                for rec in report["records"]
                for a in rec["applied_to"]
                if a["requirement"] == r["id"]
            ),
            Decimal(0),
        )
        if applied != dec(r["counted"]):
            problems.append(f"minimum {r['id']}: counted differs from what records apply to it")
    return problems


def not_applied_problems(
    record: dict[str, Any], rejected: Decimal, approved: set[str]
) -> list[str]:
    """``not_applied``: only for a record not rejected whole, each minimum once, each named
    by the record's approvals and not applied to, each with its code, rule and message."""
    problems = []
    refused = [n["requirement"] for n in record["not_applied"]]
    where = f"record {record['id']}: not_applied"
    if refused and rejected == dec(record["claimed"]):
        problems.append(f"{where} on a record rejected whole")
    if len(set(refused)) != len(refused):
        problems.append(f"{where} names a minimum twice")
    if not set(refused) <= approved:
        problems.append(f"{where} names a minimum the record is not approved for")
    if set(refused) & {a["requirement"] for a in record["applied_to"]}:
        problems.append(f"{where} names a minimum the record was applied to")
    for n in record["not_applied"]:
        if n["code"] not in NOT_APPLIED_CODES or not n["rule"] or not n["message"].strip():
            problems.append(f"{where}: malformed entry {n!r}")
    return problems


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 25, "the scenario directory lost its files"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_file_is_well_formed(path: Path) -> None:
    """Named as a sentence, cites known rule IDs, has every section."""
    scenario = load(path)
    assert set(scenario) >= {"rules", "description", "as_of", "member", "expect"}, path.name
    assert len(path.stem.split("_")) >= 4, f"{path.name}: name it as a sentence"
    assert scenario["rules"], f"{path.name}: cite at least one rule ID"
    unknown = set(scenario["rules"]) - set(RULE_IDS)
    assert not unknown, f"{path.name}: unknown rule IDs {sorted(unknown)}"
    assert scenario["description"].strip()
    dt.date.fromisoformat(scenario["as_of"])


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    scenario = load(path)
    as_of = dt.date.fromisoformat(scenario["as_of"])
    report = evaluate(scenario["member"], as_of=as_of).model_dump(mode="json")
    problems = check_invariants(report, scenario["member"])
    problems += check_expectation(scenario, report)
    if problems:
        pytest.fail(
            f"{path.name} ({', '.join(scenario['rules'])}): {scenario['description']}\n  "
            + "\n  ".join(problems)
            + "\n\nreport:\n"
            + json.dumps({k: v for k, v in report.items() if k != "notes"}, indent=1),
            pytrace=False,
        )
