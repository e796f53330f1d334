"""Export a notebook's assets to Dagster.

``to_dagster()`` gives a ``dagster.Definitions`` built from the same module text
``%assets export dagster PATH`` and ``nbassets export dagster NOTEBOOK -o PATH``
write; Dagster is imported here only, when it is called.
"""

from __future__ import annotations

import types
from typing import Any

from nbassets.export.problems import ExportError

__all__ = ["ExportError", "to_dagster"]


def to_dagster(registry: Any = None) -> Any:
    """The notebook's assets and checks as a ``dagster.Definitions``.

    The module an export would write is built (setup code from the cells run
    in this IPython session, one ``@dg.asset`` per ``%%asset`` cell) and
    executed as a fresh module; its ``defs`` is returned. So what Dagster runs
    here is exactly what the written file would run.

    Args:
        registry: The registry to export; the kernel registry when ``None``.

    Raises:
        ExportError: A cell cannot be exported (each problem names the cell).
        ImportError: Dagster is not installed (``pip install dagster``).
    """
    import dagster  # noqa: F401 - fail early, before any code is built

    from nbassets.export.notebook_export import build_module, session_cells
    from nbassets.graph.registry import get_registry

    shell = _shell()
    plain = session_cells(shell) if shell is not None else []
    namespace = shell.user_ns if shell is not None else {}
    source = build_module(
        registry if registry is not None else get_registry(),
        "the notebook",
        plain,
        {},
        {},
        namespace,
    )
    module = types.ModuleType("nbassets_dagster_export")
    code = compile(source, "<nbassets export>", "exec")
    exec(code, module.__dict__)  # noqa: S102 - the code is the module we just generated
    return module.__dict__["defs"]


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()
