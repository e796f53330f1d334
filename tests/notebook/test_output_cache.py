"""Re-runs keep the kernel's memory flat: IPython's Out[N] holds no asset value; `;` works."""

from __future__ import annotations

import gc

import pytest

from nbassets import AssetKey

BIG = """
import weakref

class Big:
    alive = weakref.WeakSet()

    def __init__(self):
        Big.alive.add(self)
        self.payload = bytearray(1_000_000)
"""


def _alive(shell) -> int:
    gc.collect()
    return len(shell.ns["Big"].alive)


def test_rerunning_an_asset_cell_and_materialize_keeps_one_value_alive(shell) -> None:
    shell.ok(BIG)
    for _ in range(4):
        shell.ok("%%asset\nbig = Big()")
    assert _alive(shell) == 1
    for _ in range(4):
        result = shell.ok("%materialize big")
        assert result.success
    assert _alive(shell) == 1
    # The result kept in Out reads the current value from the store.
    assert result.output_for_node("big") is shell.ns["big"]
    assert result.asset_values[AssetKey("big")] is shell.ns["big"]


def test_a_result_whose_value_was_removed_says_so(shell) -> None:
    shell.ok("%%asset\nsmall = [1]")
    result = shell.ok("%materialize small")
    shell.ok("%assets remove small")
    with pytest.raises(Exception, match="no longer stored .* materialize it again"):
        result.output_for_node("small")


@pytest.mark.parametrize(
    "line", ["%materialize small;", "%materialize small ;", "%assets ;", "%assets value small;"]
)
def test_a_trailing_semicolon_hides_the_output_and_is_no_syntax_error(shell, line) -> None:
    shell.ok("%%asset\nsmall = [1]")
    out = shell.ip.user_ns["Out"]
    before = len(out)
    shell.ok(line)
    assert len(out) == before
