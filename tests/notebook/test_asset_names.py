"""Asset names that would break the notebook, or that Python reads differently."""

from __future__ import annotations

import pytest

from nbassets import AssetKey


@pytest.mark.parametrize(
    "name", ["__builtins__", "In", "Out", "get_ipython", "exit", "print", "nbassets", "_",
             "_3", "_i3", "sum"],
)
def test_a_name_that_shadows_the_notebooks_own_is_refused(shell, name) -> None:
    error = shell.error(f"%%asset {name}\n1")
    assert f"would replace the notebook's own `{name}`" in str(error)
    assert "Choose another name" in str(error)
    assert name not in [k.to_user_string() for k in shell.registry.keys()]
    shell.ok("print(len([1]))")  # the notebook still works


def test_an_inferred_name_that_shadows_is_refused_too(shell) -> None:
    error = shell.error("%%asset\nprint = 1")
    assert "would replace the notebook's own `print`" in str(error)


def test_a_name_python_normalizes_gets_the_key_downstream_cells_read(shell) -> None:
    shell.ok("%%asset \ufb01le\n3")  # the 'fi' ligature: Python reads `file`
    assert AssetKey("file") in shell.registry
    shell.ok("%%asset\ntwice = file * 2")
    assert shell.ns["twice"] == 6
