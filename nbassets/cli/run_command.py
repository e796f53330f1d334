"""What ``nbassets run`` does once the notebook's assets are defined.

Responsibilities:
- ``--list``: each asset with its group and status (text or JSON lines).
- ``--dry-run``: the plan, nothing run.
- Otherwise materialize the selection (default: everything missing or stale)
  with one progress line per step on stderr (or JSON lines on stdout), the
  user's traceback for each failure, and a summary line.
- Decide the exit code (see ``ExitCode``).

It runs wherever the definitions are: in this process, or inside a Jupyter
kernel for ``--kernel`` (so it takes streams, not ``sys``'s, and returns a code).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from nbassets.errors import NbAssetsError
from nbassets.graph.registry import Registry
from nbassets.notebook.line_options import RunRequest

__all__ = ["ExitCode", "RunOptions", "UsageProblem", "act"]


class ExitCode(enum.IntEnum):
    """``nbassets run``'s exit codes (the README's table)."""

    OK = 0
    STEP_FAILED = 1
    USAGE = 2
    DEFINITION_FAILED = 3
    INTERRUPTED = 130


class UsageProblem(NbAssetsError):
    """Raised for a mistake on the command line (exit code 2)."""


@dataclass(frozen=True)
class RunOptions(RunRequest):
    """``nbassets run``'s options: a run request (as ``%materialize``'s), --list, --format."""

    list_assets: bool = False
    output_format: str = "text"

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @staticmethod
    def from_json(text: str) -> RunOptions:
        return RunOptions(**json.loads(text))


def _usage(error: BaseException) -> UsageProblem:
    text = str(error).replace("%materialize: ", "").replace("%materialize?", "nbassets run --help")
    return UsageProblem(text)


def _list(registry: Registry, options: RunOptions, out: TextIO) -> None:
    rows: list[dict[str, Any]] = []
    for key in registry.keys():
        entry: Any = registry.definition_for(key)
        groups = getattr(entry, "group_names_by_key", {})
        rows.append(
            {
                "asset": key.to_user_string(),
                "group": groups.get(key, "default") if isinstance(groups, Mapping) else "default",
                "status": str(registry.status(key)),
                "partitioned": getattr(entry, "partitions_def", None) is not None,
            }
        )
    if options.output_format == "json":
        for row in rows:
            out.write(json.dumps(row) + "\n")
        return
    width = max([len(r["asset"]) for r in rows] + [5])
    out.write(f"{'asset':<{width}}  {'group':<12}  status\n")
    for row in rows:
        part = " (partitioned)" if row["partitioned"] else ""
        out.write(f"{row['asset']:<{width}}  {row['group']:<12}  {row['status']}{part}\n")


def _prepare(
    registry: Registry, namespace: Mapping[str, Any], options: RunOptions, selection: Any
) -> Any:
    """Resolve the selection once, build the run config, and prepare the run (exit 2 if bad)."""
    from IPython.core.error import UsageError

    from nbassets.engine.prepare import prepare_run, select_run
    from nbassets.notebook.line_options import parse_config, partition_arguments
    from nbassets.notebook.runs import notebook_resources

    try:
        chosen = select_run(selection, registry=registry)
        keys = chosen.keys
        single = next(iter(keys)).to_python_identifier() if len(keys) == 1 else None
        run_config = parse_config(options.config, namespace, single) if options.config else None
        return prepare_run(
            selection=chosen,
            run_config=run_config,
            resources=notebook_resources(registry, namespace),
            tags=options.tags,
            executor=options.executor,
            registry=registry,
            **partition_arguments(options),
        )
    except (UsageError, NbAssetsError) as error:
        raise _usage(error) from error


def _default_selection(registry: Registry) -> list[Any]:
    from nbassets.notebook.runs import out_of_date

    return list(out_of_date(registry))


def _failed(result: Any) -> bool:
    if result.get_step_failure_events() or result.get_skipped_step_keys():
        return True
    for event in result.all_events:
        data = event.data
        if event.is_asset_check_evaluation and data.blocking and not data.passed:
            return True
    return False


def act(
    registry: Registry,
    namespace: dict[str, Any],
    options: RunOptions,
    out: TextIO,
    err: TextIO,
) -> int:
    """List, plan or run the defined assets; return the exit code."""
    from nbassets.cli.headless import name_cells
    from nbassets.cli.json_events import JsonLines
    from nbassets.engine.execute import execute
    from nbassets.notebook.failures import format_failure
    from nbassets.notebook.progress import TextProgress, dashboard_line
    from nbassets.notebook.runs import describe_plan, step_labels

    if options.list_assets:
        _list(registry, options, out)
        return ExitCode.OK
    selection: Any = options.selection
    if selection is None:
        selection = _default_selection(registry)
        if not selection:
            err.write("Everything is up to date: nothing to run.\n")
            return ExitCode.OK
    prepared = _prepare(registry, namespace, options, selection)
    if options.dry_run:
        out.write(describe_plan(prepared.plan) + "\n")
        return ExitCode.OK
    text = TextProgress(err, labels=lambda: step_labels(registry))
    dashboard = dashboard_line(prepared.executor)
    if dashboard is not None:
        err.write(dashboard + "\n")
    listeners: list[Any] = [text]
    if options.output_format == "json":
        listeners.append(JsonLines(out, lambda: step_labels(registry)))
    try:
        result = execute(prepared, listeners, raise_on_error=False)
    except KeyboardInterrupt:
        err.write(f"Interrupted: {text.summary()}; nothing after this point ran.\n")
        return ExitCode.INTERRUPTED
    failed = _failed(result)
    if failed:
        report = format_failure(result, step_labels(registry))
        if report:
            err.write(name_cells(report) + "\n")
    err.write(text.summary() + "\n")
    return ExitCode.STEP_FAILED if failed else ExitCode.OK
