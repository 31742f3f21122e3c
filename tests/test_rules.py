"""Rule examples that do not fit a scenario file: custom rule packs, parametrised
tiers and dates, order and determinism checks, and the rule-ID coverage check.

Every test names the RULES.md rule it exercises in its name or docstring.
"""

from __future__ import annotations

import ast
import calendar
import datetime as dt
import itertools
import json
import re
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from ceu_compliance import (
    ComplianceReport,
    RulePack,
    evaluate,
    evaluate_history,
    parse_rule_pack,
)
from conftest import RULE_IDS, SCENARIO_DIR, TESTS_DIR

RULES_MD = TESTS_DIR.parent.parent / "shared" / "spec" / "RULES.md"
D = Decimal
CPC = {"code": "CPC", "earned": "2016-05-14"}


# ------------------------------------------------------------------ helpers


def bundled_pack_text() -> str:
    return (resources.files("ceu_compliance") / "packs" / "aapc.toml").read_text("utf-8")


def custom_pack(*replacements: tuple[str, str]) -> RulePack:
    """The bundled pack with each ``old`` text (which must occur once) replaced."""
    text = bundled_pack_text()
    for old, new in replacements:
        assert text.count(old) == 1, f"expected exactly one {old!r} in the bundled pack"
        text = text.replace(old, new)
    return parse_rule_pack(text)


def member(
    credentials: list[dict[str, str]], records: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "member_id": "M-T",
        "renewal_due": "2027-03-31",
        **extra,
        "credentials": credentials,
        "records": records,
    }


def course(rid: str, date: str, ceus: Any, **fields: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "date": date,
        "ceus": ceus,
        "activity": "course",
        "provider": "Coding Seminars Ltd",
        "index_number": f"IDX-{rid}",
        **fields,
    }


def post_secondary(rid: str, date: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "date": date,
        "activity": "post_secondary",
        "provider": "State College",
        "approved": True,
        "field": "health_care",
        **fields,
    }


def requirement(report: ComplianceReport, rid: str) -> Any:
    return next(r for r in report.requirements if r.id == rid)


def record(report: ComplianceReport, rid: str) -> Any:
    return next(r for r in report.records if r.id == rid)


def rejected(report: ComplianceReport, rid: str, code: str) -> Decimal:
    return sum((x.ceus for x in record(report, rid).rejections if x.code == code), D(0))


def applied(report: ComplianceReport, rid: str) -> dict[str, Decimal]:
    return {a.requirement: a.ceus for a in record(report, rid).applied_to}


AS_OF = dt.date(2026, 6, 1)


# ------------------------------------------------------------------ Q-TIER


@pytest.mark.parametrize(
    ("codes", "total"),
    [
        (["CPC"], 36),
        (["CPC", "COC"], 40),
        (["CPC", "COC", "CIC"], 44),
        (["CPC", "COC", "CIC", "CRC"], 48),
        (["CPC", "COC", "CIC", "CRC", "CPB"], 52),
        (["CPC", "COC", "CIC", "CRC", "CPB", "CPC-P", "CEMC"], 52),
        (["CPC-A", "CPC"], 36),
        (["CPC-P-A", "COC-A"], 40),
    ],
)
def test_q_tier_total_follows_the_number_of_credentials_held(codes: list[str], total: int) -> None:
    """Q-TIER: 1..5+ credentials -> 36..52; an apprentice code and its credential are one."""
    creds = [{"code": c, "earned": f"{2010 + i}-01-01"} for i, c in enumerate(codes)]
    report = evaluate(member(creds, []), as_of=AS_OF)
    assert report.required_total == total
    assert report.requirements[0].rule == "Q-TIER"


def test_q_tier_an_apprentice_code_counts_as_its_credentials_specialty_minimum_too() -> None:
    """Q-TIER: a credential held twice (CPMA listed once, CPC-A + CPC) adds one minimum only."""
    creds = [
        {"code": "CPC-A", "earned": "2014-01-01"},
        CPC,
        {"code": "CPMA", "earned": "2019-01-01"},
    ]
    report = evaluate(member(creds, []), as_of=AS_OF)
    assert [r.id for r in report.requirements] == ["total", "CPMA"]
    assert report.required_total == 40


# ------------------------------------------------------------------ P-PRORATE


@pytest.mark.parametrize(
    ("period_start", "codes", "total"),
    [
        ("2026-04-01", ["CPC"], D(18)),  # 12 months: 36 x 12/24
        ("2026-04-01", ["CPC", "COC"], D(20)),  # 40 x 12/24
        ("2026-03-01", ["CPC", "COC", "CIC", "CRC", "CPB"], D("28.5")),  # 52 x 13/24 = 28.17
        ("2025-04-02", ["CPC"], D(36)),  # 23 months 30 days: a partial month counts whole
        ("2024-10-01", ["CPC", "COC", "CIC", "CRC", "CPB"], D(65)),  # 30 months: above 52
        ("2027-03-31", ["CPC"], D("1.5")),  # one day is one month: 36 / 24
    ],
)
def test_p_prorate_total_is_rounded_up_to_half_a_ceu(
    period_start: str, codes: list[str], total: Decimal
) -> None:
    """P-PRORATE: tier x months / 24, a partial month whole, rounded up to 0.5, may exceed 52."""
    creds = [{"code": c, "earned": "2015-01-01"} for c in codes]
    report = evaluate(member(creds, [], period_start=period_start), as_of=AS_OF)
    assert report.required_total == total
    assert report.period.start == dt.date.fromisoformat(period_start)


