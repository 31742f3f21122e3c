"""The completion plan (PL-MIN): the INTERCHANGE.md example, the deadlines, exactness."""

from __future__ import annotations

import datetime as dt
import doctest
import json
import random
import re
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given

from ceu_compliance import InvalidMemberError, Plan, evaluate, parse_rule_pack, plan
from ceu_compliance._cli import example_members
from conftest import interchange_member
from strategies import Case, any_cases

DAY = dt.timedelta(days=1)


def example_member() -> dict[str, Any]:
    """The member of INTERCHANGE.md."""
    return interchange_member()


def course(rid: str, day: str, ceus: str, *approved_for: str, **extra: Any) -> dict[str, Any]:
    record = {
        "id": rid,
        "date": day,
        "activity": "course",
        "ceus": ceus,
        "provider": "AAPC",
        "index_number": f"IDX-{rid}",
        "approved_for": list(approved_for),
    }
    return record | extra


def needs(p: Plan) -> dict[str, str]:
    return {n.requirement: str(n.ceus) for n in p.needs}


# ------------------------------------------------------------ INTERCHANGE.md


def test_interchange_example() -> None:
    p = plan(example_member(), as_of=dt.date(2026, 11, 26))
    data = json.loads(p.to_json())
    expected = {
        "member_id": "M-1001",
        "as_of": "2026-11-26",
        "compliant": False,
        "minimum_additional": "14",
        "needs": [
            {"requirement": "total", "ceus": "4"},
            {"requirement": "CPMA", "ceus": "14"},
            {"requirement": "CEMC", "ceus": "8"},
        ],
        "shareable": [{"requirements": ["CPMA", "CEMC"], "ceus": "8"}],
        "deadline": "2027-03-31",
        "days_left": 125,
        "pace_per_month": "3.5",
    }
    assert {k: data[k] for k in expected} == expected
    assert data["status"] == "in_progress"
    assert data["extension_needed"] is False
    assert data["deadlines"]["revocation"] == "2027-06-29"
    assert data["days_to_revocation"] == 215
    assert Plan.model_validate_json(p.to_json()) == p


def test_interchange_example_text() -> None:
    text = str(plan(example_member(), as_of=dt.date(2026, 11, 26)))
    assert "At least 14 more CEUs by 2027-03-31 (125 days left, 3.5 CEUs a month):" in text
    assert (
        "14 CEUs approved for CPMA and 8 approved for CEMC, of which up to 8 can be the same "
        "CEUs if a course is approved for both CPMA and CEMC." in text
    )
    assert "Shortfalls under this plan: total 4, CPMA 14, CEMC 8." in text


def test_any_kind_part_of_the_text() -> None:
    member = example_member()
    member["records"] = [
        course("a", "2025-05-01", "10", "CPMA"),
        course("b", "2025-05-02", "20"),
    ]
    p = plan(member, as_of=dt.date(2026, 11, 26))
    # total 44 - 30 = 14; CPMA 6; CEMC 8: N = 14, 8 of them for the minimums.
    assert p.minimum_additional == 14
    assert "6 CEUs approved for CPMA and 8 approved for CEMC, of which up to 6 can be" in str(p)
    assert ", and 6 more from any pre-approved program." in str(p)


def test_invalid_member_is_refused() -> None:
    with pytest.raises(InvalidMemberError):
        plan({"member_id": "M", "renewal_due": "2027-03-31", "credentials": []})


# ------------------------------------------------------------ figures and deadlines


def test_compliant_member_needs_nothing() -> None:
    member = example_member()
    member["records"] = [
        course("a", "2025-05-01", "16", "CPMA", "CEMC"),
        course("b", "2025-06-01", "30"),
    ]
    p = plan(member, as_of=dt.date(2026, 11, 26))
    assert p.compliant
    assert (p.needs, p.shareable) == ((), ())
    assert p.minimum_additional == p.pace_per_month == 0
    assert json.loads(p.to_json())["pace_per_month"] == "0"
    assert "Compliant: no more CEUs are needed." in str(p)


