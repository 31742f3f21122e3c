"""The browser tests skip without a browser, and fail instead when CI requires them.

Each case runs tests/test_browser.py in a child pytest with the browser made
missing: a PATH without chromium, or CEU_CHROMIUM naming a file that does not
exist (which wins over a chromium on the PATH).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TESTS_DIR

EMPTY_FOLDER = "{tmp_path}"
MISSING = {
    "PATH without chromium": {"PATH": EMPTY_FOLDER},
    "CEU_CHROMIUM at nothing": {"CEU_CHROMIUM": "/nonexistent/chromium"},
}


def browser_tests(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """tests/test_browser.py in a child pytest, with ``env`` over an environment without CEU_*."""
    child = {k: v for k, v in os.environ.items() if not k.startswith("CEU_")}
    child.update({k: v.format(tmp_path=tmp_path) for k, v in env.items()})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rsE", "-p", "no:cacheprovider",
         str(TESTS_DIR / "test_browser.py")],
        cwd=TESTS_DIR.parent, env=child, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("missing", MISSING.values(), ids=list(MISSING))
def test_without_a_browser_the_browser_tests_skip_saying_how_to_enable_them(
    tmp_path: Path, missing: dict[str, str]
) -> None:
    done = browser_tests(tmp_path, **missing)
    assert done.returncode == 0, done.stdout
    assert "4 skipped" in done.stdout
    assert "install chromium (apt-get install -y chromium) or set CEU_CHROMIUM" in done.stdout


@pytest.mark.parametrize("missing", MISSING.values(), ids=list(MISSING))
def test_ceu_require_browser_makes_a_missing_browser_fail(
    tmp_path: Path, missing: dict[str, str]
) -> None:
    done = browser_tests(tmp_path, CEU_REQUIRE_BROWSER="1", **missing)
    assert done.returncode == 1, done.stdout
    assert "skipped" not in done.stdout
    assert "4 errors" in done.stdout
    assert "CEU_REQUIRE_BROWSER=1 requires it" in done.stdout
