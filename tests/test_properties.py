"""Properties of ``evaluate`` that hold for every valid member (hypothesis).

The members come from ``strategies.py``: the default rule pack, a due date
around 2027, a few credentials and up to a dozen records of every kind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from ceu_compliance import ComplianceReport, Member, RecordOutcome, evaluate
from ceu_compliance._pack import default_rule_pack
from strategies import Case, any_cases, eligible_records

ZERO = Decimal(0)
PACK = default_rule_pack()


def run(case: Case, member: Any = None) -> ComplianceReport:
    return evaluate(case.member if member is None else member, as_of=case.as_of)


def kind_of(requirement: str) -> str:
    spec = PACK.credential(requirement)
    assert spec is not None, requirement
    return spec.kind


def by_id(report: ComplianceReport) -> dict[str, Any]:
    """The report as JSON data, with its records keyed by id instead of listed in order."""
    data = report.model_dump(mode="json")
    data["records"] = {r["id"]: r for r in data.pop("records")}
    return data


def minimum_shortfalls(report: ComplianceReport) -> Decimal:
    return sum((r.shortfall for r in report.requirements if r.id != "total"), ZERO)


# ------------------------------------------------------------------ monotonicity


@given(case=any_cases(), data=st.data())
def test_an_eligible_record_never_hurts(case: Case, data: st.DataObject) -> None:
    """Adding a record that surely counts never makes any figure worse.

    What may move, and how, under the spec's readings:

    * every requirement's shortfall (total and each minimum) never rises;
    * the CEUs used (counted + rollover) rise by at least the new record's CEUs;
    * ``counted_total`` never falls when no record sits in the current renewal
      month. With such records it may: once compliant, P-RENEWAL-MONTH counts
      only what compliance needs, and the new record can free renewal-month
      CEUs for rollover (see ``test_counted_total_can_fall_by_rollover``).
    """
    record = data.draw(eligible_records(case, "new"), label="record")
    records = list(case.member["records"])
    records.insert(data.draw(st.integers(0, len(records)), label="at"), record)
    before = run(case)
    after = run(case, {**case.member, "records": records})

    assert [r.id for r in after.requirements] == [r.id for r in before.requirements]
    for old, new in zip(before.requirements, after.requirements, strict=True):
        assert new.shortfall <= old.shortfall, (old, new)
    assert minimum_shortfalls(after) <= minimum_shortfalls(before)
    assert after.compliant or not before.compliant
    used_before = before.counted_total + before.rollover
    assert after.counted_total + after.rollover >= used_before + Decimal(record["ceus"])
    in_renewal_month = (
        case.renewal_month_start <= dt.date.fromisoformat(r["date"]) <= case.end
        for r in case.member["records"]
    )
    if not any(in_renewal_month):
        assert after.counted_total >= before.counted_total + Decimal(record["ceus"])


def test_counted_total_can_fall_by_rollover() -> None:
    """The exception to counted_total's monotonicity, pinned down (P-RENEWAL-MONTH).

    CPMA and CEMC each need 4 more CEUs, which only renewal-month records can
    give, so they count. A new record approved for both meets both minimums
    at once: the renewal-month CEUs are no longer needed and roll over.
    """
    member = {
        "member_id": "M-1",
        "renewal_due": "2027-03-31",
        "credentials": [
            {"code": "CPMA", "earned": "2015-01-01"},
            {"code": "CEMC", "earned": "2015-01-01"},
        ],
        "records": [
            {"id": "base", "date": "2025-06-01", "activity": "course", "ceus": "40",
             "approved": True},
            {"id": "cpma", "date": "2025-07-01", "activity": "course", "ceus": "12",
             "approved": True, "approved_for": ["CPMA"]},
            {"id": "cemc", "date": "2025-07-01", "activity": "course", "ceus": "4",
             "approved": True, "approved_for": ["CEMC"]},
            {"id": "late-cpma", "date": "2027-03-10", "activity": "course", "ceus": "4",
             "approved": True, "approved_for": ["CPMA"]},
            {"id": "late-cemc", "date": "2027-03-10", "activity": "course", "ceus": "4",
             "approved": True, "approved_for": ["CEMC"]},
        ],
    }  # fmt: skip
    as_of = dt.date(2027, 3, 31)
    before = evaluate(member, as_of=as_of)
    both = {"id": "both", "date": "2026-01-01", "activity": "course", "ceus": "4",
            "approved": True, "approved_for": ["CPMA", "CEMC"]}  # fmt: skip
    after = evaluate({**member, "records": [*member["records"], both]}, as_of=as_of)

    assert before.compliant and after.compliant
    assert (before.counted_total, before.rollover) == (Decimal(64), ZERO)
    assert (after.counted_total, after.rollover) == (Decimal(60), Decimal(8))


# ------------------------------------------------------------------ order and determinism


@given(case=any_cases(), data=st.data())
def test_record_order_does_not_matter(case: Case, data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(case.member["records"]), label="records")
    report = run(case)
    again = run(case, {**case.member, "records": shuffled})
    assert [r.id for r in again.records] == [r["id"] for r in shuffled]
    assert by_id(again) == by_id(report)


@given(case=any_cases())
def test_evaluate_is_deterministic(case: Case) -> None:
    assert run(case).to_json() == run(case).to_json()


# The one override of the profiles (conftest.py): each example is a batch of 40
# members evaluated twice, so a few batches are as many evaluations as the other
# properties make, and drawing one is slow and large by design.
@settings(
    max_examples=3,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batch=st.lists(any_cases(), min_size=40, max_size=40))
def test_threads_give_the_sequential_results(batch: list[Case]) -> None:
    sequential = [run(case).to_json() for case in batch]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda case: run(case).to_json(), batch))
    assert concurrent == sequential


# ------------------------------------------------------------------ accounting


def check_record(record: RecordOutcome) -> None:
    rejected = sum((r.ceus for r in record.rejections), ZERO)
    assert record.counted >= 0 and record.rollover >= 0
    assert all(r.ceus >= 0 for r in record.rejections)
    assert record.counted + record.rollover + rejected == record.claimed, record
    applied = {kind: ZERO for kind in ("core", "specialty")}
    for application in record.applied_to:
        assert application.ceus > 0
        applied[kind_of(application.requirement)] += application.ceus
    assert len({a.requirement for a in record.applied_to}) == len(record.applied_to)
    # Q-CONCURRENT: one CEU serves at most one core and one specialty minimum.
    assert applied["core"] <= record.counted, record
    assert applied["specialty"] <= record.counted, record
    assert sum(applied.values(), ZERO) <= 2 * record.counted


@given(case=any_cases())
def test_the_books_balance(case: Case) -> None:
    report = run(case)
    for record in report.records:
        check_record(record)
    assert [r.id for r in report.records] == [r["id"] for r in case.member["records"]]

    total, *minimums = report.requirements
    assert total.id == "total"
    assert total.required == report.required_total
    assert total.counted == report.counted_total
    assert total.shortfall == max(ZERO, total.required - total.counted)
    assert report.excess == max(ZERO, report.counted_total - report.required_total)
    assert report.counted_total == sum((r.counted for r in report.records), ZERO)
    assert report.rollover == sum((r.rollover for r in report.records), ZERO)
    for requirement in minimums:
        applied = sum(
            (
                a.ceus
                for r in report.records
                for a in r.applied_to
                if a.requirement == requirement.id
            ),
            ZERO,
        )
        assert requirement.counted == applied
        assert 0 <= requirement.counted <= requirement.required
        assert requirement.shortfall == requirement.required - requirement.counted
    for requirement in report.requirements:
        assert requirement.met == (requirement.shortfall == 0)
    assert report.compliant == all(r.met for r in report.requirements)
    assert (report.status == "compliant") == report.compliant
    # P-RENEWAL-MONTH: only current-renewal-month CEUs roll over, and when the
    # period is not compliant, only those a period cap leaves out.
    source = {r["id"]: r for r in case.member["records"]}
    for record in report.records:
        if record.rollover > 0:
            day = dt.date.fromisoformat(source[record.id]["date"])
            assert case.renewal_month_start <= day <= case.end, record
            if not report.compliant:
                assert source[record.id]["activity"] in ("instructor", "post_secondary")


@given(case=any_cases())
def test_not_applied_says_why_each_approved_minimum_is_not_served(case: Case) -> None:
    """Q-CIRCC, E-CMS, P-BEFORE-CERT, Q-TIER: worked out again from the member and the pack,
    every credential minimum a counting record is approved for is either one it may serve
    or listed in not_applied with the first reason that applies."""
    report = run(case)
    rules = default_rule_pack().at(case.end)
    in_force = {r.id for r in report.requirements[1:]}
    earned: dict[str, dt.date] = {}
    for credential in case.member["credentials"]:
        spec = rules.credential(credential["code"])
        assert spec is not None
        day = dt.date.fromisoformat(credential["earned"])
        earned[spec.code] = min(day, earned.get(spec.code, day))
    for outcome, source in zip(report.records, case.member["records"], strict=True):
        expected = []
        if outcome.counted or outcome.rollover:
            day, provider = dt.date.fromisoformat(source["date"]), source.get("provider")
            approved = [rules.credential(code) for code in source.get("approved_for", [])]
            for spec in {s.code: s for s in approved if s and s.minimum > 0}.values():
                if spec.code not in in_force:
                    expected.append((spec.code, "not_held"))
                elif day < earned[spec.code]:
                    expected.append((spec.code, "before_credential"))
                elif spec.vendors and not rules.is_provider(provider, spec.vendors):
                    expected.append((spec.code, "vendor_not_contracted"))
                elif spec.kind == "specialty" and rules.is_provider(provider, rules.cms_providers):
                    expected.append((spec.code, "cms_core_only"))
        assert [(n.requirement, n.code.value) for n in outcome.not_applied] == expected
        assert not {n.requirement for n in outcome.not_applied} & {
            a.requirement for a in outcome.applied_to
        }


# ------------------------------------------------------------------ interchange


@given(case=any_cases())
def test_json_round_trips(case: Case) -> None:
    member = Member.model_validate(case.member)
    again = Member.model_validate_json(member.model_dump_json())
    assert again == member

    report = run(case, member)
    assert ComplianceReport.model_validate_json(report.to_json()) == report
    assert run(case, again) == report
    assert run(case, member.model_dump_json()) == report


def decimal_fields(model: BaseModel) -> Iterator[tuple[str, Any]]:
    """Every value the report holds, with the fields typed Decimal checked on the way."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if field.annotation is Decimal or field.annotation == Decimal | None:
            yield name, value
        for item in value if isinstance(value, tuple) else (value,):
            assert not isinstance(item, float), (name, item)
            if isinstance(item, BaseModel):
                yield from decimal_fields(item)


@given(case=any_cases())
def test_no_float_anywhere(case: Case) -> None:
    report = run(case)
    fields = list(decimal_fields(report))
    assert len(fields) >= 7  # required, counted, excess, rollover; the total's three
    for name, value in fields:
        assert value is None or type(value) is Decimal, (name, value)
        assert value is None or value.is_finite()

    def no_float(text: str) -> Any:
        raise AssertionError(f"JSON number with a fraction: {text}")

    json.loads(report.to_json(), parse_float=no_float)