def test_total_only() -> None:
    member = {
        "member_id": "M-2",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2010-01-01"}],
        "records": [course("a", "2025-05-01", "26")],
    }
    p = plan(member, as_of=dt.date(2027, 3, 10))
    assert needs(p) == {"total": "10"}
    assert p.shareable == ()
    # 21 days left: less than a month counts as one.
    assert p.days_left == 21
    assert p.pace_per_month == 10
    assert "10 CEUs from any pre-approved program." in str(p)


@pytest.mark.parametrize(
    ("as_of", "pace"),
    [
        (dt.date(2026, 12, 31), Decimal("3.3")),  # 90 days: 2 months, 6.5 / 2 = 3.25
        (dt.date(2026, 4, 1), Decimal("0.6")),  # 364 days: 11 months, 6.5 / 11 = 0.59...
        (dt.date(2027, 3, 31), Decimal("6.5")),  # the due date itself: 0 days, 1 month
    ],
)
def test_pace_is_rounded_up_to_a_tenth(as_of: dt.date, pace: Decimal) -> None:
    member = {
        "member_id": "M-3",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2010-01-01"}],
        "records": [course("a", "2025-05-01", "29.5")],
    }
    p = plan(member, as_of=as_of)
    assert p.minimum_additional == Decimal("6.5")
    assert p.pace_per_month == pace


def test_past_due_without_extension_needs_one_first() -> None:
    due = plan(example_member(), as_of=dt.date(2027, 3, 31))
    late = plan(example_member(), as_of=dt.date(2027, 4, 20))
    assert late.minimum_additional == due.minimum_additional == 14
    assert late.needs == due.needs
    assert (late.status.value, late.extension_needed, late.deadline) == (
        "noncompliant",
        True,
        dt.date(2027, 3, 31),
    )
    assert (late.days_left, late.days_to_revocation) == (0, 70)
    assert late.route == "buy_extension" and late.new_ceus_from == "aapc_education"
    assert any("one can be bought from AAPC for $50 until 2027-06-29" in n for n in late.notes)
    assert "At least 14 more CEUs, once a CEU extension is bought" in str(late)
    assert "14 CEUs of AAPC education approved for CPMA and 8 approved for CEMC" in str(late)


def test_inside_an_extension_the_deadline_is_its_end() -> None:
    member = example_member() | {"extension_until": "2027-05-31"}
    p = plan(member, as_of=dt.date(2027, 4, 15))
    assert (p.status.value, p.extension_needed) == ("extension", False)
    assert (p.deadline, p.days_left) == (dt.date(2027, 5, 31), 46)
    assert p.pace_per_month == 14  # 46 days: one whole month
    assert any("only AAPC education" in n and "P-EXTENSION" in n for n in p.notes)
    assert (p.route, p.new_ceus_from) == ("earn", "aapc_education")
    assert "14 more CEUs by 2027-05-31, the end of the CEU extension" in str(p)


def test_an_expired_extension_is_not_offered_again() -> None:
    member = example_member() | {"extension_until": "2027-05-31"}
    p = plan(member, as_of=dt.date(2027, 6, 10))
    assert p.extension_needed
    assert (p.deadline, p.days_left) == (dt.date(2027, 5, 31), 0)
    assert p.minimum_additional == 14
    assert p.route == "extension_ended"
    assert any("not offered again" in n for n in p.notes)
    assert "At least" not in str(p) and "the CEU extension ended on 2027-05-31" in str(p)


def test_circc_cannot_be_made_up_inside_an_extension() -> None:
    member = {
        "member_id": "M-4",
        "renewal_due": "2027-03-31",
        "extension_until": "2027-05-31",
        "credentials": [{"code": "CIRCC", "earned": "2010-01-01"}],
        "records": [course("a", "2025-05-01", "40")],
    }
    p = plan(member, as_of=dt.date(2027, 4, 15))
    assert needs(p) == {"CIRCC": "16"}
    assert p.route == "cannot_fill" and p.needs[0].cannot_fill == "vendor_not_aapc"
    assert any("contracted vendor" in n and "cannot be made up" in n for n in p.notes)
    assert "At least" not in str(p)


