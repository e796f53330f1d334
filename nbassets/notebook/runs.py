"""Running assets from the notebook: progress, values bound, failures shown.

Responsibilities:
- Run a selection of the kernel registry with live progress (the
  ``RunProgress`` widget in a frontend that renders widgets, text lines in a
  terminal), bind each materialized value in the notebook namespace under its
  Python name, and raise ``RunFailedError`` (trimmed tracebacks) when an asset
  failed.
- Find the resources the assets need: ``get_registry().resources`` first, then
  a variable of the same name in the notebook.
- Say what a run would do (``--dry-run``), and what "bring the notebook up to
  date" selects.
"""

from __future__ import annotations

import io
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from IPython.core.error import UsageError

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.engine import PreparedRun, RunSelection, execute, prepare_run
from nbassets.engine.input_guard import InputChangedWarning
from nbassets.engine.plan import Plan
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.errors import NbAssetsError, RunFailedError
from nbassets.graph.registry import Registry
from nbassets.graph.topology import upstream_closure
from nbassets.notebook.advice import usage_error
from nbassets.notebook.cell_body import python_name
from nbassets.notebook.failures import format_failure, user_traceback
from nbassets.notebook.frontend import renders_widgets
from nbassets.notebook.progress import TextProgress, dashboard_line, metadata_summary
from nbassets.storage.io_manager import InMemoryIOManager
from nbassets.storage.remote_values import fetch_remote

__all__ = [
    "describe_plan",
    "dry_run",
    "evaluate_check",
    "names",
    "notebook_resources",
    "out_of_date",
    "prepare_in_notebook",
    "run_in_notebook",
    "unbind_values",
    "with_missing_upstreams",
]

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


def unbind_values(user_ns: dict[str, Any], values: Mapping[AssetKey, Any]) -> None:
    """Remove the names ``bind_values`` bound, where they still hold those values."""
    for key, value in values.items():
        name = python_name(key.to_user_string())
        if name in user_ns and user_ns[name] is value:
            del user_ns[name]


def evaluate_check(registry: Registry, check: AssetChecksDefinition, user_ns: Any) -> bool:
    """Run one check on the stored values it reads, without re-running its asset.

    Returns whether it passed; an exception in the check's body raises
    ``RunFailedError`` with the user's trimmed traceback.
    """
    from nbassets.engine.context import build_asset_context

    try:
        kwargs = {item.name: registry.value(item.key) for item in check.inputs}
    except NbAssetsError as error:
        raise usage_error(error) from error
    resources = notebook_resources(registry, user_ns)
    for name in check.roles.resources:
        if name not in resources:
            raise UsageError(
                f"Check '{check.check_key.to_user_string()}' needs resource '{name}'. Define "
                f"`{name} = ...` in a cell above, then run this cell again."
            )
        kwargs[name] = resources[name]
    if check.roles.context is not None:
        kwargs[check.roles.context] = build_asset_context(resources=resources)
    try:
        returned = check.fn(**kwargs)
    except Exception as error:
        raise RunFailedError(
            f"Check '{check.check_key.to_user_string()}' raised:\n{user_traceback(error).rstrip()}"
        ) from None
    passed = getattr(returned, "passed", returned)
    if not isinstance(passed, bool):
        raise UsageError(
            f"Check '{check.check_key.to_user_string()}' returned {type(returned).__name__}; "
            "return True or False, or an AssetCheckResult(passed=...)."
        )
    return passed


def notebook_resources(registry: Registry, user_ns: Mapping[str, Any]) -> dict[str, Any]:
    """Resources the registry's definitions need that the notebook provides.

    ``get_registry().resources[name]`` wins; otherwise a notebook variable named
    like the resource (``db = Database(...)`` for ``--resources db``) is used.
    """
    given = dict(registry.resources)
    needs: set[str] = set()
    for entry in (*registry.definitions, *registry.checks):
        needs |= set(getattr(entry, "resource_needs", ()))
    for name in needs - set(given) - {"io_manager"}:
        if name in user_ns:
            given[name] = user_ns[name]
    return given


def _error_text(info: Any) -> str:
    error = info.exception
    return user_traceback(error) if error is not None else str(info.to_string())


def _progress_widget(prepared: PreparedRun) -> Any:
    """A ``RunProgress`` with a pending row for each planned step."""
    from nbassets.widgets.progress import RunProgress

    steps = [(s.key, s.label, s.partition_key, s.kind) for s in prepared.plan.steps]
    dashboard = getattr(prepared.executor, "dashboard_link", None) or ""
    return RunProgress(
        steps, format_error=_error_text, format_metadata=metadata_summary, dashboard=dashboard
    )


def prepare_in_notebook(
    registry: Registry,
    user_ns: Mapping[str, Any],
    *,
    selection: Any,
    run_config: Any = None,
    tags: Mapping[str, str] | None = None,
    executor: str | None = None,
    partition_key: str | None = None,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: tuple[str, str] | None = None,
) -> PreparedRun:
    """``prepare_run`` with the notebook's resources; engine errors become ``UsageError``."""
    try:
        return prepare_run(
            selection=selection,
            run_config=run_config,
            resources=notebook_resources(registry, user_ns),
            partition_key=partition_key,
            partition_keys=partition_keys,
            partition_key_range=partition_key_range,
            tags=tags,
            executor=executor,
            registry=registry,
        )
    except NbAssetsError as error:
        raise usage_error(error) from error