def test_p_prorate_minimums_are_pro_rated_but_caps_are_not() -> None:
    """P-PRORATE, E-POSTSECONDARY: a 12-month period halves CIRCC (8) but the 40 cap stays 40."""
    creds = [CPC, {"code": "CIRCC", "earned": "2020-01-01"}]
    records = [post_secondary("p1", "2026-05-01", credit_hours=5)]
    report = evaluate(member(creds, records, period_start="2026-04-01"), as_of=AS_OF)
    assert report.required_total == 20
    assert requirement(report, "CIRCC").required == 8
    assert record(report, "p1").counted == 40
    assert rejected(report, "p1", "post_secondary_cap") == 10


THREE_WITH_CIRCC = [
    {"code": "CPC", "earned": "1990-01-01"},
    {"code": "CIRCC", "earned": "1990-01-01"},
    {"code": "CEMC", "earned": "1990-01-01"},
]


def per_period_year_pack() -> RulePack:
    """The bundled pack with Q-CIRCC's switch on: 8 CIRCC CEUs in each period-year."""
    return custom_pack(('values = { "2008-01-01" = false }', 'values = { "2008-01-01" = true }'))


def test_p_prorate_a_default_period_from_29_february_is_not_pro_rated() -> None:
    """P-PRORATE: due 2026-02-28 starts 2024-02-29 and is 24 months: 44, not 46; CIRCC 16
    (8 in each of two period-years, the second from 28 February), CEMC 8; no pro-rating note."""
    m = member(THREE_WITH_CIRCC, [], renewal_due="2026-02-28")
    for rules in (None, per_period_year_pack()):
        report = evaluate(m, as_of=dt.date(2025, 6, 1), rules=rules)
        assert report.period.start == dt.date(2024, 2, 29)
        assert report.required_total == 44
        assert [(r.id, r.required) for r in report.requirements] == [
            ("total", D(44)),
            ("CIRCC", D(16)),
            ("CEMC", D(8)),
        ]
        assert not any("pro-rated" in note for note in report.notes)
        years = requirement(report, "CIRCC").by_period_year
        assert [(y.start.isoformat(), y.end.isoformat()) for y in years] == [
            ("2024-02-29", "2025-02-27"),
            ("2025-02-28", "2026-02-28"),
        ]
        assert [y.required for y in years] == ([8, 8] if rules else [None, None])
    # The default start given explicitly is the default period, not pro-rated either.
    explicit = evaluate({**m, "period_start": "2024-02-29"}, as_of=dt.date(2025, 6, 1))
    assert explicit.required_total == 44


def test_p_prorate_an_explicit_start_one_day_before_29_february_is_pro_rated() -> None:
    """P-PRORATE: 2024-02-28 to 2026-02-28 runs 24 months and a day: 25 months, 44 x 25/24
    = 45.83 -> 46, CIRCC 16 x 25/24 -> 17, CEMC 8 x 25/24 -> 8.5."""
    m = member(THREE_WITH_CIRCC, [], renewal_due="2026-02-28", period_start="2024-02-28")
    report = evaluate(m, as_of=dt.date(2025, 6, 1))
    assert [(r.id, r.required) for r in report.requirements] == [
        ("total", D(46)),
        ("CIRCC", D(17)),
        ("CEMC", D("8.5")),
    ]
    assert any("runs 25 months" in note for note in report.notes)


def test_p_prorate_no_default_period_around_a_leap_day_is_pro_rated_2000_to_2100() -> None:
    """P-PRORATE: every due date from 27 February to 1 March of 2000-2100, end to end, with
    the per-period-year switch on: 44 in all, CIRCC 8 + 8, CEMC 8."""
    pack = per_period_year_pack()
    m = member(THREE_WITH_CIRCC, [])
    for year in range(2000, 2101):
        for month, day in ((2, 27), (2, 28), (2, 29), (3, 1)):
            if (month, day) == (2, 29) and not calendar.isleap(year):
                continue
            due = dt.date(year, month, day)
            # Today's rules for every year: the subject is the period, not the rules' history.
            data = {**m, "renewal_due": due.isoformat()}
            report = evaluate(data, as_of=due, rules=pack, rules_on=dt.date(2027, 3, 31))
            circc = requirement(report, "CIRCC")
            assert [r.required for r in report.requirements] == [44, 16, 8], due
            assert [y.required for y in circc.by_period_year] == [8, 8], due


def test_p_prorate_a_history_s_older_default_period_from_29_february_is_not_pro_rated() -> None:
    """P-PRORATE, H-SPLIT: due 2028-02-29, the older period is 2024-02-29 to 2026-02-28: 44."""
    history = evaluate_history(
        member(THREE_WITH_CIRCC, [], renewal_due="2028-02-29"),
        periods=2,
        as_of=dt.date(2027, 6, 1),
    )
    older, latest = history.periods
    assert (older.period.start, older.period.end) == (dt.date(2024, 2, 29), dt.date(2026, 2, 28))
    assert older.required_total == latest.required_total == 44


def test_e_postsecondary_a_period_from_29_february_has_two_period_years_of_cap() -> None:
    """E-POSTSECONDARY, P-PRORATE: the last day of a period starting 29 February belongs to
    its second period-year (no third one-day year with a cap of its own)."""
    records = [
        post_secondary("y2", "2025-06-01", credit_hours=4),
        post_secondary("last", "2026-02-28", credit_hours=1),
    ]
    creds = [{"code": c, "earned": "2015-01-01"} for c in ("CPC", "COC", "CIC", "CRC")]
    report = evaluate(member(creds, records, renewal_due="2026-02-28"), as_of=dt.date(2026, 2, 28))
    assert report.required_total == 48
    assert record(report, "y2").counted == 40
    # The cap leaves the renewal-month record out of this period: rollover, not rejected.
    assert (record(report, "last").counted, record(report, "last").rollover) == (0, 10)
    assert report.counted_total == 40


