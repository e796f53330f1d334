"""Without Chromium the browser tests skip, saying how to get one; under CI they fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CONFTEST = """
from tests.conftest import pytest_collection_modifyitems, pytest_terminal_summary
from tests.widgets.conftest import browser
"""
TESTS = """
import pytest

@pytest.mark.browser
def test_needs_a_browser(browser):
    pass

def test_plain():
    pass
"""


def run_without_chromium(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_x.py").write_text(TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    browser: a browser test\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["NBASSETS_CHROMIUM"] = str(tmp_path / "no-such-chromium")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )


def test_without_chromium_browser_tests_skip_and_the_summary_says_so(tmp_path: Path) -> None:
    done = run_without_chromium(tmp_path, ci=False)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 1 skipped" in done.stdout
    assert "1 browser test(s) did NOT run: no Chromium found" in done.stdout
    assert "apt-get install chromium" in done.stdout and "NBASSETS_CHROMIUM" in done.stdout


def test_under_ci_a_missing_chromium_fails_the_browser_tests(tmp_path: Path) -> None:
    done = run_without_chromium(tmp_path, ci=True)
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 passed" in done.stdout or "1 passed, 1 error" in done.stdout
    assert "cannot run under CI" in done.stdout
