"""``ceu-compliance rules``: show the version in force, check a pack, export one."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from ceu_compliance import load_rule_pack, parse_rule_pack
from ceu_compliance._cli import main
from ceu_compliance._pack import (
    CAPS,
    GENERAL,
    OPTIONAL,
    STAGES,
    TOTALS,
    CredentialEntry,
    FloorEntry,
    PackInfo,
    Parameter,
    RulePack,
    Shapes,
)

REPO = Path(__file__).resolve().parents[1]
AAPC_FILE = REPO / "src" / "ceu_compliance" / "packs" / "aapc.toml"
AMENDED = str(REPO / "examples" / "packs" / "aapc-amended.toml")
GUILD = REPO / "examples" / "packs" / "guild.toml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["rules", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def flat(text: str) -> str:
    """``text`` with every run of white space one space: the text form wraps long lines."""
    return " ".join(text.split())


def document(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "--format", "json", *argv)
    assert (code, err) == (0, "")
    data: dict[str, Any] = json.loads(out)
    return data


# ------------------------------------------------------------------ show


def test_the_version_in_force_today_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "AAPC CEU requirements for certified coders"
    assert lines[1] == "  pack      aapc-2026.1 (body aapc; messages name it AAPC)"
    today = dt.date.today().isoformat()
    assert f"shown the version of 2016-01-01, in force on {today}" in flat(out)
    assert "versions 2008-01-01, 2012-10-01, 2015-08-31, 2016-01-01 (a period is judged " in (
        flat(out)
    )
    for heading in ("Shapes", "Parameters", "Credentials (30)", "Floors", "Citations"):
        assert heading in lines


def test_an_older_version_with_its_values_sources_and_doubts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Q-TIER, Q-CONCURRENT, Q-CPPM as they stood before the 2012 change."""
    code, out, _ = run(capsys, "--on", "2012-09-30")
    text = flat(out)
    assert code == 0
    assert "shown the version of 2008-01-01, in force on 2012-09-30" in text
    assert "tier_totals = 36, 48, 60, 72, 80 since 2008-01-01 (Q-TIER)" in text
    assert "Uncertain: The older figures are on an undated copy of the page;" in text
    assert "concurrent_minimums = false since 2008-01-01 (Q-CONCURRENT)" in text
    assert "CPPM core Certified Physician Practice Manager" in text
    assert "minimum 24 since 2008-01-01, sole minimum 36 since 2008-01-01 (Q-CPPM)" in text
    assert "CIRCC core Certified Interventional Radiology Cardiovascular Coder" in text
    assert "only from ZHealth Publishing, MedLearn Publishing, Medical Asset Management" in text
    assert "Q-CONCURRENT: Not on the source page; project reading (Q-CONCURRENT): before 1" in text


@pytest.mark.parametrize(
    ("on", "version"),
    [
        ("2012-09-30", "2008-01-01"),
        ("2012-10-01", "2012-10-01"),
        ("2015-08-30", "2012-10-01"),
        ("2015-08-31", "2015-08-31"),
        ("2015-12-31", "2015-08-31"),
        ("2016-01-01", "2016-01-01"),
    ],
)
def test_the_version_on_each_side_of_a_change(
    capsys: pytest.CaptureFixture[str], on: str, version: str
) -> None:
    data = document(capsys, "--on", on)
    assert (data["on"], data["version"]) == (on, version)


def test_the_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    data = document(capsys, "--on", "2026-12-01")
    assert list(data) == [
        "pack",
        "on",
        "version",
        "versions",
        "shapes",
        "parameters",
        "credentials",
        "floors",
        "citations",
    ]
    assert data["pack"] == {
        "id": "aapc-2026.1",
        "body": "aapc",
        "name": "AAPC",
        "title": "AAPC CEU requirements for certified coders",
        "source": "AAPC, Continuing Education, CEU Information \u2013 Members",
        "versions_by": "due",
    }
    assert data["versions"] == ["2008-01-01", "2012-10-01", "2015-08-31", "2016-01-01"]
    assert data["shapes"]["layers"] == ["core", "specialty"]
    tiers = data["parameters"]["tier_totals"]
    assert list(tiers) == ["rule", "description", "value", "since", "reference", "uncertain"]
    assert (tiers["value"], tiers["since"], tiers["rule"]) == (
        ["36", "40", "44", "48", "52"],
        "2015-08-31",
        "Q-TIER",
    )
    assert tiers["uncertain"].startswith("In force by 31 August 2015")
    assert data["parameters"]["period_months"]["value"] == 24
    assert data["parameters"]["period_months"]["uncertain"] is None
    circc = next(c for c in data["credentials"] if c["code"] == "CIRCC")
    assert (circc["kind"], circc["minimum"], circc["per_year"], circc["rule"]) == (
        "core",
        "16",
        "8",
        "Q-CIRCC",
    )
    assert circc["dated"] == [
        {
            "field": "minimum",
            "since": "2015-08-31",
            "source": None,
            "uncertain": "In force by 31 August 2015; the start of the cut from 24 was not found.",
        }
    ]
    cpc = data["credentials"][0]
    assert (cpc["code"], cpc["apprentice"], cpc["minimum"], cpc["dated"]) == (
        "CPC",
        ["CPC-A"],
        "0",
        [],
    )
    assert data["floors"] == []
    assert (
        data["citations"]["Q-SPECIALTY"] == "8 must be specialty specific for each specialty earned"
    )