# ------------------------------------------------------------------ P-PERIOD / P-REVOKE


@pytest.mark.parametrize(
    ("due", "start", "opens", "revocation"),
    [
        ("2027-03-31", "2025-04-01", "2027-02-28", "2027-06-29"),
        ("2028-03-31", "2026-04-01", "2028-02-29", "2028-06-29"),
        ("2028-02-29", "2026-03-01", "2028-01-29", "2028-05-29"),
        ("2027-05-31", "2025-06-01", "2027-04-30", "2027-08-29"),
        ("2027-01-15", "2025-01-16", "2026-12-15", "2027-04-15"),
    ],
)
def test_p_period_and_p_revoke_dates(due: str, start: str, opens: str, revocation: str) -> None:
    """P-PERIOD default start; P-REVOKE: opens one month before (clamped), revoked after 90 days."""
    report = evaluate(member([CPC], [], renewal_due=due), as_of=AS_OF)
    assert report.period.start.isoformat() == start
    assert report.deadlines.submission_opens.isoformat() == opens
    assert report.deadlines.revocation.isoformat() == revocation


def test_p_period_a_record_on_the_due_date_counts_and_the_next_day_does_not() -> None:
    """P-PERIOD: the period is the closed interval [start, end]."""
    records = [
        course("last", "2027-03-31", 2, provider="AAPC"),
        course("late", "2027-04-01", 2, provider="AAPC"),
    ]
    report = evaluate(member([CPC], records), as_of=dt.date(2027, 4, 2))
    assert record(report, "last").counted + record(report, "last").rollover == 2
    assert rejected(report, "late", "outside_period") == 2


# ------------------------------------------------------------------ P-EXTENSION


def test_p_extension_not_offered_when_compliant_past_due() -> None:
    """P-EXTENSION: only a non-compliant member past the due date is offered an extension."""
    report = evaluate(member([CPC], [course("r1", "2025-06-01", 36)]), as_of=dt.date(2027, 5, 1))
    assert report.status == "compliant"
    assert report.extension_offer is None


def test_p_extension_not_offered_before_the_due_date() -> None:
    """P-EXTENSION: before the due date a short member is in progress, nothing offered."""
    report = evaluate(member([CPC], []), as_of=dt.date(2027, 3, 31))
    assert report.status == "in_progress"
    assert report.extension_offer is None


def test_p_extension_open_on_its_last_day() -> None:
    """P-EXTENSION: the extension is open while as_of <= extension_until."""
    m = member([CPC], [], extension_until="2027-05-31")
    assert evaluate(m, as_of=dt.date(2027, 5, 31)).status == "extension"
    assert evaluate(m, as_of=dt.date(2027, 6, 1)).status == "noncompliant"


def test_p_extension_compliance_reached_inside_the_extension() -> None:
    """P-EXTENSION: AAPC education in the extension can make the member compliant."""
    records = [course("r1", "2025-06-01", 34), course("r2", "2027-04-10", 2, provider="AAPC")]
    report = evaluate(
        member([CPC], records, extension_until="2027-05-31"), as_of=dt.date(2027, 5, 1)
    )
    assert report.status == "compliant"
    assert report.extension_offer is None


REVOCATION = dt.date(2027, 6, 29)  # P-REVOKE: 90 days after the due date 2027-03-31


def test_p_extension_offered_up_to_the_revocation_date() -> None:
    """P-EXTENSION, P-REVOKE: on the revocation date an extension can still be bought."""
    report = evaluate(member([CPC], [course("r1", "2025-06-01", 30)]), as_of=REVOCATION)
    assert report.status == "noncompliant"
    assert report.extension_offer is not None
    assert json.loads(report.to_json())["extension_offer"] == {
        "fee_usd": "50",
        "rule": "P-EXTENSION",
    }
    revoked = "credentials are revoked on 2027-06-29 if CEUs are not submitted"
    assert any(revoked in n for n in report.notes)
    assert any("can be bought from AAPC for $50" in n for n in report.notes)


def test_p_extension_nothing_offered_after_the_revocation_date() -> None:
    """P-EXTENSION, P-REVOKE: the day after, nothing is offered and the report says why."""
    after = REVOCATION + dt.timedelta(days=1)
    report = evaluate(member([CPC], [course("r1", "2025-06-01", 30)]), as_of=after)
    assert report.status == "noncompliant"
    assert report.extension_offer is None
    assert json.loads(report.to_json())["extension_offer"] is None
    assert (
        "Past the revocation date: the credentials were revoked on 2027-06-29 if CEUs were "
        "not submitted (P-REVOKE)."
    ) in report.notes
    assert "A CEU extension can no longer be bought (P-EXTENSION)." in report.notes
    assert not any("can be bought from AAPC" in n for n in report.notes)
    assert "were revoked on 2027-06-29" in report.to_text()


def test_p_extension_a_history_offers_nothing_for_a_period_past_its_revocation() -> None:
    """P-EXTENSION, P-REVOKE, H-SPLIT: each period of a history has its own revocation date."""
    # The period ending 2025-03-31 is short (revocation 2025-06-29); the next is in progress.
    records = [course("old", "2024-06-01", 30), course("new", "2025-06-01", 30)]
    m = member([CPC], records)
    on, after = dt.date(2025, 6, 29), dt.date(2025, 6, 30)
    earlier, later = evaluate_history(m, periods=2, as_of=on).periods
    assert (earlier.status, earlier.deadlines.revocation) == ("noncompliant", on)
    assert earlier.extension_offer is not None
    assert (later.status, later.extension_offer) == ("in_progress", None)
    earlier, later = evaluate_history(m, periods=2, as_of=after).periods
    assert earlier.extension_offer is None
    assert any("were revoked on 2025-06-29" in n for n in earlier.notes)


