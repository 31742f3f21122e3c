"""examples/dask_roster.py on a real two-worker dask.distributed cluster (the ``dask`` extra).

The reports must be byte-identical to those of ``ceu-compliance batch`` on the
same members, and every refused line must be accounted for.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ceu_compliance._cli import main
from rosters import AS_OF, extra, mixed_lines

pytestmark = pytest.mark.dask

distributed = extra("distributed")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "dask_roster.py"


def example(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    import cloudpickle

    spec = importlib.util.spec_from_file_location("dask_roster", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "dask_roster", module)
    spec.loader.exec_module(module)
    # As for a script's __main__: workers receive its functions by value, not by import.
    cloudpickle.register_pickle_by_value(module)
    return module


def test_the_dask_batch_writes_the_reports_of_the_single_process_batch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = mixed_lines(120)  # 180 lines, 60 of them bad
    parts = tmp_path / "parts"
    parts.mkdir()
    for k in range(4):
        part = lines[k * 45 : (k + 1) * 45]
        (parts / f"part-{k:05d}.jsonl").write_text("\n".join(part) + "\n", encoding="utf-8")
    whole = tmp_path / "roster.jsonl"
    whole.write_text("\n".join(lines) + "\n", encoding="utf-8")
    single, errors = tmp_path / "single.jsonl", tmp_path / "errors.jsonl"
    argv = ["batch", str(whole), "--out", str(single), "--errors", str(errors)]
    main([*argv, "--as-of", str(AS_OF)])
    capsys.readouterr()

    module = example(monkeypatch)
    out = tmp_path / "out"
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
    ):
        assert len(cluster.workers) == 2
        module.run(str(parts), str(out), AS_OF)

    reports = b"".join(p.read_bytes() for p in sorted((out / "reports").glob("*.jsonl")))
    assert reports == single.read_bytes()
    dask_errors = [
        json.loads(line)
        for p in sorted((out / "errors").glob("*.jsonl"))
        for line in p.read_text(encoding="utf-8").splitlines()
    ]
    single_errors = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert len(dask_errors) == len(single_errors) == 60
    for mine, theirs in zip(dask_errors, single_errors, strict=True):
        k = int(mine["input"].removeprefix("part-").removesuffix(".jsonl"))
        assert k * 45 + mine["line"] == theirs["line"]
        assert (mine["member_id"], mine["problems"]) == (theirs["member_id"], theirs["problems"])
