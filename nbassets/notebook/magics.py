"""The magics: ``%%asset``, ``%%asset_check``, ``%materialize`` and ``%assets``.

Responsibilities:
- Parse each line first (mistakes raise ``UsageError``), then call the
  definition builders, the engine and the views; nothing here executes steps.
- Autorun: after an ``%%asset`` cell, materialize it (and any upstream that is
  not up to date), show a one-line summary and return the value.
"""

from __future__ import annotations

import sys
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.display import display

from nbassets.definitions.keys import AssetKey
from nbassets.engine import select_run
from nbassets.errors import MissingUpstreamError, NbAssetsError
from nbassets.graph.registry import get_registry
from nbassets.graph.topology import downstream_closure
from nbassets.notebook import assets_command
from nbassets.notebook.advice import usage_error
from nbassets.notebook.cell_body import python_name
from nbassets.notebook.cell_options import asset_arguments, asset_check_arguments
from nbassets.notebook.cell_sources import source_id
from nbassets.notebook.cell_traceback import cell_filename
from nbassets.notebook.cells import define_asset_cell, define_check_cell
from nbassets.notebook.displays import partition_display
from nbassets.notebook.line_options import (
    parse_config,
    parse_materialize_line,
    partition_arguments,
)
from nbassets.notebook.persist_commands import remember_source, restore_current
from nbassets.notebook.progress import describe_value, metadata_summary
from nbassets.notebook.runs import (
    dry_run,
    evaluate_check,
    names,
    out_of_date,
    run_in_notebook,
    unbind_values,
    with_missing_upstreams,
)
from nbassets.notebook.state import state_of

__all__ = ["NbAssetsMagics"]


