"""Exported modules loaded as Dagster would, and nbassets' own values for the same notebook."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from typing import Any

_numbers = itertools.count()


def load_module(path: Path) -> Any:
    """Import the exported file as a fresh module."""
    name = f"exported_{path.stem}_{next(_numbers)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def nbassets_values(shell: Any, notebook: Path, **materialize: Any) -> dict[str, Any]:
    """Define the notebook in the test shell (as `nbassets run` does) and materialize it."""
    from nbassets.cli.headless import define_notebook
    from nbassets.engine.materialize import materialize as run
    from nbassets.notebook.notebook_file import read_notebook
    from nbassets.notebook.runs import notebook_resources

    defined = define_notebook(read_notebook(notebook))
    registry = shell.registry
    result = run(registry=registry, resources=notebook_resources(registry, defined.namespace),
                 **materialize)
    assert result.success
    return {k.to_user_string(): v for k, v in result.asset_values.items()}
