"""Running assets from the notebook: progress, values bound, failures shown.

Responsibilities:
- Run a selection of the kernel registry with text progress, bind each
  materialized value in the notebook namespace under its Python name, and
  raise ``RunFailedError`` (trimmed tracebacks) when an asset failed.
- Say what a run would do (``--dry-run``), and what "bring the notebook up to
  date" selects.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

from IPython.core.error import UsageError

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.engine.materialize import materialize, plan_materialization
from nbassets.engine.plan import Plan
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.errors import NbAssetsError
from nbassets.graph.registry import Registry
from nbassets.graph.topology import upstream_closure
from nbassets.notebook.cell_body import python_name
from nbassets.notebook.failures import RunFailedError, format_failure
from nbassets.notebook.progress import TextProgress

__all__ = ["describe_plan", "out_of_date", "run_in_notebook", "with_missing_upstreams"]

NOT_UP_TO_DATE = ("missing", "stale", "failed", "skipped")


def _runnable(registry: Registry, key: AssetKey) -> bool:
    entry = registry.definition_for(key)
    return isinstance(entry, AssetsDefinition) and entry.partitions_def is None


def out_of_date(registry: Registry) -> list[AssetKey]:
    """Unpartitioned assets that are missing, stale, failed or skipped, in graph order."""
    return [
        key
        for key in registry.keys()
        if _runnable(registry, key) and registry.status(key) in NOT_UP_TO_DATE
    ]


def with_missing_upstreams(registry: Registry, key: AssetKey) -> set[AssetKey]:
    """``key`` plus every ancestor that must run first because it is not up to date."""
    ancestors = upstream_closure(registry.graph, [key]) - {key}
    needed = {
        a
        for a in ancestors
        if a in registry and _runnable(registry, a) and registry.status(a) in NOT_UP_TO_DATE
    }
    return needed | {key}


def bind_values(user_ns: dict[str, Any], values: Mapping[AssetKey, Any]) -> None:
    """Make each value available in the notebook under the asset's Python name."""
    for key, value in values.items():
        name = python_name(key.to_user_string())
        if name.isidentifier():
            user_ns[name] = value


def run_in_notebook(
    registry: Registry,
    user_ns: dict[str, Any],
    *,
    selection: Any,
    run_config: Any = None,
    tags: Mapping[str, str] | None = None,
    executor: str | None = None,
    partition_key: str | None = None,
    raise_on_error: bool = True,
    stream: Any = None,
) -> ExecuteInProcessResult:
    """Materialize ``selection`` with progress lines; bind values; raise on failure."""
    progress = TextProgress(stream or sys.stdout)
    try:
        result = materialize(
            selection=selection,
            run_config=run_config,
            tags=tags,
            executor=executor,
            partition_key=partition_key,
            raise_on_error=False,
            registry=registry,
            listeners=[progress],
        )
    except KeyboardInterrupt:
        progress.stream.write(f"Interrupted: {progress.summary()}; finished values are kept.\n")
        raise
    except NbAssetsError as error:
        raise UsageError(str(error)) from error
    bind_values(user_ns, result.asset_values)
    if len(result.get_step_success_events()) + len(result.get_step_failure_events()) > 1 or (
        not result.success
    ):
        progress.stream.write(progress.summary() + "\n")
        progress.stream.flush()
    if raise_on_error and not result.success:
        raise RunFailedError(format_failure(result), result)
    return result


def describe_plan(plan: Plan) -> str:
    """The steps a run would take, in order, with where each input comes from."""
    if not plan.steps:
        return "Nothing to run: the selection has no materializable asset."
    lines = [f"Plan: {len(plan.steps)} step(s)"]
    for number, step in enumerate(plan.steps, 1):
        sources = ", ".join(
            f"{i.key.to_user_string()} ({'this run' if i.from_run else 'stored'})"
            for i in step.inputs
        )
        part = f" [partition {step.partition_key}]" if step.partition_key else ""
        kind = "check " if step.kind == "check" else ""
        lines.append(
            f"{number:>3}. {kind}{step.label}{part}" + (f"  <- {sources}" if sources else "")
        )
    return "\n".join(lines)


def dry_run(registry: Registry, **kwargs: Any) -> str:
    try:
        return describe_plan(plan_materialization(registry=registry, **kwargs))
    except NbAssetsError as error:
        raise UsageError(str(error)) from error


def names(keys: Iterable[AssetKey]) -> str:
    return ", ".join(k.to_user_string() for k in keys)
