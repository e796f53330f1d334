"""The registry, the asset graph, traversals and selections.

``from nbassets import graph`` gives this package, and it is also Dagster's ``@graph``
decorator: the package's module object is callable (``@graph``, ``@graph(name=...)``),
so the public name and the internal package share one import path without either
shadowing the other (``import nbassets.graph.registry`` keeps working).
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    """This package, callable as Dagster's ``graph`` decorator."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from nbassets.definitions.graphs import graph

        return graph(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
