"""The bundled example members tell the six stories the README and `demo` promise."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ceu_compliance import ComplianceReport, RecordOutcome, Status, evaluate
from ceu_compliance._cli import DEMO_AS_OF, example_members

REPO_EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "members"


def report(name: str) -> ComplianceReport:
    texts = dict(example_members())
    return evaluate(texts[name], as_of=DEMO_AS_OF)


def record(r: ComplianceReport, record_id: str) -> RecordOutcome:
    return next(o for o in r.records if o.id == record_id)


def codes(outcome: RecordOutcome) -> set[str]:
    return {rejection.code.value for rejection in outcome.rejections}


def requirement_met(r: ComplianceReport) -> dict[str, bool]:
    return {q.id: q.met for q in r.requirements}


def test_the_demo_reads_the_repository_examples() -> None:
    """examples/members is the one copy (a wheel carries it; .ci/run demos a wheel install)."""
    bundled = {name: text.encode() for name, text in example_members()}
    on_disk = {p.name: p.read_bytes() for p in sorted(REPO_EXAMPLES.glob("*.json"))}
    assert on_disk == bundled
    assert len(bundled) >= 6


def test_the_demo_shows_every_status() -> None:
    statuses = [report(name).status for name, _ in example_members()]
    assert set(statuses) == set(Status)


@pytest.mark.parametrize("name", [name for name, _ in example_members()])
def test_every_record_adds_up(name: str) -> None:
    for outcome in report(name).records:
        rejected = sum((rej.ceus for rej in outcome.rejections), Decimal(0))
        assert outcome.counted + outcome.rollover + rejected == outcome.claimed


def test_01_single_cpc_is_compliant() -> None:
    r = report("01_cpc_compliant.json")
    assert r.status is Status.COMPLIANT
    assert [q.id for q in r.requirements] == ["total"]
    assert r.required_total == 36
    assert all(not o.rejections for o in r.records)


def test_02_enough_ceus_but_short_on_cpma() -> None:
    r = report("02_multi_credential_short_cpma.json")
    assert r.status is Status.IN_PROGRESS
    assert r.required_total == 44
    assert requirement_met(r) == {"total": True, "CPMA": False, "CEMC": True}
    # Q-CONCURRENT: the auditing workshop serves one core and one specialty minimum.
    assert {a.requirement for a in record(r, "r1").applied_to} == {"CPMA", "CEMC"}


def test_03_circc_training_from_a_non_contracted_vendor_misses_the_minimum() -> None:
    r = report("03_circc_non_contracted_vendor.json")
    assert r.status is Status.NONCOMPLIANT
    assert requirement_met(r) == {"total": True, "CIRCC": False}
    for outside_vendor in ("r3", "r4"):
        outcome = record(r, outside_vendor)
        assert outcome.counted > 0 and not outcome.applied_to
    # "MedLearn Publishing, Inc." is the contracted MedLearn Publishing.
    assert [a.requirement for a in record(r, "r2").applied_to] == ["CIRCC"]
    assert r.extension_offer is not None


def test_04_post_secondary_over_the_yearly_cap() -> None:
    r = report("04_post_secondary_over_cap.json")
    assert r.status is Status.IN_PROGRESS
    college = [o for o in r.records if o.id in {"r1", "r2", "r3"}]
    assert sum((o.counted for o in college), Decimal(0)) == 40
    assert set().union(*map(codes, college)) == {"post_secondary_cap", "post_secondary_field"}
    assert codes(record(r, "r3")) == {"post_secondary_field"}


def test_05_renewal_month_ceus_roll_over() -> None:
    name = "05_renewal_month_rollover.json"
    r = report(name)
    assert r.status is Status.COMPLIANT
    assert r.rollover > 0
    dates = {rec["id"]: rec["date"] for rec in json.loads(dict(example_members())[name])["records"]}
    renewal_month = r.deadlines.due.isoformat()[:7]
    rolled = [o.id for o in r.records if o.rollover > 0]
    assert rolled and all(dates[i].startswith(renewal_month) for i in rolled)
    assert codes(record(r, "r1")) == {"already_applied"}


def test_06_extension_counts_late_aapc_education_only() -> None:
    r = report("06_extension_late_record.json")
    assert r.status is Status.EXTENSION
    extension_until = r.deadlines.extension_until
    assert extension_until is not None and r.deadlines.due < DEMO_AS_OF <= extension_until
    assert record(r, "r8").counted == 2  # AAPC webinar after the due date
    assert codes(record(r, "r9")) == {"late_not_aapc"}
