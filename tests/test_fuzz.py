"""The fuzzer (fuzz/run.py) in CI: a bounded run finds nothing, and its checks can fail.

The long run is ``python fuzz/run.py --inputs 100000`` (fuzz/README.md).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ceu_compliance import Status, evaluate
from ceu_compliance._cli import example_members

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
AS_OF = dt.date(2027, 4, 15)


def _load(name: str) -> ModuleType:
    """fuzz/NAME.py, imported as the script imports its neighbours (fuzz/ on the path)."""
    if str(FUZZ) not in sys.path:
        sys.path.insert(0, str(FUZZ))
    spec = importlib.util.spec_from_file_location(name, FUZZ / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules.setdefault(name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


oracle = _load("oracle")
run = _load("run")


def test_a_bounded_fuzz_run_finds_nothing(tmp_path: Path) -> None:
    tally = run.fuzz(inputs=1500, seed_value=9)
    assert sum(tally.inputs.values()) == 1500
    assert set(tally.inputs) == {"structured", "mutated", "raw"}
    assert tally.outcomes["evaluate: report"] > 100 and tally.outcomes["evaluate: refused"] > 100
    assert not tally.failures, run.summary(tally, 0)


def test_an_unexpected_exception_is_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(run, "evaluate", broken)
    tally = run.fuzz(inputs=10, seed_value=1)
    assert tally.failures and "ZeroDivisionError" in tally.failures[0][1]


def test_a_broken_report_breaks_the_invariants() -> None:
    report = evaluate(
        json.loads(dict(example_members())["02_multi_credential_short_cpma.json"]), as_of=AS_OF
    )
    assert oracle.report_problems(report) == []
    first = report.records[0]
    broken = report.model_copy(
        update={
            "records": (
                first.model_copy(update={"counted": first.counted + 1}),
                *report.records[1:],
            )
        }
    )
    assert "counted + rollover + rejected != claimed" in " ".join(oracle.report_problems(broken))
    short = [r.model_copy(update={"shortfall": Decimal(0)}) for r in report.requirements]
    assert any(r.shortfall for r in report.requirements)
    hidden = report.model_copy(update={"requirements": tuple(short)})
    assert any("shortfall" in w for w in oracle.report_problems(hidden))
    wrong_status = report.model_copy(update={"status": Status.COMPLIANT})
    assert any("status" in w for w in oracle.report_problems(wrong_status))


def test_a_tie_on_one_index_number_and_date_is_recognised() -> None:
    a = {"index_number": "AAPC-1", "date": "2026-01-01"}
    assert oracle.tied_duplicates([a, {**a, "index_number": " aapc-1"}])
    assert not oracle.tied_duplicates([a, {**a, "date": "2026-01-02"}])