def test_text_and_json_show_the_same_values(capsys: pytest.CaptureFixture[str]) -> None:
    data = document(capsys, "--on", "2013-05-01")
    _, out, _ = run(capsys, "--on", "2013-05-01")
    text = flat(out)
    for name, parameter in data["parameters"].items():
        value = parameter["value"]
        shown = ", ".join(value) if isinstance(value, list) else json.dumps(value).strip('"')
        assert f"{name} = {shown} since {parameter['since']} ({parameter['rule']})" in text
    for credential in data["credentials"]:
        assert f"{credential['code']} {credential['kind']} {credential['name']}" in text
    for rule, citation in data["citations"].items():
        assert flat(f"{rule}: {citation}") in text


@pytest.mark.parametrize("body", ["aapc", "aapc-2026.1"])
def test_a_bundled_body_by_name(capsys: pytest.CaptureFixture[str], body: str) -> None:
    assert run(capsys, "--body", body, "--on", "2026-01-01") == run(capsys, "--on", "2026-01-01")


def test_a_pack_file_of_ones_own(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--rules", AMENDED, "--on", "2027-01-01")
    text = flat(out)
    assert code == 0
    assert text.startswith("AAPC CEU requirements, with Acme Health's 2027 amendments pack ")
    assert "acme-aapc-2027.1 (body aapc; messages name it AAPC)" in text
    assert "tier_totals = 36, 42, 44, 48, 52 since 2027-01-01 (Q-TIER)" in text
    assert "Source: Acme Health compliance memo 2026-14: two credentials, 42 CEUs" in text
    assert "CTHC specialty Certified Telehealth Coder minimum 8 (Q-SPECIALTY)" in text
    assert "Note: Invented for docs/rule-packs.md." in text


def test_floors_in_force_and_not_yet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pack = tmp_path / "ethics.toml"
    pack.write_text(
        f'[pack]\nid = "guild-ethics-1"\nextends = "{GUILD.as_posix()}"\n\n'
        '[[floors]]\nid = "ETHICS"\nrule = "G-MINIMUM"\nname = "Ethics"\nlayer = "topic"\n'
        'share = { "2026-01-01" = "0.25" }\ntopics = ["ethics"]\nproviders = "own_providers"\n',
        encoding="utf-8",
    )
    data = document(capsys, "--rules", str(pack), "--on", "2026-06-01")
    [floor] = data["floors"]
    assert floor == {
        "id": "ETHICS",
        "rule": "G-MINIMUM",
        "name": "Ethics",
        "layer": "topic",
        "share": "0.25",
        "topics": ["ethics"],
        "providers": ["Example Guild", "The Guild"],
        "since": "2026-01-01",
    }
    _, out, _ = run(capsys, "--rules", str(pack), "--on", "2026-06-01")
    assert (
        "ETHICS topic Ethics: share 0.25 of the total since 2026-01-01 records on ethics or "
        in (flat(out))
    )
    assert document(capsys, "--rules", str(pack), "--on", "2025-12-31")["floors"] == []
    _, out, _ = run(capsys, "--rules", str(pack), "--on", "2025-12-31")
    assert "Floors\n  none\n" in out


def test_a_day_before_the_first_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--on", "2007-12-31")
    assert (code, out) == (2, "")
    assert "no rules in force on 2007-12-31; its first version is in force from 2008-01-01" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--body", "ahimsa"], "--body 'ahimsa' is not a bundled body (aapc, aapc-2026.1"),
        (["--body", "aapc", "--rules", AMENDED], "not allowed with argument"),
        (["--on", "2026-13-01"], "expected a real date as YYYY-MM-DD"),
        (["--format", "html"], "invalid choice"),
        (["--out", "x.toml"], "--out goes with --export"),
        (["--export", "--on", "2026-01-01"], "leave out --on"),
        (["--export", "--format", "json"], "leave out --format"),
        (["--export", "--out", "pack.txt"], "a rule pack file ends .toml or .json"),
        (["--check", AMENDED, "--on", "2026-01-01"], "--check PATH takes no --on"),
        (["--check", AMENDED, "--export"], "not allowed with argument"),
    ],
)
def test_options_that_do_not_go_together_are_refused(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert message in err


# ------------------------------------------------------------------ check


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (AMENDED, "ok: acme-aapc-2027.1 (AAPC), 5 versions: 2008-01-01, 2012-10-01, "),
        (str(GUILD), "ok: guild-2026.1 (the Guild), 2 versions: 2020-01-01, 2026-01-01"),
        ("aapc", "ok: aapc-2026.1 (AAPC), 4 versions: 2008-01-01, "),
    ],
)
def test_check_a_valid_pack(capsys: pytest.CaptureFixture[str], path: str, line: str) -> None:
    code, out, err = run(capsys, "--check", path)
    assert (code, err) == (0, "")
    assert out.startswith(line) and out.count("\n") == 1


