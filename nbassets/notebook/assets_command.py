"""``%assets`` and its subcommands.

Responsibilities:
- Dispatch ``%assets [SUBCOMMAND] [ARGS]`` with a "did you mean" for typos.
- Each subcommand reads or changes the registry and returns what to display.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from IPython.core.error import UsageError

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.errors import NbAssetsError, did_you_mean
from nbassets.graph.registry import Registry, get_registry
from nbassets.notebook.advice import usage_error
from nbassets.notebook.cell_body import python_name
from nbassets.notebook.displays import asset_display, partition_display
from nbassets.notebook.line_options import split_line
from nbassets.notebook.live_views import remember
from nbassets.notebook.persist_commands import (
    history_from_store,
    persist_command,
    stored_sources,
    value_version,
    wipe_command,
)
from nbassets.notebook.state import state_of
from nbassets.notebook.text_views import Catalog, History

__all__ = ["run"]

Handler = Callable[[Any, Registry, list[str], TextIO], Any]


def _one_key(registry: Registry, args: list[str], command: str) -> AssetKey:
    if len(args) != 1:
        raise UsageError(f"%assets {command} takes one asset key, e.g. %assets {command} orders.")
    try:
        return registry.resolve_key(args[0])
    except NbAssetsError as error:
        raise usage_error(error) from error


def _show(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    key = _one_key(registry, args, "show")

    def sources(shown: AssetKey) -> dict[str, str]:
        return {**stored_sources(registry, shown), **state_of(shell).sources.get(shown, {})}

    view = asset_display(registry, key, sources)
    # Both follow the registry until this cell runs again.
    remember(view)
    if getattr(registry.definition_for(key), "partitions_def", None) is not None:
        picker = partition_display(registry, key, shell.user_ns)
        if picker is not None:
            remember(picker.picker)
            from IPython.display import display

            display(view)  # type: ignore[no-untyped-call]
            return picker
    return view


def _value(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    partition = None
    if "--version" in args:
        at = args.index("--version")
        if at + 1 >= len(args):
            raise UsageError("%assets value KEY --version ID: the version id is missing.")
        version = args[at + 1]
        key = _one_key(registry, args[:at] + args[at + 2 :], "value")
        return value_version(registry, key, version)
    if "--partition" in args:
        at = args.index("--partition")
        if at + 1 >= len(args):
            raise UsageError("%assets value KEY --partition P: the partition key is missing.")
        partition = args[at + 1]
        args = args[:at] + args[at + 2 :]
    key = _one_key(registry, args, "value")
    try:
        return registry.value(key, partition=partition)
    except NbAssetsError as error:
        raise usage_error(error) from error


def _history(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    key = _one_key(registry, args, "history")
    if registry.instance.store is not None:
        return history_from_store(registry, key)
    return History(registry, key)


def _remove(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    key = _one_key(registry, args, "remove")
    values = {k: registry.instance.io_manager.values.get((k, None)) for k in [key]}
    gone = registry.remove(key)
    for k in gone:
        name = python_name(k.to_user_string())
        if name in shell.user_ns and shell.user_ns[name] is values.get(k):
            del shell.user_ns[name]
    out.write(f"Removed {', '.join(k.to_user_string() for k in gone)}.\n")
    return None


def _reset(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    count = len(registry)
    store = registry.instance.store
    registry.reset()
    state_of(shell).sources.clear()
    out.write(f"Removed all {count} assets and their values.\n")
    if store is not None:
        out.write(
            f"Persistence is off until %assets persist; {store.root} keeps what it stored "
            "(%assets wipe after %assets persist deletes it).\n"
        )
    return None


def _accept(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    key = _one_key(registry, args, "accept")
    try:
        registry.accept(key)
    except NbAssetsError as error:
        raise usage_error(error) from error
    out.write(f"{key.to_user_string()} is marked fresh; its value was kept as it was.\n")
    return None


def _debug(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    key = _one_key(registry, args, "debug")
    entry = registry.definition_for(key)
    if not isinstance(entry, AssetsDefinition):
        raise UsageError(f"'{key.to_user_string()}' is external: it has no body to debug.")
    bound = []
    for item in entry.inputs:
        try:
            shell.user_ns[item.name] = registry.value(item.key)
        except NbAssetsError as error:
            raise usage_error(error) from error
        bound.append(item.name)
    source = entry.origin.get("source")
    if source is None:
        import inspect

        source = inspect.getsource(entry.fn)
    if entry.origin.get("form") == "statements":
        shell.set_next_input(source, replace=False)
        where = "The body is in a new cell below: run it, or step through it with %debug."
    else:
        where = f"Call {entry.fn.__name__}({', '.join(bound)}) to step into it."
    names = ", ".join(bound) or "nothing"
    out.write(f"Bound the inputs of {key.to_user_string()}: {names}. {where}\n")
    return None


def _config(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    state = state_of(shell)
    for arg in args:
        name, _, value = arg.partition("=")
        if name != "autorun":
            raise UsageError(f"%assets config: unknown setting '{name}'. Settings: autorun=on|off.")
        if value not in ("on", "off"):
            raise UsageError(f"%assets config: autorun takes on or off; got '{value}'.")
        state.autorun = value == "on"
    out.write(f"autorun={'on' if state.autorun else 'off'}\n")
    return None


def _lineage(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    from nbassets.notebook.lineage_view import lineage_view

    try:
        return lineage_view(registry, " ".join(args) or None, shell.user_ns)
    except NbAssetsError as error:
        raise usage_error(error) from error


def _export(shell: Any, registry: Registry, args: list[str], out: TextIO) -> Any:
    usage = "%assets export dagster PATH.py [--dg-defs]"
    flags = [a for a in args if a.startswith("--")]
    rest = [a for a in args if not a.startswith("--")]
    if len(rest) != 2 or rest[0] != "dagster" or set(flags) - {"--dg-defs"}:
        raise UsageError(f"Usage: {usage} (writes a Dagster module for this notebook's assets).")
    from pathlib import Path

    from nbassets.export.notebook_export import export_session

    path = Path(rest[1]).expanduser()
    try:
        export_session(shell, path, dg_defs="--dg-defs" in flags)
    except NbAssetsError as error:
        raise UsageError(str(error)) from error
    out.write(
        f"Wrote {path}: check it with `dagster definitions validate -f {path}`, "
        f"run it with `dagster dev -f {path}`.\n"
    )
    return None


_COMMANDS: dict[str, Handler] = {
    "show": _show,
    "value": _value,
    "history": _history,
    "remove": _remove,
    "reset": _reset,
    "accept": _accept,
    "debug": _debug,
    "config": _config,
    "lineage": _lineage,
    "persist": persist_command,
    "wipe": wipe_command,
    "export": _export,
}


def run(shell: Any, line: str, out: TextIO) -> Any:
    registry = get_registry()
    tokens = split_line(line, "%assets")
    if not tokens:
        return Catalog(registry)
    command, args = tokens[0], tokens[1:]
    handler = _COMMANDS.get(command)
    if handler is None:
        raise UsageError(
            f"Unknown %assets command '{command}'.{did_you_mean(command, _COMMANDS)} "
            f"Commands: {', '.join(_COMMANDS)}."
        )
    return handler(shell, registry, args, out)
