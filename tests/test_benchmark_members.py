"""The benchmark members (``benchmarks/members.py``) are what the benchmark says they are.

They must be valid input of the documented shape, and on them the fast engine
must give the exact reference's answers: the figures ``benchmarks/run.py``
prints are the speed of right answers. (No timing here: speed is the
benchmark's business.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from benchmarks import members
from ceu_compliance import default_rule_pack, evaluate, evaluate_history, parse_member, plan
from test_agreement import reference_engine

PACK = default_rule_pack()


def held(data: dict[str, Any]) -> list[str]:
    return [c["code"] for c in data["credentials"]]


def approvals(data: dict[str, Any]) -> list[frozenset[str]]:
    return [frozenset(r.get("approved_for", ())) for r in data["records"]]


def test_the_same_seed_gives_the_same_member_and_another_seed_another() -> None:
    assert json.dumps(members.typical(7, 3)) == json.dumps(members.typical(7, 3))
    assert members.typical(7, 3) != members.typical(8, 3)
    assert members.typical(7, 3) != members.typical(7, 4)


@pytest.mark.parametrize(
    ("make", "codes", "count"),
    [
        (members.simple, ["CPC"], 15),
        (members.typical, ["CPC", "CPMA", "CEMC"], 30),
        (members.complex_member, ["CPC", "CPMA", "CPCO", "CIRCC", "CEMC", "CCC"], 60),
    ],
)
def test_small_members_are_valid_and_of_their_kind(
    make: Callable[[int, int], dict[str, Any]], codes: list[str], count: int
) -> None:
    for n in range(5):
        data = make(2027, n)
        parse_member(json.dumps(data), PACK)
        assert held(data) == codes
        assert len(data["records"]) == count


def test_typical_members_have_two_minimum_and_renewal_month_records() -> None:
    records = [r for n in range(5) for r in members.typical(2027, n)["records"]]
    assert any(set(r.get("approved_for", ())) == {"CPMA", "CEMC"} for r in records)
    assert any(r["date"] >= "2027-03-01" for r in records)
    assert any(r["date"] < "2025-04-01" for r in records)


def test_the_worst_case_family_shares_its_credentials_and_spans_both_layers() -> None:
    family = [members.worst_case(2027, n) for n in (100, 1_000)]
    assert held(family[0]) == held(family[1])
    assert 5 <= len(held(family[0])) <= 10
    big = family[1]
    parse_member(json.dumps(big), PACK)
    assert len(big["records"]) == 1_000
    assert max(len(a) for a in approvals(big)) == 4
    capped = [r for r in big["records"] if r["activity"] in ("instructor", "post_secondary")]
    assert 100 <= len(capped) <= 200
    assert all(set(r.get("approved_for", ())) <= set(held(big)) for r in capped)
    assert sum(bool(r.get("approved_for")) for r in capped) > len(capped) / 2


def test_the_adversarial_member_holds_every_minimum_and_no_two_records_share_a_set() -> None:
    data = members.adversarial(2027)
    parse_member(json.dumps(data), PACK)
    minimums = {c.code for c in PACK.at(members.DUE).credentials if c.minimum > 0}
    assert set(held(data)) == {"CPC", *minimums}
    sets = approvals(data)
    assert len(sets) == len(set(sets)) == 500
    assert all(2 <= len(s) <= 10 for s in sets)


@pytest.mark.parametrize(
    "data",
    [
        members.simple(2027, 0),
        members.typical(2027, 0),
        members.typical(2027, 1),
        members.complex_member(2027, 0),
        *(members.mixed(2027, n) for n in range(5)),
    ],
    ids=lambda data: str(data["member_id"]),
)
def test_on_benchmark_members_the_fast_engine_answers_as_the_reference(
    data: dict[str, Any],
) -> None:
    text = json.dumps(data)
    calls: list[Callable[[], Any]] = [
        lambda: evaluate(text, as_of=members.AS_OF),
        lambda: plan(text, as_of=members.AS_OF),
        lambda: evaluate_history(text, periods=3, as_of=members.AS_OF),
    ]
    for call in calls:
        fast = call().model_dump(mode="json")
        with reference_engine():
            assert call().model_dump(mode="json") == fast