def test_check_lists_every_problem_with_its_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pack = tmp_path / "mine.toml"
    pack.write_text(
        '[pack]\nid = "mine-1"\nextends = "aapc"\n\n[shapes]\nstages = ["webinr"]\n\n'
        '[[credentials]]\ncode = "CPB"\nsupersedes = ["CPXX"]\nminimum = 8.5\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--check", str(pack))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "ceu-compliance: rule pack refused, 2 problems:",
        "$.shapes.stages[0]: not a stage this engine has; did you mean webinar? expected one "
        "of duplicates, future_date, window, before_certification, already_applied, approval, "
        "post_secondary, webinar, workshop",
        '$.credentials[0].minimum: a float is not allowed: write decimals as strings ("0.5") '
        "or integers, so no binary rounding creeps in",
    ]
    pack.write_text(
        '[pack]\nid = "mine-1"\nextends = "aapc"\n\n'
        '[[credentials]]\ncode = "CPB"\nsupersedes = ["CPXX"]\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--check", str(pack))
    assert (code, out) == (2, "")
    assert "$.credentials[0].supersedes[0]: not a credential of this pack" in err
    assert "CPXX" not in err  # a refusal never quotes the file (issue 9)


def test_check_a_file_that_is_not_there(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--check", "no/such/pack.toml")
    assert (code, out) == (2, "")
    assert '$: no rule pack file at "no/such/pack.toml"' in err


# ------------------------------------------------------------------ export


def test_export_writes_the_bundled_file_itself(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Comments and all: the history in its header is part of the starting point."""
    code, out, err = run(capsys, "--export")
    assert (code, err) == (0, "")
    assert out == AAPC_FILE.read_text(encoding="utf-8")
    target = tmp_path / "mine.toml"
    assert run(capsys, "--export", "--body", "aapc", "--out", str(target)) == (0, "", "")
    assert target.read_text(encoding="utf-8") == out
    assert run(capsys, "--check", str(target))[0] == 0


def test_export_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "aapc.json"
    assert run(capsys, "--export", "--out", str(target)) == (0, "", "")
    assert load_rule_pack(target) == load_rule_pack("aapc")


def test_export_a_pack_of_ones_own_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """What the pack extends is merged in: the file stands on its own."""
    code, out, _ = run(capsys, "--export", "--rules", AMENDED)
    assert code == 0
    assert "extends" not in out
    assert parse_rule_pack(out) == load_rule_pack(AMENDED)
    target = tmp_path / "whole.toml"
    run(capsys, "--export", "--rules", AMENDED, "--out", str(target))
    assert run(capsys, "--check", str(target))[1].startswith("ok: acme-aapc-2027.1 (AAPC), 5 ")


def test_export_never_overwrites(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "mine.toml"
    target.write_text("# my edits\n", encoding="utf-8")
    code, out, err = run(capsys, "--export", "--out", str(target))
    assert (code, out) == (2, "")
    assert f"{target} exists; remove it or choose another name" in err
    assert target.read_text(encoding="utf-8") == "# my edits\n"


# ------------------------------------------------------------------ docs/rule-packs.md

PAGE = REPO / "docs" / "rule-packs.md"


def console_blocks() -> list[tuple[list[str], list[str]]]:
    """Each ``console`` block of the page: the command's arguments and the lines shown."""
    blocks = re.findall(r"```console\n\$ ceu-compliance (.*?)\n(.*?)```", PAGE.read_text(), re.S)
    return [(command.split(), shown.splitlines()) for command, shown in blocks]


def shows(shown: list[str], lines: list[str]) -> bool:
    """Whether ``lines`` are ``shown``, where a line "..." stands for any lines."""
    pattern = "\n".join(".*?" if line == "..." else re.escape(line) for line in shown)
    return re.fullmatch(pattern, "\n".join(lines), re.S) is not None


@pytest.mark.parametrize(("argv", "shown"), console_blocks(), ids=lambda v: " ".join(v)[:60])
def test_the_page_shows_what_the_commands_print(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    shown: list[str],
) -> None:
    monkeypatch.chdir(REPO)
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert shows(shown, out.splitlines()), out


def test_the_page_shows_the_example_packs_whole() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", PAGE.read_text(), re.S)
    for pack in sorted((REPO / "examples" / "packs").glob("*.toml")):
        assert pack.read_text(encoding="utf-8") in blocks, pack.name


def test_the_page_names_every_key_and_parameter() -> None:
    text = PAGE.read_text()
    models: list[type[BaseModel]] = [
        PackInfo,
        Shapes,
        Parameter,
        CredentialEntry,
        FloorEntry,
        RulePack,
    ]
    keys = {key for model in models for key in model.model_fields}
    keys |= set(GENERAL) | set(OPTIONAL) | set(STAGES) | set(CAPS)
    keys |= {p for group in (*STAGES.values(), *CAPS.values(), *TOTALS.values()) for p in group}
    missing = sorted(key for key in keys if f"`{key}`" not in text)
    assert not missing, f"docs/rule-packs.md does not explain {missing}"
