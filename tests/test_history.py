"""evaluate_history(): consecutive periods and the renewal-month split between them (H-SPLIT).

The members here hold CPC (no minimum) and CPMA (16 CEUs), so each two-year
period needs 40 CEUs with 16 approved for CPMA. With ``renewal_due`` 2027-03-31
the periods are 2023-04-01..2025-03-31 and 2025-04-01..2027-03-31, and a record
dated in March 2025 borders both.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from itertools import product
from typing import Any

import pytest
from hypothesis import given

from ceu_compliance import (
    ComplianceReport,
    History,
    InvalidMemberError,
    evaluate,
    evaluate_history,
    parse_member,
)
from ceu_compliance._engine import evaluate_period
from ceu_compliance._items import Split
from ceu_compliance._pack import default_rule_pack
from ceu_compliance._period import default_start
from strategies import Case, any_cases

AS_OF = dt.date(2027, 4, 15)
DUE = "2027-03-31"
EARLIER_END = dt.date(2025, 3, 31)


def record(rid: str, date: str, ceus: float, *approved_for: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "date": date,
        "ceus": ceus,
        "activity": "course",
        "provider": "AAPC",
        "index_number": f"AAPC-{rid}",
        "approved_for": list(approved_for),
        **extra,
    }


def member(*records: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "member_id": "M-H",
        "renewal_due": DUE,
        "credentials": [
            {"code": "CPC", "earned": "2015-01-10"},
            {"code": "CPMA", "earned": "2018-02-01"},
        ],
        "records": list(records),
        **extra,
    }


def outcome(report: ComplianceReport, rid: str) -> Any:
    return next(o for o in report.records if o.id == rid)


def rejected(report: ComplianceReport, rid: str, code: str) -> Decimal:
    return sum((r.ceus for r in outcome(report, rid).rejections if r.code == code), Decimal(0))


def shortfall(report: ComplianceReport) -> Decimal:
    """H-SPLIT's shortfall of a period: the total's plus every minimum's."""
    return sum((r.shortfall for r in report.requirements), Decimal(0))


def split_of(history: History, rid: str) -> tuple[Decimal, Decimal]:
    s = next(s for s in history.splits if s.record == rid)
    return s.to_earlier, s.to_later


# Earlier period: 42 CEUs, 12 of them for CPMA (4 short). Later period: 46, 16 for CPMA.
EARLIER_SHORT_ON_CPMA = (
    record("a1", "2023-06-10", 30),
    record("a2", "2024-05-10", 12, "CPMA"),
)
LATER_COMPLIANT = (
    record("b1", "2025-09-10", 30),
    record("b2", "2026-06-10", 16, "CPMA"),
)


def test_h_split_a_renewal_month_record_serves_the_earlier_period_that_needs_it() -> None:
    history = evaluate_history(
        member(*EARLIER_SHORT_ON_CPMA, record("m", "2025-03-15", 6, "CPMA"), *LATER_COMPLIANT),
        periods=2,
        as_of=AS_OF,
    )
    earlier, later = history.periods
    assert (earlier.compliant, later.compliant) == (True, True)
    assert split_of(history, "m") == (Decimal(4), Decimal(2))
    assert (outcome(earlier, "m").counted, outcome(earlier, "m").rollover) == (4, 2)
    assert rejected(later, "m", "already_applied") == 4
    assert outcome(later, "m").counted == 2


def test_h_split_a_record_the_earlier_period_does_not_need_serves_the_later_one() -> None:
    history = evaluate_history(
        member(
            record("a1", "2023-06-10", 30),
            record("a2", "2024-05-10", 16, "CPMA"),
            record("m", "2025-03-15", 6, "CPMA"),
            record("b1", "2025-09-10", 24),
            record("b2", "2026-06-10", 12, "CPMA"),
        ),
        periods=2,
        as_of=AS_OF,
    )
    earlier, later = history.periods
    assert split_of(history, "m") == (Decimal(0), Decimal(6))
    assert outcome(earlier, "m").rollover == 6
    assert outcome(later, "m").counted == 6
    assert outcome(later, "m").rejections == ()
    # The later period (36 CEUs, 12 for CPMA) complies only with it.
    assert (earlier.compliant, later.compliant) == (True, True)


