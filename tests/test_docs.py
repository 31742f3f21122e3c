"""Every runnable snippet in docs/ runs, and prints what the page says it prints."""

import datetime as dt
import doctest
import json
import re
from pathlib import Path
from typing import Any

import pytest

from ceu_compliance import (
    ComplianceReport,
    Explanation,
    History,
    Member,
    Plan,
    evaluate,
    plan,
)
from conftest import RULE_IDS, interchange_member

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if ">>> " in p.read_text(encoding="utf-8"))


def test_the_feature_pages_have_snippets() -> None:
    assert {p.name for p in PAGES} >= {"explain.md", "html.md"}


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_snippets_run(page: Path) -> None:
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0
    assert result.failed == 0, (
        f"{result.failed} of {result.attempted} examples in {page.name} failed"
    )


# ------------------------------------------------------------- the JSON format

FORMAT = DOCS / "format.md"
REPO = DOCS.parent


def _json_blocks(page: Path) -> list[Any]:
    text = page.read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, flags=re.S)]


def test_format_md_examples_are_what_the_library_prints() -> None:
    member, report, completion_plan = _json_blocks(FORMAT)
    as_of = dt.date(2026, 11, 26)
    assert member == interchange_member()
    assert json.loads(evaluate(member, as_of=as_of).to_json()) == report
    assert json.loads(plan(member, as_of=as_of).to_json()) == completion_plan


def _field_names(schema: dict[str, Any]) -> set[str]:
    names = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        names |= set(definition.get("properties", {}))
    return names


@pytest.mark.parametrize("model", [Member, ComplianceReport, Plan, History, Explanation])
def test_format_md_names_every_field(model: type[Any]) -> None:
    text = FORMAT.read_text(encoding="utf-8")
    schema = model.model_json_schema(mode="serialization")
    missing = sorted(
        n for n in _field_names(schema) if f"`{n}`" not in text and f'"{n}"' not in text
    )
    assert not missing, f"docs/format.md does not mention {missing}"


USER_FACING = [
    REPO / "README.md",
    *sorted(DOCS.glob("*.md")),
    REPO / "examples" / "notebook.ipynb",
    REPO / "src" / "ceu_compliance" / "packs" / "aapc-2026.1.toml",
]


@pytest.mark.parametrize("path", USER_FACING, ids=lambda p: p.name)
def test_nothing_internal_reaches_users(path: Path) -> None:
    """No file outside this repository, no seed file name, no private module as API."""
    text = path.read_text(encoding="utf-8")
    # "../../" leaves the repository from docs/; the seed is AAPC's page as a file.
    for leftover in ("INTERCHANGE", "RULES.md", "shared/", "../../", "seeds/", "000_", "(s)"):
        if leftover == "(s)":  # allowed inside a verbatim quote of AAPC's page
            text = text.replace("CEU(s)", "")
        assert leftover not in text, f"{path.name} mentions {leftover!r}"
    if path.name != "design.md":  # the design notes describe the private modules
        assert not re.search(r"ceu_compliance\._|`_[a-z]+(\.|`)", text), path.name


def test_messages_speak_of_credentials_without_parentheses() -> None:
    report = evaluate(
        interchange_member() | {"credentials": [{"code": "CPC", "earned": "2010-01-01"}]},
        as_of=dt.date(2026, 11, 26),
    )
    assert report.notes[0].startswith("1 credential held on 2025-04-01 (CPC): 36 CEUs")
    assert not any("(s)" in note for note in report.notes)


def test_rules_md_gives_every_rule_id() -> None:
    page = (DOCS / "rules.md").read_text(encoding="utf-8")
    missing = [rule for rule in RULE_IDS if not re.search(rf"\*\*[^*]*\b{rule}\b[^*]*\*\*", page)]
    assert not missing, f"docs/rules.md does not give {missing}"
