"""In a real IPython shell: a cell that changes its input in place is told so, and heals."""

from __future__ import annotations

import warnings

import pytest

from nbassets import InputChangedWarning


def test_an_asset_cell_that_appends_to_its_input(shell, capsys) -> None:
    shell.ok("%%asset\nup = [1, 2, 3]")
    with pytest.warns(InputChangedWarning, match="'down' changed its input 'up' in place"):
        assert shell.shown("%%asset\nup.append(99)\ndown = len(up)") == 4
    assert shell.registry.status(shell.registry.resolve_key("up")) == "stale"
    listing = shell.ok("%assets")
    assert "stale" in str(listing) or "stale" in capsys.readouterr().out
    # %materialize down alone reads the changed list, and says so again.
    with pytest.warns(InputChangedWarning):
        assert shell.ok("%materialize down").output_for_node("down") == 5
    # Running the cell again materializes the stale upstream first: its own value is back.
    with pytest.warns(InputChangedWarning):
        assert shell.shown("%%asset\nup.append(99)\ndown = len(up)") == 4


def test_a_cell_that_copies_first_is_quiet_and_a_frame_is_never_changed(shell) -> None:
    shell.ok("import pandas as pd")
    shell.ok("%%asset\nup = [1, 2, 3]")
    shell.ok("%%asset\nframe = pd.DataFrame({'x': [1, 2, 3]})")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert shell.shown("%%asset\nmine = list(up)\nmine.append(99)\ncopied = len(mine)") == 4
        for _ in range(3):
            assert shell.ok("%materialize copied").output_for_node("copied") == 4
        shell.ok("%%asset\nframe['y'] = 1\nframe.iloc[0, 0] = 100\nwide = int(frame['x'].sum())")
        for _ in range(3):
            assert shell.ok("%materialize wide").output_for_node("wide") == 105
    assert list(shell.registry.value("frame").columns) == ["x"]
    assert shell.registry.value("frame")["x"].tolist() == [1, 2, 3]
    assert shell.registry.value("up") == [1, 2, 3]


def test_an_asset_cell_that_writes_into_an_array_fails_with_the_fix(shell) -> None:
    shell.ok("import numpy as np")
    shell.ok("%%asset\nsignal = np.array([3.0, 1.0, 2.0])")
    error = shell.error("%%asset\nsignal.sort()\nlowest = signal[0]")
    shown = "".join(__import__("traceback").format_exception(error))
    assert "read-only" in shown
    assert "`signal = signal.copy()`" in shown
    assert shell.registry.value("signal").tolist() == [3.0, 1.0, 2.0]
    assert shell.shown("%%asset\nmine = signal.copy()\nmine.sort()\nlowest = mine[0]") == 1.0