# ------------------------------------------------------------------ Q-CONCURRENT


def first_fit_trap() -> dict[str, Any]:
    creds = [
        CPC,
        {"code": "CPMA", "earned": "2020-02-01"},
        {"code": "CPCO", "earned": "2020-02-01"},
    ]
    return member(
        creds,
        [
            course("A", "2025-05-01", 16, approved_for=["CPMA", "CPCO"]),
            course("B", "2025-06-01", 16, approved_for=["CPMA"]),
            course("C", "2025-07-01", 12),
        ],
    )


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_q_concurrent_first_fit_trap_is_compliant_whatever_the_order(
    order: tuple[int, ...],
) -> None:
    """Q-CONCURRENT: the optimal assignment is found whatever the record order."""
    m = first_fit_trap()
    m["records"] = [m["records"][i] for i in order]
    report = evaluate(m, as_of=AS_OF)
    assert report.compliant
    assert applied(report, "A") == {"CPCO": 16}
    assert applied(report, "B") == {"CPMA": 16}


def test_q_concurrent_first_fit_trap_with_the_same_dates() -> None:
    """Q-CONCURRENT: same dates, so no date order can hide a first-fit assignment."""
    m = first_fit_trap()
    for r in m["records"]:
        r["date"] = "2025-05-01"
    for records in (m["records"], m["records"][::-1]):
        assert evaluate({**m, "records": records}, as_of=AS_OF).compliant


def test_q_concurrent_never_two_minimums_of_the_same_kind() -> None:
    """Q-CONCURRENT: 16 CEUs approved for CPMA and CPCO give at most 16 to the two together."""
    creds = [
        CPC,
        {"code": "CPMA", "earned": "2020-02-01"},
        {"code": "CPCO", "earned": "2020-02-01"},
    ]
    report = evaluate(
        member(creds, [course("r1", "2025-06-01", 16, approved_for=["CPMA", "CPCO"])]), as_of=AS_OF
    )
    assert requirement(report, "CPMA").counted + requirement(report, "CPCO").counted == 16
    assert sum(applied(report, "r1").values()) == 16
    assert not report.compliant


def test_q_concurrent_two_specialties_never_share_a_ceu() -> None:
    """Q-CONCURRENT: 8 CEUs approved for CEMC and CCC cover only 8 of their 16 together."""
    creds = [CPC, {"code": "CEMC", "earned": "2020-02-01"}, {"code": "CCC", "earned": "2020-02-01"}]
    report = evaluate(
        member(creds, [course("r1", "2025-06-01", 8, approved_for=["CEMC", "CCC"])]), as_of=AS_OF
    )
    assert requirement(report, "CEMC").counted + requirement(report, "CCC").counted == 8


def test_q_concurrent_not_compliant_report_minimises_the_minimums_shortfall() -> None:
    """Q-CONCURRENT: short on CEMC only, the trap records still meet both CPMA and CPCO."""
    m = first_fit_trap()
    m["credentials"].append({"code": "CEMC", "earned": "2020-06-01"})
    report = evaluate(m, as_of=AS_OF)
    assert not report.compliant
    assert requirement(report, "CPMA").met and requirement(report, "CPCO").met
    assert requirement(report, "CEMC").shortfall == 8


def test_q_concurrent_assignment_is_deterministic() -> None:
    """Q-CONCURRENT: equally good assignments exist; the one shown is always the same."""
    creds = [
        CPC,
        {"code": "CPMA", "earned": "2020-02-01"},
        {"code": "CPCO", "earned": "2020-02-01"},
    ]
    m = member(
        creds,
        [course(f"r{i}", f"2025-0{i}-01", 6, approved_for=["CPMA", "CPCO"]) for i in range(1, 8)],
    )
    first = evaluate(m, as_of=AS_OF).to_json()
    assert all(evaluate(m, as_of=AS_OF).to_json() == first for _ in range(3))


def test_q_concurrent_a_record_may_be_split_among_minimums_of_one_kind() -> None:
    """Q-CONCURRENT: one 32-CEU record approved for CPMA and CPCO meets both (16 + 16)."""
    creds = [
        CPC,
        {"code": "CPMA", "earned": "2020-02-01"},
        {"code": "CPCO", "earned": "2020-02-01"},
    ]
    m = member(creds, [course("r1", "2025-06-01", 44, approved_for=["CPMA", "CPCO"])])
    report = evaluate(m, as_of=AS_OF)
    assert report.compliant
    assert applied(report, "r1") == {"CPMA": 16, "CPCO": 16}


# ------------------------------------------------------------------ P-RENEWAL-MONTH


def instructor(rid: str, date: str, ceus: Any, teaches: str = "CPC") -> dict[str, Any]:
    return course(rid, date, ceus, activity="instructor", teaches=teaches, approved=True)


