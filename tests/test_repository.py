"""The repository a newcomer picks up: one version, a licence, a changelog, one copy of
the examples, no tool droppings under version control."""

from __future__ import annotations

import importlib.metadata
import os
import re
import tomllib
from typing import Any

from hypothesis import settings

import ceu_compliance
from conftest import TESTS_DIR

ROOT = TESTS_DIR.parent


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def test_the_version_is_written_once_in_the_package() -> None:
    project = pyproject()
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/ceu_compliance/__init__.py"
    init = (ROOT / "src" / "ceu_compliance" / "__init__.py").read_text(encoding="utf-8")
    assert re.findall(r'^__version__ = "(.+)"$', init, re.M) == [ceu_compliance.__version__]
    assert importlib.metadata.version("ceu-compliance") == ceu_compliance.__version__


def test_the_changelog_has_an_unreleased_section_and_the_current_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    assert headings[0] == "Unreleased"
    assert ceu_compliance.__version__ in headings


def test_the_licence_is_the_mit_licence_the_metadata_declares() -> None:
    assert pyproject()["project"]["license"] == "MIT"
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n")
    assert "ceu-compliance contributors" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in licence


def test_coverage_data_is_ignored() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".coverage" in ignored


def test_the_examples_have_one_copy_which_wheels_carry() -> None:
    assert not (ROOT / "src" / "ceu_compliance" / "examples").exists()
    wheel = pyproject()["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["force-include"] == {"examples/members": "ceu_compliance/examples"}
    assert len(list((ROOT / "examples" / "members").glob("*.json"))) >= 6


def test_hypothesis_settings_come_from_the_profile_the_environment_names() -> None:
    """conftest.py registers "dev" and "ci"; .ci/run picks "ci"; tests do not repeat settings,
    but for the schema's 1,000 generated members (issue 9) and one property test."""
    name = os.environ.get("CEU_HYPOTHESIS_PROFILE", "dev")
    assert settings().max_examples == settings.get_profile(name).max_examples
    assert settings.get_profile("ci").max_examples > settings.get_profile("dev").max_examples
    assert "CEU_HYPOTHESIS_PROFILE=ci" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    overrides = {
        p.name: re.findall(r"^@settings\(", p.read_text("utf-8"), re.M)
        for p in TESTS_DIR.glob("*.py")
    }
    # The thread test runs 40 members per example; schemathesis draws per operation.
    assert {name: len(found) for name, found in overrides.items() if found} == {
        "test_properties.py": 1,
        "test_schema.py": 1,
        "test_service.py": 1,
    }