def test_h_split_a_record_is_split_when_each_period_needs_part_of_it() -> None:
    history = evaluate_history(
        member(
            *EARLIER_SHORT_ON_CPMA,
            record("m", "2025-03-15", 6, "CPMA"),
            record("b1", "2025-09-10", 22),
            record("b2", "2026-06-10", 16, "CPMA"),
        ),
        periods=2,
        as_of=AS_OF,
    )
    earlier, later = history.periods
    assert split_of(history, "m") == (Decimal(4), Decimal(2))
    assert (earlier.compliant, later.compliant) == (True, True)
    assert later.counted_total == 40


def test_h_split_compliance_of_a_later_period_beats_a_smaller_shortfall_of_an_earlier_one() -> None:
    """The earlier period cannot comply anyway, so the record goes where it makes one comply."""
    history = evaluate_history(
        member(
            record("a1", "2023-06-10", 20),
            record("m", "2025-03-15", 4),
            record("b1", "2025-09-10", 20),
            record("b2", "2026-06-10", 16, "CPMA"),
        ),
        periods=2,
        as_of=AS_OF,
    )
    earlier, later = history.periods
    assert (earlier.compliant, later.compliant) == (False, True)
    assert split_of(history, "m") == (Decimal(0), Decimal(4))
    assert shortfall(earlier) == 20 + 16


def test_h_split_a_period_without_a_credential_on_its_start_is_left_out() -> None:
    data = member(*EARLIER_SHORT_ON_CPMA, *LATER_COMPLIANT)
    data["credentials"] = [{"code": "CPC", "earned": "2022-06-01"}]
    history = evaluate_history(data, periods=3, as_of=AS_OF)
    assert [r.period.end for r in history.periods] == [EARLIER_END, dt.date(2027, 3, 31)]
    assert any("1 of the 3 periods" in note and "2023-03-31" in note for note in history.notes)
    assert "1 of the 3 periods" in history.to_text()


def test_h_split_one_period_is_the_plain_evaluation_of_the_same_member() -> None:
    data = member(
        *EARLIER_SHORT_ON_CPMA,
        record("m", "2025-03-15", 6, "CPMA"),
        record("late", "2027-03-20", 5),
        *LATER_COMPLIANT,
    )
    history = evaluate_history(data, periods=1, as_of=AS_OF)
    assert history.periods == (evaluate(data, as_of=AS_OF),)
    assert history.splits == () and history.notes == ()


@given(any_cases())
def test_h_split_one_period_equals_evaluate_for_any_member(case: Case) -> None:
    history = evaluate_history(case.member, periods=1, as_of=case.as_of)
    assert history.periods == (evaluate(case.member, as_of=case.as_of),)


@given(any_cases())
def test_h_split_reports_agree_with_the_split_and_add_up(case: Case) -> None:
    """Whatever serves the earlier period is already_applied in the later one, the rest rollover."""
    history = evaluate_history(case.member, periods=3, as_of=case.as_of)
    assert History.model_validate_json(history.to_json()) == history
    ends = [r.period.end for r in history.periods]
    assert ends[-1] == dt.date.fromisoformat(case.member["renewal_due"])
    for report in history.periods:
        for o in report.records:
            assert o.counted + o.rollover + sum(r.ceus for r in o.rejections) == o.claimed
    for s in history.splits:
        k = ends.index(s.earlier_period_end)
        earlier, later = history.periods[k], history.periods[k + 1]
        assert s.later_period_end == later.period.end
        assert (outcome(earlier, s.record).counted, outcome(earlier, s.record).rollover) == (
            s.to_earlier,
            s.to_later,
        )
        assert rejected(later, s.record, "already_applied") == s.to_earlier


def test_h_split_applied_to_previous_period_concerns_only_the_oldest_period() -> None:
    history = evaluate_history(
        member(
            record("p", "2023-03-20", 3, applied_to_previous_period=True),
            *EARLIER_SHORT_ON_CPMA,
            record("m", "2025-03-15", 6, "CPMA", applied_to_previous_period=True),
            *LATER_COMPLIANT,
        ),
        periods=2,
        as_of=AS_OF,
    )
    earlier, later = history.periods
    assert rejected(earlier, "p", "already_applied") == 3
    # The flag does not decide a split inside the history.
    assert split_of(history, "m") == (Decimal(4), Decimal(2))
    assert rejected(later, "m", "already_applied") == 4