def test_plan_shares_a_cap_where_the_report_does_not() -> None:
    """Two instructor records share E-INSTRUCTOR's 16-CEU cap: one serves CPMA, one the
    specialties. The report leaves the smallest sum of shortfalls (16, however the cap is
    split); PL-MIN splits the cap so that both layers are 8 short, and 8 new CEUs approved
    for CPMA and a specialty close both.
    """
    member = {
        "member_id": "M-5",
        "renewal_due": "2027-03-31",
        "credentials": [
            {"code": "CPC", "earned": "2010-01-01"},
            {"code": "CPMA", "earned": "2010-01-01"},
            {"code": "CEMC", "earned": "2010-01-01"},
            {"code": "CCC", "earned": "2010-01-01"},
        ],
        "records": [
            {"id": "t1", "date": "2025-09-01", "activity": "instructor", "ceus": 16,
             "approved": True, "teaches": "CPC", "approved_for": ["CPMA"]},
            {"id": "t2", "date": "2026-02-01", "activity": "instructor", "ceus": 16,
             "approved": True, "teaches": "CPC", "approved_for": ["CEMC", "CCC"]},
            course("c", "2026-03-01", "32"),
        ],
    }  # fmt: skip
    as_of = dt.date(2026, 11, 26)
    report = evaluate(member, as_of=as_of)
    shortfalls = {r.id: r.shortfall for r in report.requirements}
    assert shortfalls["CPMA"] + shortfalls["CEMC"] + shortfalls["CCC"] == 16
    assert max(shortfalls["CPMA"], shortfalls["CEMC"] + shortfalls["CCC"]) == 16

    p = plan(member, as_of=as_of)
    assert p.minimum_additional == 8
    assert needs(p)["CPMA"] == "8"
    assert sum(n.ceus for n in p.needs if n.requirement in ("CEMC", "CCC")) == 8
    assert any("the shortfalls can differ" in n for n in p.notes)
    assert compliant_with(member, as_of, new_records_for(p))


def test_a_closed_period_year_cannot_be_made_up() -> None:
    """With the pack's switch making CIRCC's 8 per period-year mandatory (Q-CIRCC)."""
    toml = resources.files("ceu_compliance").joinpath("packs", "aapc.toml").read_text()
    switched = toml.replace('values = { "2008-01-01" = false }', 'values = { "2008-01-01" = true }')
    assert switched != toml
    member = {
        "member_id": "M-6",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CIRCC", "earned": "2010-01-01"}],
        "records": [
            course("a", "2025-05-01", "36"),
            course("b", "2026-05-01", "8", "CIRCC", provider="ZHealth Publishing"),
        ],
    }
    p = plan(member, as_of=dt.date(2026, 11, 26), rules=parse_rule_pack(switched))
    assert needs(p) == {"CIRCC": "8"}
    assert p.route == "cannot_fill" and p.needs[0].cannot_fill == "period_year_ended"
    assert any("period-year 1 ended on 2026-03-31" in n for n in p.notes)
    assert "At least" not in str(p)


# ------------------------------------------------------------ exactness


CORES = ("CPMA", "CPCO", "CIRCC")
SPECIALTIES = ("CEMC", "CCC", "CANPC")
CIRCC_VENDOR = "ZHealth Publishing"


def new_record(
    n: int, as_of: dt.date, ceus: Decimal, approved_for: tuple[str, ...]
) -> dict[str, Any]:
    """A hypothetical new CEU record, dated ``as_of``, pre-approved for ``approved_for``."""
    return {
        "id": f"new{n}",
        "date": as_of.isoformat(),
        "activity": "course",
        "ceus": str(ceus),
        "provider": CIRCC_VENDOR if "CIRCC" in approved_for else "AAPC",
        "index_number": f"NEW-{n}",
        "approved_for": list(approved_for),
    }


def compliant_with(
    member: dict[str, Any], as_of: dt.date, new: list[tuple[Decimal, tuple[str, ...]]]
) -> bool:
    records = [new_record(n, as_of, ceus, codes) for n, (ceus, codes) in enumerate(new) if ceus]
    return evaluate(member | {"records": [*member["records"], *records]}, as_of=as_of).compliant


