"""Rule packs over time (issue 10): each period is judged by the version of the rules in
force for it, and AAPC's history is in the bundled pack.

AAPC's versions (packs/aapc.toml, docs/rule-packs.md): 2008-01-01 (36/48/60/72/80;
24 per core minimum, 16 per specialty, 36 for a lone CPPM; one minimum per CEU),
2012-10-01 (a specialty CEU may also serve a core minimum), 2015-08-31 (36/40/44/48/52;
16 and 8), 2016-01-01 (no more 36 for a lone CPPM). A period's version is the one in
force on its due date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from ceu_compliance import (
    ComplianceReport,
    RulePackError,
    default_rule_pack,
    evaluate,
    evaluate_history,
    plan,
)

D = Decimal


def member(
    due: str, *credentials: str, records: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "member_id": "M-V",
        "renewal_due": due,
        "credentials": [{"code": code, "earned": "2006-01-10"} for code in credentials],
        "records": records or [],
    }


def course(rid: str, date: str, ceus: int, *approved_for: str) -> dict[str, Any]:
    return {
        "id": rid,
        "date": date,
        "ceus": ceus,
        "activity": "course",
        "provider": "Acme Seminars",
        "index_number": f"IDX-{rid}",
        "approved_for": list(approved_for),
    }


def required(report: ComplianceReport) -> dict[str, Decimal]:
    return {r.id: r.required for r in report.requirements}


def test_the_bundled_pack_holds_aapcs_versions() -> None:
    pack = default_rule_pack()
    assert pack.changes == [
        dt.date(2008, 1, 1),
        dt.date(2012, 10, 1),
        dt.date(2015, 8, 31),
        dt.date(2016, 1, 1),
    ]


@pytest.mark.parametrize(
    ("due", "version", "totals"),
    [
        ("2015-08-30", dt.date(2012, 10, 1), {"total": D(60), "CPMA": D(24), "CEMC": D(16)}),
        ("2015-08-31", dt.date(2015, 8, 31), {"total": D(44), "CPMA": D(16), "CEMC": D(8)}),
        ("2027-03-31", dt.date(2016, 1, 1), {"total": D(44), "CPMA": D(16), "CEMC": D(8)}),
    ],
)
def test_q_tier_the_version_in_force_on_the_due_date_sets_the_figures(
    due: str, version: dt.date, totals: dict[str, Decimal]
) -> None:
    """Q-TIER, Q-CPMA, Q-SPECIALTY: the cut to 36/40/44/48/52 with 16 and 8 applies to periods
    due from 2015-08-31; the day before, the same member needs 60, 24 and 16."""
    day = dt.date.fromisoformat(due)
    report = evaluate(member(due, "CPC", "CPMA", "CEMC"), as_of=day)
    assert report.rules_version == version
    assert required(report) == totals


@pytest.mark.parametrize(
    ("due", "cpma_counted", "cemc_counted"),
    [("2012-09-30", D(16), D(0)), ("2012-10-01", D(16), D(16))],
)
def test_q_concurrent_sharing_between_layers_starts_with_periods_due_2012_10_01(
    due: str, cpma_counted: Decimal, cemc_counted: Decimal
) -> None:
    """Q-CONCURRENT: a course approved for CPMA and CEMC serves both minimums from the
    2012-10-01 version on; before it, one minimum at most (the earlier one in catalog
    order fills first, the canonical tie-break)."""
    records = [course("c", "2011-06-01", 16, "CEMC", "CPMA"), course("d", "2011-07-01", 44)]
    report = evaluate(
        member(due, "CPC", "CPMA", "CEMC", records=records), as_of=dt.date(2012, 9, 1)
    )
    counted = {r.id: r.counted for r in report.requirements}
    assert (counted["CPMA"], counted["CEMC"]) == (cpma_counted, cemc_counted)
    if due < "2012-10-01":
        assert any("one minimum at most" in note for note in report.notes)


@pytest.mark.parametrize(("due", "cppm"), [("2015-12-31", D(36)), ("2016-01-01", D(16))])
def test_q_cppm_a_lone_cppm_needed_36_until_the_2016_version(due: str, cppm: Decimal) -> None:
    """Q-CPPM: a member holding CPPM alone needed 36 practice-management CEUs (the whole
    total); with other credentials 16 on both sides of that date."""
    report = evaluate(member(due, "CPPM"), as_of=dt.date.fromisoformat(due))
    assert required(report) == {"total": D(36), "CPPM": cppm}
    with_cpc = evaluate(member(due, "CPC", "CPPM"), as_of=dt.date.fromisoformat(due))
    assert required(with_cpc)["CPPM"] == D(16)


def test_one_member_under_two_versions_shows_the_difference() -> None:
    """The same member and records under the 2008 and the current versions (rules_on)."""
    records = [course(f"r{n}", "2026-01-15", 4, "CPMA") for n in range(11)]
    data = member("2027-03-31", "CPC", "CPMA", records=records)
    as_of = dt.date(2027, 3, 31)
    now = evaluate(data, as_of=as_of)
    then = evaluate(data, as_of=as_of, rules_on=dt.date(2009, 1, 1))
    assert (now.rules_version, then.rules_version) == (dt.date(2016, 1, 1), dt.date(2008, 1, 1))
    assert (now.compliant, required(now)) == (True, {"total": D(40), "CPMA": D(16)})
    assert (then.compliant, required(then)) == (False, {"total": D(48), "CPMA": D(24)})
    assert plan(data, as_of=as_of, rules_on=dt.date(2009, 1, 1)).minimum_additional == 4


def test_a_history_judges_each_period_by_its_own_version() -> None:
    """Three periods due 2013, 2015 and 2017: the first two under the 2012-10-01 version
    (60 CEUs for three credentials), the latest under the 2016 one (44)."""
    history = evaluate_history(
        member("2017-03-31", "CPC", "CPMA", "CEMC"), periods=3, as_of=dt.date(2017, 3, 31)
    )
    versions = [r.rules_version for r in history.periods]
    assert versions == [dt.date(2012, 10, 1), dt.date(2012, 10, 1), dt.date(2016, 1, 1)]
    assert [r.required_total for r in history.periods] == [60, 60, 44]


def test_a_period_with_no_version_in_force_is_an_error_naming_the_period() -> None:
    """The pack begins in 2008: the oldest of four periods due 2012 has no rules."""
    with pytest.raises(RulePackError) as info:
        evaluate_history(member("2012-03-31", "CPC"), periods=4, as_of=dt.date(2012, 3, 1))
    (problem,) = info.value.problems
    assert "the period ending 2006-03-31" in problem.message
    assert "2008-01-01" in problem.message


def test_rules_on_a_day_before_any_version_is_refused_clearly() -> None:
    with pytest.raises(RulePackError) as info:
        evaluate(
            member("2027-03-31", "CPC"), as_of=dt.date(2027, 1, 1), rules_on=dt.date(2001, 1, 1)
        )
    assert "2001-01-01" in str(info.value) and "2008-01-01" in str(info.value)


def test_explanations_cite_the_values_of_their_version() -> None:
    """The trace: each value behind the report's rules, with the day it took effect and its
    source; a value whose start is uncertain says so."""
    report = evaluate(member("2027-03-31", "CPC", "CPMA"), as_of=dt.date(2027, 1, 1))
    explanation = report.explain()
    assert explanation.rules_version == dt.date(2016, 1, 1)
    used = {p.name: p for p in explanation.parameters}
    assert used["tier_totals"].value == ["36", "40", "44", "48", "52"]
    assert used["tier_totals"].since == dt.date(2015, 8, 31)
    assert used["tier_totals"].uncertain
    assert used["credentials.CPMA.minimum"].value == "16"
    assert "credentials.CEMC.minimum" not in used  # not held: not a requirement here
    assert "Values of the rules used (version of 2016-01-01)" in explanation.to_text()