def test_h_split_only_the_latest_period_takes_the_period_overrides() -> None:
    data = member(
        *EARLIER_SHORT_ON_CPMA,
        *LATER_COMPLIANT,
        record("x", "2027-04-10", 5),
        period_start="2025-06-01",
        required_total_override=30,
        extension_until="2027-05-31",
    )
    earlier, later = evaluate_history(data, periods=2, as_of=AS_OF).periods
    assert (later.period.start, later.required_total) == (dt.date(2025, 6, 1), Decimal(30))
    assert later.deadlines.extension_until == dt.date(2027, 5, 31)
    assert outcome(later, "x").counted == 5  # AAPC education inside the extension
    assert earlier.period.end == dt.date(2025, 5, 31)  # the day before the latest starts
    assert earlier.period.start == dt.date(2023, 6, 1)
    assert (earlier.required_total, earlier.deadlines.extension_until) == (Decimal(40), None)


def test_h_split_each_period_uses_the_credentials_held_on_its_own_start() -> None:
    data = member(*EARLIER_SHORT_ON_CPMA, *LATER_COMPLIANT)
    data["credentials"].append({"code": "CEMC", "earned": "2024-01-15"})
    earlier, later = evaluate_history(data, periods=2, as_of=AS_OF).periods
    assert [r.id for r in earlier.requirements] == ["total", "CPMA"]
    assert [r.id for r in later.requirements] == ["total", "CPMA", "CEMC"]
    assert (earlier.required_total, later.required_total) == (Decimal(40), Decimal(44))


def test_h_split_each_report_lists_only_the_records_of_its_window() -> None:
    data = member(
        record("old", "2020-05-01", 2),
        *EARLIER_SHORT_ON_CPMA,
        record("m", "2025-03-15", 6, "CPMA"),
        *LATER_COMPLIANT,
        record("new", "2027-05-01", 2),
    )
    earlier, later = evaluate_history(data, periods=2, as_of=AS_OF).periods
    assert [o.id for o in earlier.records] == ["old", "a1", "a2", "m"]
    assert [o.id for o in later.records] == ["m", "b1", "b2", "new"]


def test_h_split_the_text_shows_each_period_and_the_split() -> None:
    history = evaluate_history(
        member(*EARLIER_SHORT_ON_CPMA, record("m", "2025-03-15", 6, "CPMA"), *LATER_COMPLIANT),
        periods=2,
        as_of=AS_OF,
    )
    text = str(history)
    assert text.startswith("History of member M-H as of 2027-04-15: 2 of 2 periods compliant")
    assert "=== Period 1 of 2: 2023-04-01 to 2025-03-31 ===" in text
    assert "=== Period 2 of 2: 2025-04-01 to 2027-03-31 ===" in text
    assert (
        "- m (2025-03-15): 4 CEUs to the period ending 2025-03-31, 2 to the period ending "
        "2027-03-31" in text
    )


@pytest.mark.parametrize("seed", range(0, 30, 3))
def test_h_split_does_not_depend_on_the_order_of_the_records(seed: int) -> None:
    data = tiny_member(seed)
    history = evaluate_history(data, periods=2, as_of=AS_OF)
    data["records"].reverse()
    shuffled = evaluate_history(data, periods=2, as_of=AS_OF)
    assert sorted(shuffled.splits, key=lambda s: s.record) == sorted(
        history.splits, key=lambda s: s.record
    )
    for a, b in zip(history.periods, shuffled.periods, strict=True):
        assert a.requirements == b.requirements
        assert sorted(a.records, key=lambda o: o.id) == sorted(b.records, key=lambda o: o.id)


@pytest.mark.parametrize("periods", [0, -1, 11])
def test_h_split_periods_must_be_a_positive_integer(periods: Any) -> None:
    with pytest.raises(InvalidMemberError, match="positive integer of at most 10"):
        evaluate_history(member(), periods=periods, as_of=AS_OF)


@pytest.mark.parametrize("periods", [True, 1.5, "2"])
def test_h_split_periods_must_be_an_int(periods: Any) -> None:
    with pytest.raises(TypeError, match="periods must be an int"):
        evaluate_history(member(), periods=periods, as_of=AS_OF)


# Exactness: the joint LP against every split in half-CEU steps.


