"""Shared test helpers: hypothesis profiles, the binding rule IDs and where the
scenario files live."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import settings

TESTS_DIR = Path(__file__).parent
SCENARIO_DIR = TESTS_DIR / "scenarios"

# Hypothesis settings for every property test, chosen by CEU_HYPOTHESIS_PROFILE:
# "dev" (the default) for a quick run on a developer's machine, "ci" (.ci/run)
# for more examples. No deadline: one evaluation solves exact LPs, whose time
# varies with the member and the machine; benchmarks/ measures speed instead.
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("CEU_HYPOTHESIS_PROFILE", "dev"))

# The rule IDs of RULES.md (shared/spec). Hard-coded so that the suite runs
# without the shared spec checkout; test_rules.py checks this list against
# RULES.md whenever the file is available.
RULE_IDS: tuple[str, ...] = (
    "P-PERIOD",
    "P-RENEWAL-MONTH",
    "P-NO-CARRY",
    "P-BEFORE-CERT",
    "P-EXTENSION",
    "Q-TIER",
    "P-PRORATE",
    "Q-CIRCC",
    "Q-CPMA",
    "Q-CPCO",
    "Q-CPPM",
    "Q-CDEO",
    "Q-SPECIALTY",
    "Q-REST",
    "Q-CONCURRENT",
    "E-APPROVED",
    "E-DUPLICATE",
    "E-CMS",
    "E-WORKSHOP",
    "E-WEBINAR",
    "E-CONFERENCE",
    "E-INSTRUCTOR",
    "E-POSTSECONDARY",
    "E-PROVIDER-LIST",
    "P-REVOKE",
    "P-AUDIT",
    "PL-MIN",
    "H-SPLIT",
)

# The rules the evaluation report implements; PL-MIN and H-SPLIT belong to the
# completion plan and the history, which other test files cover.
REPORT_RULE_IDS: tuple[str, ...] = tuple(r for r in RULE_IDS if r not in {"PL-MIN", "H-SPLIT"})


def interchange_member() -> dict[str, Any]:
    """A fresh copy of INTERCHANGE.md's example member (kept in its scenario file)."""
    scenario = SCENARIO_DIR / "the_interchange_example_reports_as_documented.json"
    member: dict[str, Any] = json.loads(scenario.read_text(encoding="utf-8"))["member"]
    return member