@contextmanager
def _said_by_the_progress() -> Iterator[None]:
    """Silence Python's copy of the warnings the run's progress already shows.

    An asset that changes its input in place gets a warning row in the progress
    (widget or text lines); the ``InputChangedWarning`` printed to stderr would say
    the same words a second time. Where the user turned the warning into an error
    (``warnings.simplefilter("error")``), it is left alone and raises.
    """
    if any(
        action == "error" and issubclass(InputChangedWarning, category)
        for action, _message, category, _module, _line in warnings.filters
    ):
        yield
        return
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=InputChangedWarning)
        yield


def run_in_notebook(
    registry: Registry,
    user_ns: dict[str, Any],
    *,
    selection: Any | RunSelection = None,
    prepared: PreparedRun | None = None,
    run_config: Any = None,
    tags: Mapping[str, str] | None = None,
    executor: str | None = None,
    partition_key: str | None = None,
    partition_keys: Sequence[str] | None = None,
    partition_key_range: tuple[str, str] | None = None,
    raise_on_error: bool = True,
    stream: Any = None,
    progress: Literal["auto", "text", "widget"] = "auto",
) -> ExecuteInProcessResult:
    """Materialize ``selection`` (or run ``prepared``) with live progress; bind values.

    The run is prepared once (``prepare_in_notebook``) and the same plan feeds the
    progress widget and the engine. ``progress="auto"`` shows the ``RunProgress``
    widget when the frontend renders widgets and no ``stream`` is given, text lines
    otherwise; ``"widget"`` always displays the widget (in the current output, e.g.
    an ``Output`` widget); ``"text"`` always writes lines to ``stream`` (stdout by
    default). Raises ``RunFailedError`` when a step failed and ``raise_on_error``.
    """
    if prepared is None:
        prepared = prepare_in_notebook(
            registry,
            user_ns,
            selection=selection,
            run_config=run_config,
            tags=tags,
            executor=executor,
            partition_key=partition_key,
            partition_keys=partition_keys,
            partition_key_range=partition_key_range,
        )
    use_widget = progress == "widget" or (
        progress == "auto" and stream is None and renders_widgets()
    )
    view: Any = None
    handle: Any = None
    # With the widget the text lines still feed its plain-text fallback (nbconvert, logs).
    buffer = io.StringIO()
    text = TextProgress(
        buffer if use_widget else (stream or sys.stdout),
        labels=lambda: step_labels(registry),
    )
    dashboard = dashboard_line(prepared.executor)
    if dashboard is not None:  # the widget links to it; text lines say it first
        text.stream.write(dashboard + "\n")
    from nbassets.widgets.logbook import logbook_for

    listeners: list[Any] = [text, logbook_for(registry)]
    try:
        if use_widget:
            from IPython.display import display

            view = _progress_widget(prepared)
            listeners.append(view)
            handle = display(view, display_id=True)  # type: ignore[no-untyped-call]
        with _said_by_the_progress():
            result = execute(prepared, listeners, raise_on_error=False)
    except KeyboardInterrupt:
        if view is not None:
            view.finish()
        text.stream.write(f"Interrupted: {text.summary()}; finished values are kept.\n")
        if use_widget:
            sys.stdout.write(f"Interrupted: {text.summary()}; finished values are kept.\n")
        raise
    except NbAssetsError as error:
        raise usage_error(error) from error
    store = registry.instance.io_manager
    if type(store) is InMemoryIOManager:
        # The result lands in IPython's Out[N] (and sys.last_value on failure): it
        # must not keep each run's values alive there, so it reads them in the store.
        result.read_values_from(store.values)
        # Values a Dask run left on its workers: the names bound below need them here,
        # so they are fetched now, together (partitions, not bound, stay there).
        materialized = result.get_asset_materialization_events()
        fetch_remote(store.values, [(e.asset_key, None) for e in materialized if not e.partition])
    bind_values(user_ns, result.asset_values)
    if len(result.get_step_success_events()) + len(result.get_step_failure_events()) > 1 or (
        not result.success
    ):
        text.stream.write(text.summary() + "\n")
        text.stream.flush()
    if view is not None:
        view.finish()
        view.text_fallback = buffer.getvalue().rstrip("\n")
        if handle is not None and progress == "auto":
            # The final rows become the static fallback that nbconvert and exports keep.
            handle.update(view)
    if not result.success:
        report = format_failure(result, step_labels(registry))
        if raise_on_error:
            raise RunFailedError(report, result)
        # --no-raise keeps "Run all" going, but the user still needs to see why (a run
        # started from a widget shows it in the widget's expandable failed row).
        if progress != "widget":
            (sys.stdout if use_widget else text.stream).write(report + "\n")
    return result


def step_labels(registry: Registry) -> dict[str, str]:
    """Engine step key -> the name the user knows, for single-asset steps and checks."""
    labels = {k.to_python_identifier(): k.to_user_string() for k in registry.keys()}
    for check in registry.checks:
        if check.multi:
            labels[check.name] = check.label
            continue
        step = f"{check.asset_key.to_python_identifier()}_{check.name}"
        labels[step] = check.check_key.to_user_string()
    return labels


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


def dry_run(registry: Registry, user_ns: Mapping[str, Any], **kwargs: Any) -> str:
    """What ``%materialize --dry-run`` prints: the plan ``prepare_in_notebook`` makes."""
    return describe_plan(prepare_in_notebook(registry, user_ns, **kwargs).plan)


def names(keys: Iterable[AssetKey]) -> str:
    return ", ".join(k.to_user_string() for k in keys)
