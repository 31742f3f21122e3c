"""The contract every eligibility stage keeps, checked on every stage of ``STAGES``.

In the manner of python-stdnum's shared tests: one test, run over every stage,
so that a new stage is held to the same rules without writing anything new.
The claims reaching a stage are realistic: the earlier stages have run on them,
and some carry extra rejections (some down to 0 CEUs available).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceu_compliance import RejectionCode, parse_member
from ceu_compliance._eligibility import STAGES, Claim, Context, Stage, claimed_ceus
from ceu_compliance._pack import default_rule_pack
from ceu_compliance._period import PeriodWindow
from conftest import RULE_IDS
from strategies import Case, any_cases, cases, days_between

ZERO = Decimal(0)
PACK = default_rule_pack()


@st.composite
def stage_inputs(draw: st.DrawFn, stage: Stage) -> tuple[tuple[Claim, ...], Context]:
    """Claims as ``stage`` would receive them, and a context."""
    case: Case = draw(st.one_of(any_cases(), cases(min_records=4, duplicates=True)))
    member = parse_member(case.member, PACK)
    rules = PACK.at(member.renewal_due)
    window = PeriodWindow.of(
        member.renewal_due, rules.period_months, extension_until=member.extension_until
    )
    earliest = min(c.earned for c in member.credentials)
    # Sometimes a first certification inside the window, for P-BEFORE-CERT.
    first_certified = draw(st.one_of(st.just(earliest), days_between(window.start, case.end)))
    ctx = Context(
        rules=rules,
        window=window,
        as_of=case.as_of,
        first_certified=first_certified,
    )
    claims = tuple(
        Claim(r, i, (c := claimed_ceus(r, rules)), c, body=rules.body)
        for i, r in enumerate(member.records)
    )
    for earlier in STAGES[: STAGES.index(stage)]:
        claims = earlier(claims, ctx)
    # Extra rejections from "somewhere else", down to nothing left on some claims.
    out = []
    for claim in claims:
        share = draw(st.sampled_from([0, 0, 0, 1, 2, 4]), label=f"cut {claim.record.id}")
        if share:
            cut = claim.available if share == 4 else claim.available * share / 4
            claim = claim.reject(RejectionCode.NOT_APPROVED, cut)
        out.append(claim)
    return tuple(out), ctx


def check_contract(
    stage: Stage, before: Sequence[Claim], after: Sequence[Claim], ctx: Context
) -> None:
    assert isinstance(after, tuple)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert new.record == old.record and new.position == old.position
        assert new.claimed == old.claimed
        assert 0 <= new.available <= old.available
        assert new.available + sum((r.ceus for r in new.rejections), ZERO) == new.claimed
        if old.available == 0:
            assert new == old, f"{stage.__name__} touched a claim with nothing available"
        assert new.rejections[: len(old.rejections)] == old.rejections
        added = new.rejections[len(old.rejections) :]
        assert sum((r.ceus for r in added), ZERO) == old.available - new.available
        for rejection in added:
            assert isinstance(rejection.code, RejectionCode)
            assert rejection.rule in RULE_IDS, rejection
            assert rejection.ceus > 0
            assert rejection.message.strip()
            assert f"Record {new.record.id}" in rejection.message, rejection.message


@pytest.mark.parametrize("stage", STAGES, ids=[s.__name__ for s in STAGES])
@given(data=st.data())
def test_stage_contract(stage: Stage, data: st.DataObject) -> None:
    claims, ctx = data.draw(stage_inputs(stage), label="claims")
    snapshot = copy.deepcopy(claims)

    after = stage(claims, ctx)

    assert claims == snapshot, "the stage changed its input"
    check_contract(stage, claims, after, ctx)
    assert stage(claims, ctx) == after, "not deterministic"
    assert stage(list(claims), ctx) == after, "depends on the kind of sequence"


def test_every_stage_has_a_name_and_a_rule() -> None:
    """Each stage documents itself: a name, and a docstring citing its rule ID."""
    for stage in STAGES:
        assert stage.__name__ and stage.__name__ != "stage"
        doc = stage.__doc__ or ""
        assert any(rule in doc for rule in RULE_IDS), stage.__name__


def test_stages_reject_nothing_from_a_clean_record() -> None:
    """A sound record (approved course in the period, after certification) passes every stage."""
    data = {
        "member_id": "M-1",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2015-01-01"}],
        "records": [
            {"id": "r1", "date": "2026-01-10", "activity": "course", "ceus": "3.5",
             "index_number": "AAPC-1"},
        ],
    }  # fmt: skip
    member = parse_member(data, PACK)
    rules = PACK.at(member.renewal_due)
    window = PeriodWindow.of(member.renewal_due, rules.period_months)
    ctx = Context(rules, window, as_of=dt.date(2027, 1, 1), first_certified=dt.date(2015, 1, 1))
    claims = (Claim(member.records[0], 0, Decimal("3.5"), Decimal("3.5"), body="AAPC"),)
    for stage in STAGES:
        assert stage(claims, ctx) == claims, stage.__name__