def tiny_member(seed: int) -> dict[str, Any]:
    """Two periods near their requirements and 1-3 records in the renewal month between them."""
    rng = random.Random(seed)
    credentials = [{"code": "CPC", "earned": "2015-01-10"}]
    minimums: list[str] = []
    if rng.random() < 0.7:
        credentials.append({"code": "CPMA", "earned": "2016-01-10"})
        minimums.append("CPMA")
    if rng.random() < 0.5:  # earned before both periods, or during the earlier one
        earned = rng.choice(["2017-03-01", "2024-01-15"])
        credentials.append({"code": "CEMC", "earned": earned})
        minimums.append("CEMC")
    records = []
    for n, (first, last) in enumerate(((2023, 2024), (2025, 2026))):
        held = [c for c in credentials if c["earned"] <= f"{first}-04-01"]
        tier = 36 + 4 * (len(held) - 1)
        left = tier
        for code in minimums:
            if any(c["code"] == code for c in held):
                need = 16 if code == "CPMA" else 8
                amount = need - rng.randint(0, 3)
                approvals = [code, *(m for m in minimums if m != code and rng.random() < 0.3)]
                records.append(record(f"p{n}{code}", f"{last}-02-10", amount, *approvals))
                left -= amount
        records.append(record(f"p{n}bulk", f"{first}-07-01", max(1, left - rng.randint(0, 5))))
    count = rng.choice([1, 1, 2, 2, 3])
    for n in range(count):
        amount = rng.randint(1, 4 if count < 3 else 2)
        approvals = [m for m in minimums if rng.random() < 0.5]
        records.append(record(f"m{n}", f"2025-03-{3 + 9 * n:02d}", amount, *approvals))
    if rng.random() < 0.3:
        records.append(record("late", "2027-03-20", rng.randint(1, 3)))
    if rng.random() < 0.35:  # teaching, whose cap of 16 a shared record shares (E-INSTRUCTOR)
        for rid, date, amount in (
            ("i1", "2024-06-01", rng.randint(12, 16)),
            ("i2", "2026-06-01", rng.randint(12, 16)),
            ("mi", "2025-03-28", rng.randint(1, 4)),
        ):
            records.append(
                record(rid, date, amount, activity="instructor", teaches="CPC", approved=True)
            )
        for r in records:
            if r["id"].endswith("bulk"):
                r["ceus"] = max(1, r["ceus"] - rng.randint(8, 14))
    return {
        "member_id": f"T-{seed}",
        "renewal_due": DUE,
        "credentials": credentials,
        "records": records,
    }


def exhaustive(data: dict[str, Any]) -> tuple[tuple[bool, ...], tuple[Decimal, ...]]:
    """The lexicographic best over every split of the shared records, in half-CEU steps.

    Best: the earliest period compliant if possible, then the next; then the
    smallest shortfall of the earliest period, then of the next.
    """
    pack = default_rule_pack()
    valid = parse_member(data, pack)
    end = default_start(valid.renewal_due, 24) - dt.timedelta(days=1)
    older = valid.model_copy(update={"renewal_due": end})
    shared = [r for r in valid.records if end.replace(day=1) <= r.date <= end]
    choices = [[Decimal(h) / 2 for h in range(int(r.ceus or 0) * 2 + 1)] for r in shared]
    best: tuple[tuple[bool, ...], tuple[Decimal, ...]] | None = None
    for amounts in product(*choices):
        served = {r.id: a for r, a in zip(shared, amounts, strict=True)}
        reports = (
            evaluate_period(older, pack.at(end), AS_OF, Split(counted_here=served)),
            evaluate_period(valid, pack.at(valid.renewal_due), AS_OF, Split(served_before=served)),
        )
        candidate = (tuple(r.compliant for r in reports), tuple(shortfall(r) for r in reports))
        if best is None or _better(candidate, best):
            best = candidate
    assert best is not None
    return best


def _better(
    a: tuple[tuple[bool, ...], tuple[Decimal, ...]],
    b: tuple[tuple[bool, ...], tuple[Decimal, ...]],
) -> bool:
    return (a[0], tuple(-s for s in a[1])) > (b[0], tuple(-s for s in b[1]))


@pytest.mark.parametrize("seed", range(30))
def test_h_split_matches_an_exhaustive_search_over_every_split(seed: int) -> None:
    data = tiny_member(seed)
    history = evaluate_history(data, periods=2, as_of=AS_OF)
    found = (
        tuple(r.compliant for r in history.periods),
        tuple(shortfall(r) for r in history.periods),
    )
    assert found == exhaustive(data)