def test_p_renewal_month_capped_ceus_are_rollover_even_when_not_compliant() -> None:
    """P-RENEWAL-MONTH, E-INSTRUCTOR: short of the total, every countable CEU counts (10 + 16);
    what the cap leaves out is rollover when it is in the current renewal month, never a
    rejection there."""
    records = [
        course("r1", "2025-06-01", 10),
        instructor("r2", "2026-05-01", 12),
        instructor("r3", "2027-03-15", 10),
    ]
    report = evaluate(member([CPC], records), as_of=dt.date(2027, 3, 31))
    assert not report.compliant
    assert report.counted_total == 26
    assert record(report, "r2").counted + record(report, "r3").counted == 16
    assert record(report, "r3").rejections == ()
    assert rejected(report, "r2", "instructor_cap") + record(report, "r3").rollover == 6


def test_p_renewal_month_capped_post_secondary_ceus_are_rollover() -> None:
    """P-RENEWAL-MONTH, E-POSTSECONDARY: 60 renewal-month CEUs, 40 cap: 20 roll over."""
    records = [course("r1", "2025-06-01", 36), post_secondary("p1", "2027-03-01", credit_hours=6)]
    report = evaluate(member([CPC], records), as_of=dt.date(2027, 3, 31))
    assert report.compliant
    p1 = record(report, "p1")
    assert (p1.claimed, p1.counted, p1.rollover, p1.rejections) == (60, 0, 60, ())
    assert report.rollover == 60


def test_p_renewal_month_rollover_is_exact_in_fractions_of_a_ceu() -> None:
    """P-RENEWAL-MONTH: 35.25 counted earlier, 2.5 in the renewal month: 0.75 counts, 1.75 rolls."""
    records = [course("r1", "2025-06-01", "35.25"), course("r2", "2027-03-02", "2.5")]
    report = evaluate(member([CPC], records), as_of=dt.date(2027, 3, 31))
    assert (record(report, "r2").counted, record(report, "r2").rollover) == (D("0.75"), D("1.75"))
    assert report.to_json().count('"rollover": "1.75"') == 2  # the record and the report


def test_p_renewal_month_rollover_serves_both_layers_at_once() -> None:
    """P-RENEWAL-MONTH, Q-CONCURRENT: one renewal-month record meets CPMA and CEMC together;
    only what neither needs rolls over."""
    creds = [
        CPC,
        {"code": "CPMA", "earned": "2020-01-01"},
        {"code": "CEMC", "earned": "2020-01-01"},
    ]
    records = [
        course("r1", "2025-06-01", 40),
        course("r2", "2027-03-05", 20, approved_for=["CPMA", "CEMC"]),
    ]
    report = evaluate(member(creds, records), as_of=dt.date(2027, 3, 31))
    assert report.compliant
    assert record(report, "r2").counted == 16
    assert record(report, "r2").rollover == 4
    assert applied(report, "r2") == {"CPMA": 16, "CEMC": 8}


# ------------------------------------------------------------------ E-INSTRUCTOR


def test_e_instructor_an_apprentice_code_shares_its_credentials_cap() -> None:
    """E-INSTRUCTOR: teaching CPC-A means teaching CPC: one 16-CEU cap for both records."""
    records = [
        course("i1", "2025-06-01", 12, activity="instructor", teaches="CPC", approved=True),
        course("i2", "2025-09-01", 10, activity="instructor", teaches="CPC-A", approved=True),
    ]
    report = evaluate(member([CPC], records), as_of=AS_OF)
    assert report.counted_total == 16
    assert rejected(report, "i1", "instructor_cap") + rejected(report, "i2", "instructor_cap") == 6
    assert all(x.rule == "E-INSTRUCTOR" for r in report.records for x in r.rejections)


def test_e_instructor_cap_is_per_credential_taught() -> None:
    """E-INSTRUCTOR: 16 for CPC and 16 for COC, neither cap shared."""
    records = [
        course("i1", "2025-06-01", 16, activity="instructor", teaches="CPC", approved=True),
        course("i2", "2025-09-01", 16, activity="instructor", teaches="COC", approved=True),
    ]
    report = evaluate(member([CPC], records), as_of=AS_OF)
    assert report.counted_total == 32


# ------------------------------------------------------------------ E-POSTSECONDARY


def test_e_postsecondary_exactly_80_clock_hours_is_enough() -> None:
    """E-POSTSECONDARY: a clock-hour program must run at least 80 hours; 80 qualifies."""
    report = evaluate(
        member([CPC], [post_secondary("p1", "2025-06-01", clock_hours=80)]), as_of=AS_OF
    )
    assert record(report, "p1").claimed == 80
    assert record(report, "p1").counted == 40
    assert rejected(report, "p1", "post_secondary_cap") == 40


def test_e_postsecondary_period_years_split_the_cap() -> None:
    """E-POSTSECONDARY: 40 per period-year: one record in each year counts 40 + 40."""
    records = [
        post_secondary("p1", "2026-03-31", credit_hours=4),
        post_secondary("p2", "2026-04-01", credit_hours=4),
    ]
    report = evaluate(member([CPC], records), as_of=AS_OF)
    assert report.counted_total == 80


def test_e_postsecondary_previous_renewal_month_is_in_the_first_period_year() -> None:
    """E-POSTSECONDARY, period-years: a record before start shares year 1's cap."""
    records = [
        post_secondary("p0", "2025-03-15", credit_hours=3),
        post_secondary("p1", "2025-06-01", credit_hours=3),
    ]
    report = evaluate(member([CPC], records), as_of=AS_OF)
    assert report.counted_total == 40
    assert (
        rejected(report, "p0", "post_secondary_cap") + rejected(report, "p1", "post_secondary_cap")
        == 20
    )


