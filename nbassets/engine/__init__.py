"""Planning and in-process execution of asset runs.

The seam every caller uses (magics, widgets, command line, lab panel)::

    prepared = prepare_run(selection="orders+", registry=registry)   # plan, nothing runs
    draw(prepared.plan.steps)                                          # a view of the plan
    result = execute(prepared, listeners=[view])                       # run it, events to views

- ``prepare_run(...) -> PreparedRun``: resolve the selection once, validate
  partitions, resources and config, plan. ``select_run`` resolves a selection
  alone (a ``RunSelection``) for callers that need the keys before planning.
- ``execute(prepared, listeners)``: run the plan, call each listener with every
  ``RunEvent``, return an ``ExecuteInProcessResult``.
- ``materialize`` / ``materialize_to_memory``: Dagster's spelling of the two.
"""

from __future__ import annotations

from nbassets.engine.execute import RunListener, execute
from nbassets.engine.materialize import materialize, materialize_to_memory
from nbassets.engine.prepare import PreparedRun, RunSelection, prepare_run, select_run

__all__ = [
    "PreparedRun",
    "RunListener",
    "RunSelection",
    "execute",
    "materialize",
    "materialize_to_memory",
    "prepare_run",
    "select_run",
]
