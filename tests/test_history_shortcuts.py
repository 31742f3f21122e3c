"""A history's shortcuts change nothing (issue 7).

An older period of a history leaves out, before its stages, the records after
its end, and writes no outcome for the records it does not show that count
nothing. The reference runs every record through every period and writes every
outcome, then keeps what each period shows: both must give the same history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from ceu_compliance import _engine, evaluate_history
from ceu_compliance._eligibility import run_stages as every_record
from ceu_compliance._models import History
from ceu_compliance._report import report as every_outcome
from strategies import Case, cases


def reference_history(case: Case, periods: int) -> History:
    def run_stages(*args: Any, until: dt.date | None = None) -> Any:
        return every_record(*args)

    def report(*args: Any, shown: Any = None, **kwargs: Any) -> Any:
        return every_outcome(*args, **kwargs)

    with (
        mock.patch.object(_engine, "run_stages", run_stages),
        mock.patch.object(_engine, "report", report),
    ):
        return evaluate_history(case.member, periods=periods, as_of=case.as_of)


@given(
    st.one_of(cases(max_records=10), cases(max_records=10, duplicates=True)),
    st.integers(2, 3),
)
def test_a_history_with_its_shortcuts_is_the_reference(case: Case, periods: int) -> None:
    fast = evaluate_history(case.member, periods=periods, as_of=case.as_of)
    assert fast == reference_history(case, periods)


def test_a_later_duplicate_outside_an_older_period_changes_nothing() -> None:
    def record(n: int, day: str) -> dict[str, Any]:
        return {
            "id": f"r{n}",
            "date": day,
            "activity": "course",
            "ceus": "2",
            "index_number": "AAPC-7",
        }

    member = {
        "member_id": "m",
        "renewal_due": "2027-03-31",
        "credentials": [{"code": "CPC", "earned": "2015-06-01"}],
        "records": [
            record(1, "2026-05-01"),
            record(2, "2024-05-01"),
            {**record(3, "2025-03-31"), "index_number": "AAPC-8"},  # the end of an older period
        ],
    }
    case = Case(member, dt.date(2027, 3, 31))
    history = evaluate_history(member, periods=3, as_of=case.as_of)
    assert history == reference_history(case, 3)
    codes = {o.id: [r.code for r in o.rejections] for p in history.periods for o in p.records}
    assert codes["r1"] == ["duplicate"] and codes["r2"] == []