def test_e_postsecondary_calendar_year_basis_from_the_pack() -> None:
    """E-POSTSECONDARY: the pack can switch 'per year' to calendar years."""
    records = [
        post_secondary("p1", "2025-05-01", credit_hours=3),
        post_secondary("p2", "2026-01-15", credit_hours=3),
    ]
    by_period = evaluate(member([CPC], records), as_of=AS_OF)
    assert by_period.counted_total == 40  # both in period-year 1
    pack = custom_pack(
        ('values = { "2008-01-01" = "period" }', 'values = { "2008-01-01" = "calendar" }')
    )
    by_calendar = evaluate(member([CPC], records), as_of=AS_OF, rules=pack)
    assert by_calendar.counted_total == 60  # 2025 and 2026
    assert not any(r.rejections for r in by_calendar.records)


# ------------------------------------------------------------------ Q-CIRCC / E-PROVIDER-LIST


def circc_member(records: list[dict[str, Any]]) -> dict[str, Any]:
    return member([CPC, {"code": "CIRCC", "earned": "2019-01-01"}], records)


def test_q_circc_per_period_year_switch_makes_8_a_year_mandatory() -> None:
    """Q-CIRCC: with minimum_per_period_year, 16 CIRCC CEUs all in year 1 leave year 2 short."""
    records = [
        course("v1", "2025-06-01", 16, provider="ZHealth Publishing", approved_for=["CIRCC"])
    ]
    default = evaluate(circc_member(records), as_of=AS_OF)
    assert requirement(default, "CIRCC").met
    split = [y.required for y in requirement(default, "CIRCC").by_period_year]
    assert split == [None, None]

    pack = custom_pack(('values = { "2008-01-01" = false }', 'values = { "2008-01-01" = true }'))
    strict = evaluate(circc_member(records), as_of=AS_OF, rules=pack)
    circc = requirement(strict, "CIRCC")
    assert circc.required == 16
    assert not circc.met
    assert circc.shortfall == 8
    assert [(y.year, y.required, y.counted) for y in circc.by_period_year] == [
        (1, 8, 8),
        (2, 8, 0),
    ]


def test_q_circc_per_period_year_switch_met_with_8_in_each_year() -> None:
    """Q-CIRCC: 8 a period-year, a previous-renewal-month record belonging to year 1."""
    records = [
        course("v1", "2025-03-15", 8, provider="ZHealth Publishing", approved_for=["CIRCC"]),
        course("v2", "2026-05-01", 8, provider="MedLearn Publishing", approved_for=["CIRCC"]),
    ]
    pack = custom_pack(('values = { "2008-01-01" = false }', 'values = { "2008-01-01" = true }'))
    report = evaluate(circc_member(records), as_of=AS_OF, rules=pack)
    circc = requirement(report, "CIRCC")
    assert circc.met
    assert [(y.year, y.counted) for y in circc.by_period_year] == [(1, 8), (2, 8)]


def test_q_circc_vendor_names_lose_punctuation_and_one_suffix() -> None:
    """Q-CIRCC: "L.L.C." is "LLC" and "Z-Health" is "ZHealth"; "Z Health" is another name."""
    records = [
        course("m", "2025-06-01", 8, provider="MEDICAL ASSET MANAGEMENT L.L.C.",
               approved_for=["CIRCC"]),
        course("z", "2025-07-01", 4, provider="Z-Health  Publishing", approved_for=["CIRCC"]),
        course("s", "2025-08-01", 4, provider="Z Health Publishing", approved_for=["CIRCC"]),
        course("a", "2025-09-01", 4, provider="ZHealth Academy", approved_for=["CIRCC"]),
    ]  # fmt: skip
    report = evaluate(circc_member(records), as_of=AS_OF)
    assert applied(report, "m") == {"CIRCC": 8}
    assert applied(report, "z") == {"CIRCC": 4}
    assert applied(report, "s") == applied(report, "a") == {}
    assert requirement(report, "CIRCC").counted == 12
    assert report.counted_total == 20  # the other two still count toward the total


def test_e_provider_list_vendor_list_is_pack_data() -> None:
    """E-PROVIDER-LIST, Q-CIRCC: a different vendor list changes what counts for CIRCC."""
    records = [
        course("z", "2025-06-01", 8, provider="ZHealth Publishing", approved_for=["CIRCC"]),
        course("a", "2025-07-01", 8, provider="Acme IR Education, LLC", approved_for=["CIRCC"]),
    ]
    default = evaluate(circc_member(records), as_of=AS_OF)
    assert applied(default, "z") == {"CIRCC": 8}
    assert applied(default, "a") == {}
    pack = custom_pack(
        (
            'vendors = ["ZHealth Publishing", "MedLearn Publishing", "Medical Asset Management"]',
            'vendors = ["Acme IR Education"]',
        )
    )
    custom = evaluate(circc_member(records), as_of=AS_OF, rules=pack)
    assert applied(custom, "z") == {}
    assert applied(custom, "a") == {"CIRCC": 8}
    assert custom.counted_total == default.counted_total == 16


def test_e_provider_list_catalog_is_pack_data() -> None:
    """E-PROVIDER-LIST: a credential added to the pack's catalog is known and has its minimum."""
    pack = custom_pack(
        (
            '[[credentials]]\ncode = "CUC"',
            '[[credentials]]\ncode = "CXYZ"\nname = "New Specialty Coder"\nkind = "specialty"\n'
            'minimum = "8"\nrule = "Q-SPECIALTY"\n\n[[credentials]]\ncode = "CUC"',
        )
    )
    m = member(
        [CPC, {"code": "CXYZ", "earned": "2020-01-01"}],
        [course("r1", "2025-06-01", 8, approved_for=["CXYZ"])],
    )
    report = evaluate(m, as_of=AS_OF, rules=pack)
    assert report.required_total == 40
    assert requirement(report, "CXYZ").counted == 8


