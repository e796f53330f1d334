"""Cells run before their upstream: free names waiting to become assets.

Responsibilities:
- Remember, per ``%%asset`` cell, the free names it reads that are not assets
  (``origin["waiting_for"]``): notebook variables, or assets not defined yet
  because the user ran the cells out of order.
- When an asset of such a name appears, define the waiting cell again from its
  source, so the edge exists from then on (and staleness follows it), and say so.

Definitions made outside ``%%asset`` cells (``@asset`` functions) declare their
inputs themselves and never wait.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.graph.registry import Registry, RegistryEvent

__all__ = ["watch_waiting_cells"]

Redefine = Callable[[Registry, str, str, dict[str, Any], str | None], Any]

_watchers: weakref.WeakKeyDictionary[Registry, WaitingCells] = weakref.WeakKeyDictionary()


class WaitingCells:
    """A registry listener that gives waiting cells their edge when the asset appears."""

    def __init__(self, registry: Registry, user_ns: dict[str, Any], redefine: Redefine) -> None:
        self.registry = registry
        self.user_ns = user_ns
        self.redefine = redefine
        self._busy = False
        self._arrived: set[str] = set()
        registry.subscribe(self)

    def __call__(self, event: Any) -> None:
        if not isinstance(event, RegistryEvent) or event.kind != "defined":
            return
        self._arrived.update(key.path[-1] for key in event.keys)
        if self._busy:
            return  # a redefinition below published this: handled by the loop
        self._busy = True
        try:
            while self._arrived:
                arrived, self._arrived = self._arrived, set()
                for definition in self._waiting_for(arrived):
                    self._connect(definition, arrived)
        finally:
            self._busy = False

    def _waiting_for(self, names: set[str]) -> list[AssetsDefinition]:
        return [
            d
            for d in self.registry.definitions
            if isinstance(d, AssetsDefinition)
            and names.intersection(d.origin.get("waiting_for", ()))
        ]

    def _connect(self, definition: AssetsDefinition, arrived: set[str]) -> None:
        origin = definition.origin
        names = sorted(arrived.intersection(origin["waiting_for"]))
        own = ", ".join(k.to_user_string() for k in definition.keys)
        try:
            self.redefine(
                self.registry, origin["line"], origin["source"], self.user_ns, origin["cell_id"]
            )
        except Exception as error:  # noqa: BLE001 - said in the cell, never lost
            print(
                f"{own} reads {', '.join(names)}, now an asset, but could not depend on it: {error}"
            )
            return
        print(
            f"{own} now depends on {', '.join(names)} (defined after it): "
            f"%materialize {own} runs it with {'them' if len(names) > 1 else 'it'}."
        )


def watch_waiting_cells(registry: Registry, user_ns: dict[str, Any], redefine: Redefine) -> None:
    """Make sure ``registry`` connects waiting cells when their names become assets."""
    watcher = _watchers.get(registry)
    if watcher is None:
        _watchers[registry] = WaitingCells(registry, user_ns, redefine)
    else:
        watcher.user_ns = user_ns


def untracked_variables(definition: Any, user_ns: dict[str, Any]) -> list[str]:
    """Notebook variables (not modules, functions or classes) a cell reads that are not assets.

    Changing them does not make the asset stale: the summary line names them.
    """
    import types

    names = getattr(definition, "origin", {}).get("waiting_for", ())
    callables = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)
    return [n for n in names if n in user_ns and not isinstance(user_ns[n], callables)]
