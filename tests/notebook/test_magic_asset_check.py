"""`%%asset_check ASSET [NAME] [--blocking]` through a real IPython shell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from nbassets import AssetKey
from nbassets.notebook.failures import RunFailedError


@pytest.fixture
def nums(shell, capsys):
    shell.ok("%%asset\nnums = [1, 2, 3]")
    shell.ok("%%asset\ntotal = sum(nums)")
    capsys.readouterr()
    return shell


def test_a_check_runs_on_the_stored_value_without_rerunning_the_asset(nums, capsys):
    before = len(nums.registry.history("nums"))
    nums.ok("%%asset_check nums\nlen(nums) == 3")
    out = capsys.readouterr().out
    assert out.strip() == "Check nums:check_nums passed."
    assert len(nums.registry.history("nums")) == before
    assert nums.registry.status(AssetKey("total")) == "materialized"


def test_named_function_and_failing_checks(nums, capsys):
    nums.ok("%%asset_check nums\ndef no_negatives(nums):\n    return all(n >= 0 for n in nums)")
    nums.ok("%%asset_check nums too_long\nlen(nums) > 5")
    out = capsys.readouterr().out
    assert "Check nums:no_negatives passed." in out
    assert "Check nums:too_long FAILED." in out
    assert [c.name for c in nums.registry.checks_for(AssetKey("nums"))] == [
        "no_negatives",
        "too_long",
    ]


def test_checks_run_with_their_asset(nums, capsys):
    nums.ok("%%asset_check nums positive\nfrom nbassets import AssetCheckResult\n"
            "AssetCheckResult(passed=min(nums) > 0)")
    capsys.readouterr()
    nums.ok("%materialize nums")
    out = capsys.readouterr().out
    assert "  check nums:positive passed" in out
    assert "1 materialized, 1 check(s) passed" in out


def test_a_blocking_check_that_fails_skips_downstream(nums, capsys):
    nums.ok("%%asset_check nums short --blocking\nlen(nums) < 2")
    capsys.readouterr()
    result = nums.ok("%materialize nums+ --no-raise")
    out = capsys.readouterr().out
    assert "check nums:short FAILED" in out
    assert "↷ total  skipped:" in out
    assert not result.success


def test_a_check_on_an_unmaterialized_asset_waits(shell, capsys):
    shell.ok("%%asset --no-run\nlater = 1")
    shell.ok("%%asset_check later\nlater == 1")
    assert "it runs each time later is materialized" in capsys.readouterr().out


def test_an_exception_in_a_check_shows_its_cell_lines(nums, capsys):
    result = nums.run("%%asset_check nums boom\nx = 1\n1 / 0")
    assert isinstance(result.error_in_exec, RunFailedError)
    out = capsys.readouterr().out
    assert "Check 'nums:boom' raised:" in out
    assert "%%asset_check nums:boom, line 3, in boom" in out
    assert "nbassets/" not in out


def test_a_check_that_returns_neither_bool_nor_result(nums):
    error = nums.error("%%asset_check nums odd\n'yes'")
    assert isinstance(error, UsageError)
    assert "return True or False, or an AssetCheckResult" in str(error)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("%%asset_check\nTrue", "%%asset_check needs ASSET"),
        ("%%asset_check numz\nTrue", "Unknown asset 'numz'"),
        ("%%asset_check nums 'bad name'\nTrue", "must be a Python identifier"),
        ("%%asset_check nums --blocker\nTrue", "Unknown option '--blocker'"),
    ],
)
def test_check_mistakes(nums, cell, message):
    error = nums.error(cell)
    assert isinstance(error, UsageError)
    assert message in str(error)
    assert nums.registry.checks == []


def test_rerunning_a_check_cell_replaces_it(nums):
    nums.ok("%%asset_check nums first\nTrue", cell_id="k1")
    nums.ok("%%asset_check nums second\nTrue", cell_id="k1")
    assert [c.name for c in nums.registry.checks] == ["second"]