def test_dated_parameters_use_the_value_in_force_on_the_due_date() -> None:
    """P-EXTENSION, Q-TIER: a pack value dated 2027-01-01 applies to periods due from then on."""
    pack = custom_pack(
        (
            'values = { "2008-01-01" = "50" }',
            'values = { "2008-01-01" = "50", "2027-01-01" = "75" }',
        ),
        (
            '"2015-08-31" = ["36", "40", "44", "48", "52"] }',
            '"2015-08-31" = ["36", "40", "44", "48", "52"], '
            '"2027-01-01" = ["38", "42", "46", "50", "54"] }',
        ),
    )
    old = evaluate(
        member([CPC], [], renewal_due="2026-12-31"), as_of=dt.date(2027, 2, 1), rules=pack
    )
    new = evaluate(
        member([CPC], [], renewal_due="2027-03-31"), as_of=dt.date(2027, 6, 1), rules=pack
    )
    assert old.extension_offer is not None and new.extension_offer is not None
    assert [old.required_total, old.extension_offer.fee_usd] == [36, 50]
    assert [new.required_total, new.extension_offer.fee_usd] == [38, 75]


# ------------------------------------------ not_applied: why a minimum is not served

CIRCC = {"code": "CIRCC", "earned": "2019-01-01"}
CONTRACTED = "ZHealth Publishing, MedLearn Publishing and Medical Asset Management"


def not_applied(report: ComplianceReport, rid: str) -> list[tuple[str, str, str]]:
    return [(n.requirement, n.code.value, n.rule) for n in record(report, rid).not_applied]


def test_q_circc_a_vendor_not_contracted_is_named_with_the_vendors_that_count() -> None:
    """Q-CIRCC: a CIRCC-approved course by another vendor counts toward the total only,
    and the record says so, naming the contracted vendors."""
    records = [course("ir", "2025-06-01", 6, provider="Other IR Vendor", approved_for=["CIRCC"])]
    report = evaluate(member([CPC, CIRCC], records), as_of=AS_OF)
    assert (record(report, "ir").counted, applied(report, "ir")) == (6, {})
    assert not_applied(report, "ir") == [("CIRCC", "vendor_not_contracted", "Q-CIRCC")]
    (entry,) = record(report, "ir").not_applied
    assert f"contracted for CIRCC CEUs: {CONTRACTED}." in entry.message
    assert '"Other IR Vendor"' in entry.message and "comes close" not in entry.message


@pytest.mark.parametrize(
    ("provider", "vendor"),
    [
        ("Z Health Publishing", "ZHealth Publishing"),
        ("Med Learn Publishing, Inc.", "MedLearn Publishing"),
        ("MedLearn Publshing", "MedLearn Publishing"),
        ("Medical Asset Managment", "Medical Asset Management"),
    ],
)
def test_q_circc_a_near_miss_of_a_vendor_name_is_pointed_out(provider: str, vendor: str) -> None:
    """Q-CIRCC: a name that comes close to a contracted vendor's is not that vendor, and the
    message says which vendor it looks like."""
    records = [course("ir", "2025-06-01", 6, provider=provider, approved_for=["CIRCC"])]
    report = evaluate(member([CPC, CIRCC], records), as_of=AS_OF)
    (entry,) = record(report, "ir").not_applied
    assert entry.code == "vendor_not_contracted"
    assert f'"{provider}" comes close to {vendor}.' in entry.message


def test_e_cms_a_specialty_approval_of_a_cms_training_is_not_applied() -> None:
    """E-CMS: the CMS training serves CPMA; its CEMC approval does not apply."""
    cpma, cemc = {"code": "CPMA", "earned": "2020-02-01"}, {"code": "CEMC", "earned": "2020-06-01"}
    records = [course("cms", "2025-06-01", 6, provider="CMS", approved_for=["CPMA", "CEMC"])]
    report = evaluate(member([CPC, cpma, cemc], records), as_of=AS_OF)
    assert applied(report, "cms") == {"CPMA": 6}
    assert not_applied(report, "cms") == [("CEMC", "cms_core_only", "E-CMS")]


def test_p_before_cert_a_record_before_its_credential_serves_only_the_total() -> None:
    """P-BEFORE-CERT: a previous-renewal-month record dated before CPMA was earned counts
    toward the total, not toward CPMA, and says so."""
    cpma = {"code": "CPMA", "earned": "2025-03-20"}
    records = [course("early", "2025-03-10", 4, approved_for=["CPMA"])]
    report = evaluate(member([CPC, cpma], records), as_of=AS_OF)
    assert record(report, "early").counted == 4
    assert not_applied(report, "early") == [("CPMA", "before_credential", "P-BEFORE-CERT")]
    assert "before CPMA was earned on 2025-03-20" in record(report, "early").not_applied[0].message


def test_a_minimum_the_member_does_not_hold_this_period_is_not_held() -> None:
    """Q-CPCO, Q-TIER: an approval for a minimum not in force (not held, or earned during the
    period) is not applied, with the minimum's rule."""
    cemc_later = {"code": "CEMC", "earned": "2026-01-01"}
    records = [course("r", "2025-06-01", 4, approved_for=["CPCO", "CEMC"])]
    report = evaluate(member([CPC, cemc_later], records), as_of=AS_OF)
    assert not_applied(report, "r") == [
        ("CPCO", "not_held", "Q-CPCO"),
        ("CEMC", "not_held", "Q-SPECIALTY"),
    ]
    assert "held no CPCO credential on the period's start, 2025-04-01" in (
        record(report, "r").not_applied[0].message
    )


