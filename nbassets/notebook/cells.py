"""Turning an ``%%asset`` or ``%%asset_check`` cell into a registered definition.

Responsibilities:
- Parse the line, analyse the body, infer upstream assets from the free names
  that name assets (``--ins`` maps others), compile the body into a function
  whose globals are the notebook namespace, and build the definition.
- Register it under the cell's id, so re-running replaces it and renaming the
  cell's asset removes the old one; any error leaves the registry unchanged.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from IPython.core.error import UsageError

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition, asset_check
from nbassets.definitions.decorators import asset
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.policies import RetryPolicy
from nbassets.definitions.specs import AssetIn
from nbassets.errors import NbAssetsError
from nbassets.graph.registry import Registry
from nbassets.notebook.advice import usage_error
from nbassets.notebook.cell_body import (
    RESERVED_LOCALS,
    CellAnalysis,
    analyze_cell,
    compile_cell,
    python_name,
    resolve_name,
)
from nbassets.notebook.cell_options import (
    AssetCellOptions,
    parse_asset_check_line,
    parse_asset_line,
)
from nbassets.notebook.cell_traceback import cell_filename
from nbassets.notebook.code_version import code_version
from nbassets.notebook.waiting import watch_waiting_cells

__all__ = ["asset_names", "define_asset_cell", "define_check_cell"]

# Functions compiled from cells must not register themselves on creation (their
# globals say __main__); the magic registers them with the cell's id instead.
_CELL_MODULE = "nbassets.cell"


def asset_names(registry: Registry) -> dict[str, AssetKey | None]:
    """Python name -> key for every defined asset; ``None`` marks an ambiguous name."""
    names: dict[str, AssetKey | None] = {}
    for key in registry.keys():
        name = key.parts[-1]
        names[name] = None if name in names and names[name] != key else key
    return names


def _lookup(user_ns: Mapping[str, Any], dotted: str, option: str) -> Any:
    head, *rest = dotted.split(".")
    if head not in user_ns:
        raise UsageError(
            f"{option} {dotted}: no '{head}' in the notebook namespace. Define or import it in "
            "a cell above, then run this cell again."
        )
    value = user_ns[head]
    for part in rest:
        value = getattr(value, part)
    return value


def _inputs(
    analysis: CellAnalysis, options: AssetCellOptions, registry: Registry, own_key: AssetKey
) -> dict[str, AssetKey]:
    names = asset_names(registry)
    mapped = {local: AssetKey.from_user_string(k) for local, k in options.ins.items()}
    inputs: dict[str, AssetKey] = {}
    for local in analysis.input_candidates(options.resources):
        if local in mapped:
            inputs[local] = mapped[local]
        elif local in names:
            key = names[local]
            if key is None:
                matches = sorted(
                    k.to_user_string() for k in registry.keys() if k.parts[-1] == local
                )
                raise UsageError(
                    f"The name '{local}' matches several assets ({', '.join(matches)}). Say "
                    f"which one: --ins {local}={matches[0]}"
                )
            inputs[local] = key
    for local, key in mapped.items():
        inputs.setdefault(local, key)
    if own_key in inputs.values() and analysis.form == "statements":
        local = next(n for n, k in inputs.items() if k == own_key)
        raise UsageError(
            f"The cell defines '{own_key.to_user_string()}' and also reads '{local}', the asset "
            "itself. To refine an asset, give the new one its own name: "
            f"%%asset {python_name(own_key.to_user_string())}_clean"
        )
    return inputs


def _partitions(options: AssetCellOptions, user_ns: Mapping[str, Any]) -> Any:
    spec = options.partitions
    if spec is None:
        return None
    from nbassets.partitions.definitions import PartitionsDefinition
    from nbassets.partitions.spec import parse_partitions_spec

    if ":" in spec:
        return parse_partitions_spec(spec)
    if spec in user_ns:
        value = user_ns[spec]
        if not isinstance(value, PartitionsDefinition):
            raise UsageError(
                f"--partitions {spec}: '{spec}' in the notebook is a {type(value).__name__}, not "
                "a PartitionsDefinition. Pass one (e.g. days = DailyPartitionsDefinition("
                "start_date='2024-01-01')) or a spec such as daily:2024-01-01."
            )
        return value
    if spec.isidentifier() and spec not in {"daily", "hourly", "weekly", "monthly", "static"}:
        raise UsageError(
            f"--partitions {spec}: no PartitionsDefinition named '{spec}' in the notebook. "
            "Define it in a cell above, or write a spec: daily:2024-01-01, "
            "hourly:2024-01-01-00:00, weekly:..., monthly:..., static:a,b,c."
        )
    return parse_partitions_spec(spec)


def define_asset_cell(
    registry: Registry,
    line: str,
    cell: str,
    user_ns: dict[str, Any],
    *,
    cell_id: str | None = None,
) -> tuple[AssetsDefinition, AssetCellOptions]:
    """Build and register the asset an ``%%asset`` cell defines."""
    options = parse_asset_line(line)
    try:
        analysis = analyze_cell(cell, first_line=2)
        name = resolve_name(analysis, options.name)
        key = options.key_for(name)
        inputs = _inputs(analysis, options, registry, key)
        config_class = None
        if options.config is not None:
            from nbassets.definitions.config import Config

            config_class = _lookup(user_ns, options.config, "--config")
            if not (isinstance(config_class, type) and issubclass(config_class, Config)):
                raise UsageError(
                    f"--config {options.config} must name a Config subclass "
                    f"(class MyConfig(nbassets.Config): ...); it is {type(config_class).__name__}."
                )
        fn = compile_cell(
            analysis,
            inputs=list(inputs),
            user_ns=user_ns,
            filename=cell_filename(key.to_user_string()),
            name=name,
            resources=options.resources,
            first_line=2,
        )
        fn.__module__ = _CELL_MODULE
        ins: dict[str, AssetIn] = {}
        if analysis.form == "statements":
            ins = {local: AssetIn(key=k) for local, k in inputs.items()}
            if config_class is not None and analysis.uses_config:
                fn.__annotations__["config"] = config_class
        else:
            skip = set(RESERVED_LOCALS) | set(options.resources)
            ins = {
                p: AssetIn(key=inputs[p])
                for p in analysis.parameters
                if p in inputs and p not in skip and inputs[p] != AssetKey(p)
            }
        retry = (
            RetryPolicy(max_retries=options.retries, delay=options.retry_delay)
            if options.retries
            else None
        )
        definition = asset(
            key=key,
            ins=ins,
            deps=[AssetKey.from_user_string(d) for d in options.deps],
            metadata=options.metadata,
            tags=options.tags,
            description=options.description or analysis.docstring,
            required_resource_keys=options.resources,
            io_manager_key=options.io_manager,
            partitions_def=_partitions(options, user_ns),
            group_name=options.group,
            code_version=options.code_version or code_version(analysis, options.to_dict()),
            retry_policy=retry,
            owners=options.owners,
            kinds=options.kinds,
        )(fn)
        waiting = tuple(
            n
            for n in analysis.input_candidates(options.resources)
            if n not in inputs and not hasattr(builtins, n)
        )
        definition.origin.update(
            {
                "source": cell,
                "line": line,
                "cell_id": cell_id,
                "form": analysis.form,
                "waiting_for": waiting,
            }
        )
        registry.add(definition, source_id=cell_id)
    except NbAssetsError as error:
        raise usage_error(error) from error
    if waiting:
        watch_waiting_cells(registry, user_ns, _redefine)
    return definition, options


def _redefine(
    registry: Registry, line: str, cell: str, user_ns: dict[str, Any], cell_id: str | None
) -> None:
    define_asset_cell(registry, line, cell, user_ns, cell_id=cell_id)


def define_check_cell(
    registry: Registry,
    line: str,
    cell: str,
    user_ns: dict[str, Any],
    *,
    cell_id: str | None = None,
) -> AssetChecksDefinition:
    """Build and register the check an ``%%asset_check`` cell defines.

    The body sees the asset's value under the asset's name and returns a bool
    or an ``AssetCheckResult``.
    """
    options = parse_asset_check_line(line)
    try:
        target = registry.resolve_key(options.asset)
        local = python_name(target.to_user_string())
        analysis = analyze_cell(cell, first_line=2)
        check_name = (
            options.name
            or (analysis.inferred_name if analysis.form == "function" else None)
            or f"check_{local}"
        )
        inputs = [local] if analysis.form == "statements" else []
        fn = compile_cell(
            analysis,
            inputs=inputs,
            user_ns=user_ns,
            filename=cell_filename(f"{target.to_user_string()}:{check_name}"),
            name=check_name,
            first_line=2,
        )
        fn.__module__ = _CELL_MODULE
        definition = asset_check(
            asset=target,
            name=check_name,
            description=options.description or analysis.docstring,
            blocking=options.blocking,
        )(fn)
        definition.origin.update({"source": cell, "line": line, "cell_id": cell_id})
        registry.add(definition, source_id=cell_id)
    except NbAssetsError as error:
        raise usage_error(error) from error
    return definition
