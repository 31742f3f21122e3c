"""evaluate_many() and plan_many(): every member gives one result, in order, whatever it is."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from ceu_compliance import (
    BatchError,
    ComplianceReport,
    Plan,
    RulePackError,
    default_rule_pack,
    evaluate,
    evaluate_many,
    parse_member,
    plan,
    plan_many,
)
from rosters import AS_OF, INVALID, good, mixed_lines


def test_results_come_in_input_order_one_per_member() -> None:
    members = [good(i) for i in range(8)]
    results = list(evaluate_many(members, as_of=AS_OF))
    assert [r.member_id for r in results] == [m["member_id"] for m in members]
    assert results == [evaluate(m, as_of=AS_OF) for m in members]


def test_every_kind_of_input_is_taken() -> None:
    member = good(1)
    text = json.dumps(member)
    inputs: list[Any] = [member, text, text.encode(), parse_member(member, default_rule_pack())]
    results = list(evaluate_many(inputs, as_of=AS_OF))
    assert all(r == evaluate(member, as_of=AS_OF) for r in results)


def test_a_refused_member_is_a_result_with_its_position_and_every_problem() -> None:
    results = list(evaluate_many([good(0), INVALID, good(1)], as_of=AS_OF))
    assert [type(r) for r in results] == [ComplianceReport, BatchError, ComplianceReport]
    error = results[1]
    assert isinstance(error, BatchError)
    assert (error.index, error.member_id) == (1, "BAD-INVALID")
    paths = {p.path for p in error.problems}
    # The same problems evaluate() raises: the date, the credential code, the amount.
    assert {"$.renewal_due", "$.credentials[0].code", "$.records[0].ceus"} <= paths
    assert "#1 (member BAD-INVALID) refused:" in str(error)
    assert error.to_dict()["problems"][0].keys() == {"type", "path", "message"}


@pytest.mark.parametrize(
    ("item", "kind", "member_id"),
    [
        ('{"member_id": "M-9", "renewal_due": ', "json_invalid", "M-9"),
        ("   ", "empty", None),
        (b"\xff\xfe{}", "not_utf8", None),
        (42, "model_type", None),
        ({"member_id": " M-1 "}, "missing", "M-1"),
    ],
)
def test_unusable_items_are_refused_not_raised(item: Any, kind: str, member_id: str | None) -> None:
    (error,) = evaluate_many([item], as_of=AS_OF)
    assert isinstance(error, BatchError)
    assert error.problems[0].type == kind
    assert error.member_id == member_id


def test_results_are_lazy_and_follow_the_source() -> None:
    taken: list[int] = []

    def source() -> Iterator[dict[str, Any]]:
        for i in range(1000):
            taken.append(i)
            yield good(i)

    results = evaluate_many(source(), as_of=AS_OF)
    assert taken == []  # nothing read before the first result is asked for
    next(results)
    assert taken == [0]


def test_the_rule_pack_is_refused_before_any_member() -> None:
    with pytest.raises(RulePackError):
        evaluate_many([good(0)], rules="no-such-pack")


@pytest.mark.parametrize("jobs", [0, -1, True, 1.5])
def test_jobs_must_be_a_whole_number(jobs: Any) -> None:
    with pytest.raises(ValueError, match="jobs"):
        evaluate_many([], jobs=jobs)


def test_as_of_defaults_to_one_day_for_the_whole_batch() -> None:
    (report,) = evaluate_many([good(0)])
    assert isinstance(report, ComplianceReport)
    assert report.as_of == dt.date.today()


def test_plan_many_gives_plans_and_errors() -> None:
    results = list(plan_many([good(1), INVALID], as_of=AS_OF))
    assert isinstance(results[0], Plan)
    assert results[0] == plan(good(1), as_of=AS_OF)
    assert isinstance(results[1], BatchError)


def test_two_processes_give_the_same_results_in_the_same_order() -> None:
    # Longer than a few chunks, with refusals inside chunks, so that order is tested.
    lines = mixed_lines(150)
    one = list(evaluate_many(lines, as_of=AS_OF))
    two = list(evaluate_many(lines, as_of=AS_OF, jobs=2))
    assert two == one
    assert sum(isinstance(r, BatchError) for r in one) == 75
    plans = list(plan_many(lines[:40], as_of=AS_OF, jobs=2))
    assert plans == list(plan_many(lines[:40], as_of=AS_OF))


def test_with_processes_only_a_bounded_number_of_chunks_is_read_ahead() -> None:
    taken: list[int] = []

    def source() -> Iterator[str]:
        for i, line in enumerate(mixed_lines(2000)):
            taken.append(i)
            yield line

    results = evaluate_many(source(), as_of=AS_OF, jobs=2)
    next(results)
    # 2 jobs: at most 4 chunks of 64 in flight (and the one being cut).
    assert len(taken) <= 5 * 64
    results.close()  # type: ignore[attr-defined]