def test_a_minimum_filled_by_other_records_is_not_listed() -> None:
    """Q-CPMA: a record that could serve CPMA but is not needed there has no not_applied."""
    cpma = {"code": "CPMA", "earned": "2020-02-01"}
    records = [
        course("a", "2025-06-01", 16, approved_for=["CPMA"]),
        course("b", "2025-07-01", 16, approved_for=["CPMA", "cpma", "CPC"]),
    ]
    report = evaluate(member([CPC, cpma], records), as_of=AS_OF)
    assert applied(report, "a") == {"CPMA": 16} and applied(report, "b") == {}
    assert not_applied(report, "b") == []


def test_a_record_rejected_whole_lists_no_minimum() -> None:
    """E-APPROVED, E-DUPLICATE: a record that counts nothing at all says nothing of minimums."""
    records = [
        course("ok", "2025-06-01", 2, provider="Other IR Vendor", approved_for=["CIRCC"]),
        course("dup", "2025-07-01", 2, index_number="IDX-ok", approved_for=["CIRCC", "CPCO"]),
        course("no", "2025-08-01", 2, index_number=None, approved_for=["CIRCC", "CPCO"]),
    ]
    report = evaluate(member([CPC, CIRCC], records), as_of=AS_OF)
    assert not_applied(report, "ok") == [("CIRCC", "vendor_not_contracted", "Q-CIRCC")]
    assert not_applied(report, "dup") == not_applied(report, "no") == []


# ------------------------------------------------------------------ E-DUPLICATE / E-CMS / P-AUDIT


def test_e_duplicate_detection_comes_before_approval() -> None:
    """E-DUPLICATE: the later claim is duplicate even if the kept one is not approved-for."""
    records = [
        course("r1", "2025-06-01", 3, index_number="I-1", provider="Vendor"),
        course("r2", "2025-07-01", 3, index_number="I-1", provider="Vendor"),
    ]
    report = evaluate(member([CPC], records), as_of=AS_OF)
    assert [x.code for x in record(report, "r2").rejections] == ["duplicate"]
    assert report.counted_total == 3


def test_e_cms_provider_name_matching_ignores_case_and_punctuation() -> None:
    """E-CMS: 'cms.' is CMS, so it never serves a specialty."""
    creds = [CPC, {"code": "CEMC", "earned": "2020-01-01"}]
    report = evaluate(
        member(creds, [course("c", "2025-06-01", 8, provider="cms.", approved_for=["CEMC"])]),
        as_of=AS_OF,
    )
    assert requirement(report, "CEMC").counted == 0
    assert record(report, "c").counted == 8


def test_p_audit_index_numbers_compare_trimmed_and_case_insensitively() -> None:
    """P-AUDIT, E-DUPLICATE: 'ab-1 ' and 'AB-1' are the same index number."""
    records = [
        course("r1", "2025-06-01", 2, index_number="AB-1"),
        course("r2", "2025-07-01", 2, index_number="ab-1 "),
    ]
    report = evaluate(member([CPC], records), as_of=AS_OF)
    assert rejected(report, "r2", "duplicate") == 2


# ------------------------------------------------------------------ rule-ID coverage


def test_hard_coded_rule_ids_match_rules_md() -> None:
    """Every rule ID of RULES.md is in conftest.RULE_IDS (checked when the spec is checked out)."""
    if not RULES_MD.is_file():
        pytest.skip("the shared spec checkout is not available")
    ids = set(re.findall(r"^\s*-\s+\*\*([A-Z]+(?:-[A-Z]+)+)\*\*", RULES_MD.read_text(), re.M))
    assert ids == set(RULE_IDS)


def test_the_rule_id_check_skips_without_the_spec_checkout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Outside the project's directory layout (a clone on its own) there is nothing to compare."""
    monkeypatch.setattr(sys.modules[__name__], "RULES_MD", tmp_path / "RULES.md")
    with pytest.raises(pytest.skip.Exception):
        test_hard_coded_rule_ids_match_rules_md()


def cited_rule_ids() -> set[str]:
    """Rule IDs cited by scenario files and by test names and docstrings in tests/."""
    cited: set[str] = set()
    for path in SCENARIO_DIR.glob("*.json"):
        cited.update(json.loads(path.read_text("utf-8"))["rules"])
    for path in TESTS_DIR.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name.startswith(
                ("test", "Test")
            ):
                text = f"{node.name} {ast.get_docstring(node) or ''}"
                for rule in RULE_IDS:
                    snake = rule.lower().replace("-", "_")
                    if rule in text or re.search(rf"(^|_){snake}(_|$|\s)", text):
                        cited.add(rule)
    return cited


def test_every_rule_id_is_cited_by_a_scenario_or_a_test() -> None:
    """Every RULES.md rule ID is exercised somewhere: a scenario, a test name or docstring."""
    missing = sorted(set(RULE_IDS) - cited_rule_ids())
    assert not missing, f"no scenario or test cites {missing}"


def test_rule_ids_in_reports_are_known() -> None:
    """Every rule a report cites (requirements, rejections) is a RULES.md rule ID."""
    for path in sorted(SCENARIO_DIR.glob("*.json")):
        scenario = json.loads(path.read_text("utf-8"))
        report = evaluate(scenario["member"], as_of=dt.date.fromisoformat(scenario["as_of"]))
        rules = {r.rule for r in report.requirements}
        rules |= {x.rule for r in report.records for x in r.rejections}
        assert rules <= set(RULE_IDS), (path.name, rules - set(RULE_IDS))