def _when(timestamp: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


@magics_class
class NbAssetsMagics(Magics):
    """nbassets' magics; ``%load_ext nbassets`` registers them."""

    @property
    def _ip(self) -> Any:
        # IPython types Magics.shell as optional; a registered magic always has one.
        assert self.shell is not None
        return self.shell

    @property
    def _ns(self) -> dict[str, Any]:
        return self._ip.user_ns  # type: ignore[no-any-return]

    @asset_arguments
    @cell_magic
    def asset(self, line: str, cell: str) -> Any:
        """Define (or replace) an asset from the cell body, then materialize it."""
        state = state_of(self._ip)
        registry = get_registry()
        before = set(registry.keys())
        stored = dict(getattr(registry.instance.io_manager, "values", {}))
        definition, options = define_asset_cell(
            registry, line, cell, self._ns, cell_id=source_id(self._ip, state.cell_id)
        )
        key = next(iter(definition.keys))
        version = definition.effective_code_version(key)
        state.sources.setdefault(key, {})[version or ""] = cell
        remember_source(registry, key, version, cell)
        state.cell_numbers[cell_filename(key.to_user_string())] = self._cell_number()
        gone = before - set(registry.keys())
        if gone:
            unbind_values(self._ns, {k: stored.get((k, None)) for k in gone})
            print(
                f"Removed {names(sorted(gone))}: this cell defined it before and now defines "
                f"{key.to_user_string()}."
            )
        name = key.to_user_string()
        why = ""
        if definition.partitions_def is not None:
            why = (
                f"partitioned: %materialize {name} --partition KEY runs one partition, "
                "--partitions START...END a range"
            )
        elif options.no_run:
            why = f"--no-run: %materialize {name} runs it"
        elif not state.autorun:
            why = f"autorun is off: %materialize {name} runs it, %assets config autorun=on"
        untracked = self._untracked(definition)
        if why:
            print(f"Defined {name} ({why}).{untracked}{self._stale_note(key)}")
            if definition.partitions_def is not None:
                # In Jupyter, the partitions to pick from and materialize; nothing in terminals.
                return partition_display(registry, key, self._ns)
            return None
        restored = restore_current(registry, key)
        if restored is not None:
            # Same code, same inputs as the stored materialization: load, do not recompute.
            try:
                value = registry.value(key)
            except MissingUpstreamError:
                registry.status_changed([key])  # its file is gone (warned): compute it below
            else:
                self._ns[python_name(key.to_user_string())] = value
                print(
                    f"{name} · materialized (restored from {_when(restored.timestamp)}) · "
                    f"{describe_value(value)}{self._stale_note(key)}"
                )
                return value
        result = run_in_notebook(
            registry, self._ns, selection=sorted(with_missing_upstreams(registry, key))
        )
        value = result.asset_values.get(key)
        print(self._summary(key, result, value) + untracked + self._stale_note(key))
        if value is not None:
            # Shown, not returned: IPython's Out[N] would keep every run's value alive.
            display(value)  # type: ignore[no-untyped-call]
        return None

    def _untracked(self, definition: Any) -> str:
        from nbassets.notebook.waiting import untracked_variables

        names = untracked_variables(definition, self._ns)
        if not names:
            return ""
        return (
            f" · reads notebook variable(s) {', '.join(names)}: not tracked, changing them does "
            "not make it stale"
        )

    def _cell_number(self) -> int:
        """The N of ``In[N]`` for the running cell, as IPython's tracebacks number it."""
        # IPython registers each cell's code under its number just before running it.
        numbers = getattr(getattr(self._ip, "compile", None), "_filename_map", None)
        if numbers:
            return int(next(reversed(numbers.values())))
        return int(self._ip.execution_count)

    def _summary(self, key: AssetKey, result: Any, value: Any) -> str:
        registry = get_registry()
        record = registry.instance.get_latest_materialization_event(key)
        parts = [key.to_user_string()]
        if record is not None:
            parts.append(f"materialized in {record.duration:.3f}s")
        parts.append(describe_value(value))
        parents = registry.graph.parents(key)
        if parents:
            parts.append("upstream: " + ", ".join(p.to_user_string() for p in parents))
        if record is not None and record.metadata:
            parts.append(metadata_summary(record.metadata))
        return " · ".join(parts)

    def _stale_note(self, key: AssetKey) -> str:
        registry = get_registry()
        graph = registry.graph
        downstream = downstream_closure(graph, [key], include_self=False)
        stale = sorted(
            (k for k in downstream if k in registry and registry.status(k) == "stale"),
            key=graph.index,
        )
        if not stale:
            return ""
        names = ", ".join(k.to_user_string() for k in stale)
        return f"\nNow stale downstream: {names}. Run %materialize to bring them up to date."

    @asset_check_arguments
    @cell_magic
    def asset_check(self, line: str, cell: str) -> Any:
        """Define a check on an asset; the body sees the asset's value under its name.

        With autorun on and the asset materialized, the check runs at once on the
        stored value (the asset itself is not re-run).
        """
        state = state_of(self._ip)
        registry = get_registry()
        check = define_check_cell(
            registry, line, cell, self._ns, cell_id=source_id(self._ip, state.cell_id)
        )
        label = check.check_key.to_user_string()
        filename = cell_filename(f"{check.asset_key.to_user_string()}:{check.name}")
        state.cell_numbers[filename] = self._cell_number()
        if not state.autorun or registry.status(check.asset_key) != "materialized":
            print(
                f"Defined check {label}; it runs each time "
                f"{check.asset_key.to_user_string()} is materialized."
            )
            return None
        passed = evaluate_check(registry, check, self._ns)
        print(f"Check {label} {'passed' if passed else 'FAILED'}.")
        return None

    @line_magic
    def materialize(self, line: str) -> Any:
        """Materialize a selection of assets in memory.

        Usage: %materialize [SELECTION] [--partition KEY | --partitions START...END|A,B,C]
        [--config JSON|NAME] [--tags k=v ...]
        [--executor in_process|threads[:N]|dask[:ADDRESS]] [--dry-run] [--no-raise]

        SELECTION uses Dagster's syntax: `orders+`, `+revenue`, `*report`,
        `group:sales`, `key:sales/*`, `tag:k=v`, `status:stale`, `roots(...)`,
        `sinks(...)`, with `and`, `or`, `not`. Without a selection, everything
        missing or stale is materialized. Returns the ExecuteInProcessResult.
        """
        quiet, line = _output_semicolon(line)
        options = parse_materialize_line(line)
        registry = get_registry()
        selection: Any = options.selection
        if selection is None:
            todo = out_of_date(registry)
            if not todo:
                print("Everything is up to date.")
                return None
            selection = todo
        partitions = partition_arguments(options)
        run_config = None
        if options.config:
            # Config given for one asset may leave out its name: resolve the selection
            # first (once; the run reuses it) to learn whether it names a single asset.
            try:
                selection = select_run(selection, registry=registry)
            except NbAssetsError as error:
                raise usage_error(error) from error
            single = selection.single_key if options.selection is not None else None
            name = single.to_python_identifier() if single is not None else None
            run_config = parse_config(options.config, self._ns, name)
        if options.dry_run:
            print(
                dry_run(
                    registry,
                    self._ns,
                    selection=selection,
                    run_config=run_config,
                    **partitions,
                )
            )
            return None
        result = run_in_notebook(
            registry,
            self._ns,
            selection=selection,
            run_config=run_config,
            tags=options.tags,
            executor=options.executor,
            raise_on_error=not options.no_raise,
            **partitions,
        )
        return None if quiet else result

    @line_magic
    def assets(self, line: str) -> Any:
        """List, show and manage assets.

        Usage: %assets                       the catalog
               %assets show KEY              status (and why stale), value, definition
               %assets value KEY             the stored value
               %assets history KEY           materializations
               %assets lineage [SELECTION]   the lineage graph
               %assets remove KEY | reset    forget one asset, or all
               %assets accept KEY            mark a stale asset fresh without running it
               %assets debug KEY             bind its inputs and put its body in a new cell
               %assets config [autorun=on|off]
               %assets persist [DIR|off] [--keep N]   values on disk, restored after a restart
               %assets wipe [KEY]            delete stored values
               %assets value KEY --version ID        an older stored value
               %assets export dagster PATH [--dg-defs]   a Dagster module of these assets
        """
        quiet, line = _output_semicolon(line)
        shown = assets_command.run(self._ip, line, sys.stdout)
        return None if quiet else shown


def _output_semicolon(line: str) -> tuple[bool, str]:
    """Whether ``line`` ends with the ``;`` users type to hide output, and the line without it.

    For a magic, IPython hands the ``;`` to the magic with the line and does not
    hide the output itself (it looks at the transformed code), so the magic does.
    """
    stripped = line.rstrip()
    if not stripped.endswith(";"):
        return False, line
    return True, stripped.rstrip(";").rstrip()