def new_records_for(p: Plan) -> list[tuple[Decimal, tuple[str, ...]]]:
    """The plan's own composition of N: shared, then single-minimum, then any-kind CEUs."""
    left = {n.requirement: n.ceus for n in p.needs}
    new: list[tuple[Decimal, tuple[str, ...]]] = []
    for s in p.shareable:
        new.append((s.ceus, s.requirements))
        for code in s.requirements:
            left[code] -= s.ceus
    new += [(ceus, (code,)) for code, ceus in left.items() if code != "total"]
    new.append((p.minimum_additional - sum((ceus for ceus, _ in new), Decimal(0)), ()))
    return new


def splits(units: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to write ``units`` as an ordered sum of ``parts`` non-negative integers."""
    if parts == 1:
        yield (units,)
        return
    for first in range(units + 1):
        for rest in splits(units - first, parts - 1):
            yield (first, *rest)


def brute_force_minimum(
    member: dict[str, Any], as_of: dt.date, cores: list[str], specialties: list[str], bound: int
) -> Decimal | None:
    """The fewest new CEUs, in 1/2-CEU steps up to ``bound``, that make ``evaluate`` compliant.

    Each new CEU is approved for one core and one specialty minimum held (or for what
    there is). Plain new CEUs are never better than approved ones, so every split of n
    over the (core, specialty) pairs is tried.
    """
    pairs = [
        tuple(code for code in (core, specialty) if code)
        for core in cores or [""]
        for specialty in specialties or [""]
    ]
    for units in range(2 * bound + 1):
        for split in splits(units, len(pairs)):
            new = [(Decimal(u) / 2, pair) for u, pair in zip(split, pairs, strict=True)]
            if compliant_with(member, as_of, new):
                return Decimal(units) / 2
    return None


def half_steps(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(rng.randint(int(2 * low), int(2 * high))) / 2


def random_member(
    rng: random.Random, layers: tuple[int, int] | None = None
) -> tuple[dict[str, Any], dt.date, list[str], list[str]]:
    """A small member close to compliance: 0-2 core and 0-2 specialty minimums (or as many
    as ``layers`` says), records approved for some of them (some pairs, some instructor
    records sharing E-INSTRUCTOR's cap), and a plain record bringing the total near the
    requirement.
    """
    end = rng.choice([dt.date(2027, 3, 31), dt.date(2026, 9, 30), dt.date(2027, 1, 15)])
    start = end - relativedelta(months=24) + DAY
    first = (start - DAY).replace(day=1)  # the previous renewal month counts too
    as_of = rng.choice(
        [
            start + dt.timedelta(days=rng.randint(120, (end - start).days)),
            end - dt.timedelta(days=rng.randint(0, 20)),  # often the current renewal month
        ]
    )
    core_count, specialty_count = layers or (rng.choice([0, 1, 1, 2]), rng.choice([0, 1, 1, 2]))
    cores = rng.sample(CORES, core_count)
    specialties = rng.sample(SPECIALTIES, specialty_count)
    minimums = [*cores, *specialties]
    held = ["CPC", *minimums]
    records: list[dict[str, Any]] = []

    def add(ceus: Decimal, approved_for: list[str], instructor: bool = False) -> None:
        rid = f"r{len(records) + 1}"
        day = first + dt.timedelta(days=rng.randint(0, (as_of - first).days))
        record = course(
            rid,
            day.isoformat(),
            str(ceus),
            *approved_for,
            provider=rng.choice(["AAPC", CIRCC_VENDOR, "CMS", "Acme Seminars"]),
        )
        if instructor:
            del record["index_number"]
            record |= {"activity": "instructor", "teaches": "CPC", "approved": True}
        records.append(record)

    taught: list[str] = []
    if cores and specialties and rng.random() < 0.5:
        # Teaching for a core minimum and for a specialty one, over the cap together:
        # how the cap is split decides which layer is short (see the test above).
        taught = [rng.choice(cores), rng.choice(specialties)]
        add(16 - half_steps(rng, 0, 4), taught[:1], instructor=True)
        add(8 - half_steps(rng, 0, 3), taught[1:], instructor=True)
    for code in (c for c in minimums if c not in taught):
        required = 16 if code in CORES else 8
        also = [c for c in minimums if c != code and rng.random() < 0.3][:1]
        add(max(Decimal("0.5"), required - half_steps(rng, 0, 5)), [code, *also])
    for _ in range(rng.randint(0, 4)):
        pool = [*minimums, "CUC"]
        approvals = rng.sample(pool, rng.randint(0, min(2, len(pool))))
        add(half_steps(rng, 1, 10), approvals, instructor=rng.random() < 0.35)
    tier = 36 + 4 * (min(len(held), 5) - 1)
    teaching = sum(
        (Decimal(r["ceus"]) for r in records if r["activity"] == "instructor"), Decimal(0)
    )
    rest = sum((Decimal(r["ceus"]) for r in records if r["activity"] != "instructor"), Decimal(0))
    filler = tier - rest - min(teaching, Decimal(16)) - half_steps(rng, -2, 6)
    if filler > 0:
        add(filler, [])
    member = {
        "member_id": "M-R",
        "renewal_due": end.isoformat(),
        "credentials": [{"code": code, "earned": "2015-01-01"} for code in held],
        "records": records,
    }
    return member, as_of, cores, specialties


# Largest N checked per number of (core, specialty) pairs, to bound the search.
BOUND = {1: 10, 2: 6, 4: 3}


@pytest.mark.parametrize("seed", range(40))
def test_minimum_matches_exhaustive_search(seed: int) -> None:
    """PL-MIN is exact: trying n = 0, 1/2, 1, ... new CEUs split every way, the first n
    that makes ``evaluate`` compliant is N; and the plan's own composition of N does."""
    rng = random.Random(seed)
    while True:
        member, as_of, cores, specialties = random_member(rng, (2, 2) if seed % 8 == 0 else None)
        p = plan(member, as_of=as_of)
        pairs = max(1, len(cores)) * max(1, len(specialties))
        if p.minimum_additional <= BOUND[pairs]:
            break
    assert p.compliant == (p.minimum_additional == 0)
    assert p.minimum_additional == max(
        [n.ceus for n in p.needs if n.requirement == "total"]
        + [sum((n.ceus for n in p.needs if n.requirement in layer), Decimal(0))
           for layer in (CORES, SPECIALTIES)]
    )  # fmt: skip
    assert brute_force_minimum(member, as_of, cores, specialties, BOUND[pairs]) == (
        p.minimum_additional
    )
    assert compliant_with(member, as_of, new_records_for(p))


# ------------------------------------------- one decision, sentences that agree (PL-MIN)


def bundled_example(prefix: str) -> dict[str, Any]:
    (text,) = [text for name, text in example_members() if name.startswith(prefix)]
    data: dict[str, Any] = json.loads(text)
    return data


def test_example_03_past_due_says_the_circc_shortfall_cannot_be_made_up() -> None:
    """Q-CIRCC, P-EXTENSION: after the due date only AAPC education counts, and AAPC is not
    a contracted CIRCC vendor: no sentence may ask for CEUs once an extension is bought."""
    p = plan(bundled_example("03_"), as_of=dt.date(2027, 4, 15))
    assert (p.route, p.new_ceus_from, p.extension_needed) == (
        "cannot_fill",
        "aapc_education",
        True,
    )
    data = json.loads(p.to_json())
    assert data["needs"] == [
        {
            "requirement": "CIRCC",
            "ceus": "2",
            "vendors": ["ZHealth Publishing", "MedLearn Publishing", "Medical Asset Management"],
            "cannot_fill": "vendor_not_aapc",
        }
    ]
    text = str(p)
    assert "Not compliant, and the CIRCC shortfall cannot be made up for this period." in text
    assert "At least" not in text and "once a CEU extension is bought" not in text
    for form in (p.to_markdown(), p.to_html()):
        assert "At least" not in form and "cannot be made up for this period" in form


def test_example_03_before_the_due_date_asks_for_ceus_from_a_contracted_vendor() -> None:
    """Q-CIRCC: before the due date the same shortfall is one kind of CEU, named once."""
    p = plan(bundled_example("03_"), as_of=dt.date(2027, 3, 1))
    assert p.route == "earn"
    assert (
        "2 CEUs approved for CIRCC from a contracted vendor (ZHealth Publishing, MedLearn "
        "Publishing or Medical Asset Management)."
    ) in str(p)
    assert "cannot" not in str(p)


def test_example_06_in_an_extension_names_aapc_education_only() -> None:
    """P-EXTENSION: inside the extension the plan asks for AAPC education, nothing else."""
    p = plan(bundled_example("06_"), as_of=dt.date(2027, 4, 15))
    assert (p.route, p.new_ceus_from) == ("earn", "aapc_education")
    text = str(p)
    assert "At least 4 more CEUs by 2027-05-30, the end of the CEU extension" in text
    assert "4 CEUs of AAPC education." in text
    assert "pre-approved program" not in text
    assert "pre-approved program" not in p.to_markdown() + p.to_html()


REVOCATION = dt.date(2027, 6, 29)


def test_on_the_revocation_date_an_extension_can_still_be_bought() -> None:
    """P-EXTENSION, P-REVOKE: the plan agrees with the report's offer."""
    p = plan(example_member(), as_of=REVOCATION)
    assert evaluate(example_member(), as_of=REVOCATION).extension_offer is not None
    assert p.route == "buy_extension"
    assert "At least 14 more CEUs, once a CEU extension is bought" in str(p)
    assert any("can be bought from AAPC for $50 until 2027-06-29" in n for n in p.notes)


def test_after_the_revocation_date_the_plan_says_nothing_can_be_bought() -> None:
    """P-EXTENSION, P-REVOKE: the day after, the report offers nothing and the plan agrees."""
    after = REVOCATION + DAY
    p = plan(example_member(), as_of=after)
    assert evaluate(example_member(), as_of=after).extension_offer is None
    assert (p.route.value, p.days_to_revocation, p.minimum_additional) == (
        "revoked",
        0,
        Decimal(14),
    )
    text = str(p)
    assert "the credentials were revoked on 2027-06-29 if CEUs were not submitted" in text
    assert "At least" not in text and "can be bought" not in text


ASKS_FOR_CEUS = {"earn", "buy_extension"}
SOURCE_WORDS = {"pre_approved": "pre-approved program", "aapc_education": "AAPC education"}


def named_kinds(text: str, requirement: str) -> int:
    """How often ``text`` asks for CEUs approved for ``requirement`` (not "for both ...")."""
    return len(re.findall(rf"approved for {re.escape(requirement)}(?![\w-])", text))


@given(case=any_cases())
def test_the_text_names_one_kind_per_need_and_never_contradicts_its_route(case: Case) -> None:
    """PL-MIN: every sentence follows from the route. A plan that asks for CEUs names each
    minimum's kind once, in one source of programs, and never says they cannot count; a plan
    that cannot help never asks for CEUs."""
    p = plan(case.member, as_of=case.as_of)
    text = " ".join(p.to_text().split())
    assert (p.route == "compliant") == p.compliant
    if p.route in ASKS_FOR_CEUS:
        (asked,) = [line for line in p.to_text().splitlines()[1:3] if line.endswith(".")]
        assert text.startswith(f"Completion plan for member {p.member_id}")
        assert "At least" in text and "cannot" not in text
        other = "aapc_education" if p.new_ceus_from == "pre_approved" else "pre_approved"
        assert SOURCE_WORDS[other] not in text
        for need in p.needs:
            if need.requirement != "total":
                assert named_kinds(asked, need.requirement) == 1, (need, asked)
                assert ("contracted vendor" in asked) >= bool(need.vendors)
        assert all(need.cannot_fill is None for need in p.needs)
    else:
        assert "At least" not in text and "once a CEU extension is bought" not in text
    if p.route == "cannot_fill":
        blocked = [n.requirement for n in p.needs if n.cannot_fill]
        assert blocked and all(f"{r} shortfall" in text for r in blocked)
    if p.route == "revoked":
        assert case.as_of > p.deadlines.revocation and "can be bought" not in text
    # P-EXTENSION: the report offers an extension exactly when the plan could use one.
    offered = evaluate(case.member, as_of=case.as_of).extension_offer is not None
    if p.route == "buy_extension":
        assert offered
    elif p.route != "cannot_fill":
        assert not offered


def test_docs_plan_md_examples_run() -> None:
    docs = Path(__file__).parent.parent / "docs" / "plan.md"
    result = doctest.testfile(str(docs), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
