"""Several definitions from one cell: one source id per definition a cell run makes.

Responsibilities:
- ``source_id(shell, cell_id)``: the first definition a run of a cell makes is
  registered under the cell id (so a renamed cell drops its old asset), the next
  ones under ``cell_id#1``, ``cell_id#2``...; a loop of ``run_cell_magic("asset",
  ...)`` in one cell keeps every asset it defines.
- After the cell, remove the assets an earlier run of it defined under
  ``cell_id#N`` that this run did not define again (a shorter loop).
"""

from __future__ import annotations

import re
from typing import Any

from nbassets.definitions.assets import AssetsDefinition

__all__ = ["source_id"]

_ATTR = "_nbassets_cell_sources"


class CellSources:
    """How many definitions each cell made in the running execution."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def next_id(self, cell_id: str) -> str:
        count = self.counts.get(cell_id, 0)
        self.counts[cell_id] = count + 1
        return cell_id if count == 0 else f"{cell_id}#{count}"

    def start(self, _info: Any = None) -> None:
        self.counts = {}

    def finish(self, _result: Any = None) -> None:
        from nbassets.graph.registry import get_registry

        counts, self.counts = self.counts, {}
        registry = get_registry()
        for cell_id, made in counts.items():
            pattern = re.compile(rf"{re.escape(cell_id)}#(\d+)")
            for definition in registry.definitions:
                if not isinstance(definition, AssetsDefinition):
                    continue
                match = pattern.fullmatch(str(definition.origin.get("cell_id") or ""))
                if match and int(match.group(1)) >= made:
                    registry.remove(next(iter(definition.keys)))


def source_id(shell: Any, cell_id: str | None) -> str | None:
    """The source id for the next definition the running cell ``cell_id`` makes."""
    if not cell_id:
        return None
    sources: CellSources | None = getattr(shell, _ATTR, None)
    if sources is None:
        sources = CellSources()
        setattr(shell, _ATTR, sources)
        shell.events.register("pre_run_cell", sources.start)
        shell.events.register("post_run_cell", sources.finish)
    return sources.next_id(cell_id)
