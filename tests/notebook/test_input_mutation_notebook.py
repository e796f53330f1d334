"""In a real IPython shell: a cell that changes its input in place is told so, and heals."""

from __future__ import annotations

import warnings
from typing import Any

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


def _notebook(*sources: str) -> Any:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


@pytest.mark.kernel
def test_a_real_kernel_says_it_once_in_the_progress(kernel_name, tmp_path) -> None:
    from tests.notebook.conftest import execute_notebook, text_of

    start = ("%load_ext nbassets", "%%asset\nup = [1, 2, 3]")
    nb = execute_notebook(
        _notebook(*start, "%%asset\nup.append(99)\ndown = len(up)"), kernel_name, str(tmp_path)
    )
    said = text_of(nb.cells[2])
    assert said.count("'down' changed its input 'up' in place") == 1, said
    assert "warning: 'down' changed its input" in said  # the progress row says it
    # A user who made the warning an error gets the error, as Python would raise it.
    strict = _notebook(
        *start,
        "import warnings\nfrom nbassets import InputChangedWarning\n"
        "warnings.simplefilter('error', InputChangedWarning)",
        "%%asset\nup.append(99)\ndown = len(up)",
    )
    with pytest.raises(Exception, match="InputChangedWarning: 'down' changed its input"):
        execute_notebook(strict, kernel_name, str(tmp_path))
