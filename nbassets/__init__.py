"""nbassets: Dagster's software-defined assets, at home in a Jupyter notebook.

``from nbassets import asset, materialize`` gives Dagster's names with Dagster's
behaviour over an in-memory engine; ``%load_ext nbassets`` adds the magics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition, asset_check
from nbassets.definitions.decorators import asset, multi_asset
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import (
    MetadataValue,
    TableColumn,
    TableRecord,
    TableSchema,
)
from nbassets.definitions.policies import Backoff, Jitter, RetryPolicy
from nbassets.definitions.results import (
    AssetCheckResult,
    AssetCheckSeverity,
    DataVersion,
    Failure,
    MaterializeResult,
    Output,
    RetryRequested,
)
from nbassets.definitions.specs import (
    AssetCheckKey,
    AssetCheckSpec,
    AssetDep,
    AssetIn,
    AssetOut,
    AssetSpec,
    map_asset_specs,
)
from nbassets.engine.context import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    build_asset_context,
)
from nbassets.engine.events import AssetMaterialization, DagsterEventType, EventType, RunEvent
from nbassets.engine.materialize import materialize, materialize_to_memory
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.errors import (
    ConfigError,
    CycleError,
    DagsterInvariantViolationError,
    DuplicateKeyError,
    InvalidDefinitionError,
    InvalidInvocationError,
    MissingResourceError,
    MissingUpstreamError,
    NbAssetsError,
    PartitionError,
    RunFailedError,
    SelectionError,
    SelectionSyntaxError,
    UnknownAssetError,
)
from nbassets.graph.registry import Registry, get_registry, use_registry
from nbassets.storage.instance import Instance
from nbassets.storage.io_manager import (
    FilesystemIOManager,
    InMemoryIOManager,
    InputContext,
    IOManager,
    OutputContext,
    build_input_context,
    build_output_context,
)

__version__ = "0.1.0"

# Imported on first use: pydantic (behind Config) and the partitions and selection
# modules would otherwise double the time `import nbassets` and `%load_ext` take.
_LAZY = {
    "Config": "nbassets.definitions.config",
    "ConfigurableIOManager": "nbassets.storage.configurable",
    "ConfigurableResource": "nbassets.definitions.config",
    "RunConfig": "nbassets.definitions.config",
    "AssetSelection": "nbassets.graph.selection",
    "lineage": "nbassets.notebook.lineage_view",
    **{
        name: "nbassets.partitions"
        for name in (
            "AllPartitionMapping",
            "BackfillPolicy",
            "DailyPartitionsDefinition",
            "DynamicPartitionsDefinition",
            "HourlyPartitionsDefinition",
            "IdentityPartitionMapping",
            "LastPartitionMapping",
            "MonthlyPartitionsDefinition",
            "MultiPartitionKey",
            "MultiPartitionsDefinition",
            "MultiToSingleDimensionPartitionMapping",
            "PartitionKeyRange",
            "PartitionMapping",
            "PartitionsDefinition",
            "StaticPartitionMapping",
            "StaticPartitionsDefinition",
            "TimeWindow",
            "TimeWindowPartitionMapping",
            "TimeWindowPartitionsDefinition",
            "WeeklyPartitionsDefinition",
        )
    },
}

if TYPE_CHECKING:
    from nbassets.definitions.config import (
        Config,
        ConfigurableResource,
        RunConfig,
    )
    from nbassets.graph.selection import AssetSelection
    from nbassets.notebook.lineage_view import lineage
    from nbassets.partitions import (
        AllPartitionMapping,
        BackfillPolicy,
        DailyPartitionsDefinition,
        DynamicPartitionsDefinition,
        HourlyPartitionsDefinition,
        IdentityPartitionMapping,
        LastPartitionMapping,
        MonthlyPartitionsDefinition,
        MultiPartitionKey,
        MultiPartitionsDefinition,
        MultiToSingleDimensionPartitionMapping,
        PartitionKeyRange,
        PartitionMapping,
        PartitionsDefinition,
        StaticPartitionMapping,
        StaticPartitionsDefinition,
        TimeWindow,
        TimeWindowPartitionMapping,
        TimeWindowPartitionsDefinition,
        WeeklyPartitionsDefinition,
    )
    from nbassets.storage.configurable import ConfigurableIOManager


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nbassets' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AllPartitionMapping",
    "AssetCheckExecutionContext",
    "AssetCheckKey",
    "AssetCheckResult",
    "AssetCheckSeverity",
    "AssetCheckSpec",
    "AssetChecksDefinition",
    "AssetDep",
    "AssetExecutionContext",
    "AssetIn",
    "AssetKey",
    "AssetMaterialization",
    "AssetOut",
    "AssetSelection",
    "AssetSpec",
    "AssetsDefinition",
    "BackfillPolicy",
    "Backoff",
    "Config",
    "ConfigError",
    "ConfigurableIOManager",
    "ConfigurableResource",
    "CycleError",
    "DagsterEventType",
    "DagsterInvariantViolationError",
    "DailyPartitionsDefinition",
    "DataVersion",
    "DuplicateKeyError",
    "DynamicPartitionsDefinition",
    "EventType",
    "ExecuteInProcessResult",
    "Failure",
    "FilesystemIOManager",
    "HourlyPartitionsDefinition",
    "IOManager",
    "IdentityPartitionMapping",
    "InMemoryIOManager",
    "InputContext",
    "Instance",
    "InvalidDefinitionError",
    "InvalidInvocationError",
    "Jitter",
    "LastPartitionMapping",
    "MaterializeResult",
    "MetadataValue",
    "MissingResourceError",
    "MissingUpstreamError",
    "MonthlyPartitionsDefinition",
    "MultiPartitionKey",
    "MultiPartitionsDefinition",
    "MultiToSingleDimensionPartitionMapping",
    "NbAssetsError",
    "Output",
    "OutputContext",
    "PartitionError",
    "PartitionKeyRange",
    "PartitionMapping",
    "PartitionsDefinition",
    "Registry",
    "RetryPolicy",
    "RetryRequested",
    "RunConfig",
    "RunEvent",
    "RunFailedError",
    "SelectionError",
    "SelectionSyntaxError",
    "StaticPartitionMapping",
    "StaticPartitionsDefinition",
    "TableColumn",
    "TableRecord",
    "TableSchema",
    "TimeWindow",
    "TimeWindowPartitionMapping",
    "TimeWindowPartitionsDefinition",
    "UnknownAssetError",
    "WeeklyPartitionsDefinition",
    "asset",
    "asset_check",
    "build_asset_context",
    "build_input_context",
    "build_output_context",
    "get_registry",
    "lineage",
    "load_ipython_extension",
    "map_asset_specs",
    "materialize",
    "materialize_to_memory",
    "multi_asset",
    "unload_ipython_extension",
    "use_registry",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nbassets``: register the magics (imported only now, to keep import fast)."""
    from nbassets.notebook.extension import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext nbassets``: remove the magics, so ``%reload_ext`` starts clean."""
    from nbassets.notebook.extension import unload

    unload(ipython)
