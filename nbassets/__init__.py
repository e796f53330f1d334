"""nbassets: Dagster's software-defined assets, at home in a Jupyter notebook.

``from nbassets import asset, materialize`` gives Dagster's names with Dagster's
behaviour over an in-memory engine; ``%load_ext nbassets`` adds the magics.
"""

from __future__ import annotations

from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition, asset_check
from nbassets.definitions.config import Config, ConfigurableResource, RunConfig
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
)
from nbassets.engine.context import AssetExecutionContext, build_asset_context
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
    SelectionError,
    SelectionSyntaxError,
    UnknownAssetError,
)
from nbassets.graph.registry import Registry, get_registry, use_registry
from nbassets.storage.instance import Instance
from nbassets.storage.io_manager import (
    ConfigurableIOManager,
    FilesystemIOManager,
    InMemoryIOManager,
    InputContext,
    IOManager,
    OutputContext,
    build_input_context,
    build_output_context,
)

__version__ = "0.1.0"

__all__ = [
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
    "AssetSpec",
    "AssetsDefinition",
    "Backoff",
    "Config",
    "ConfigError",
    "ConfigurableIOManager",
    "ConfigurableResource",
    "CycleError",
    "DagsterEventType",
    "DagsterInvariantViolationError",
    "DataVersion",
    "DuplicateKeyError",
    "EventType",
    "ExecuteInProcessResult",
    "Failure",
    "FilesystemIOManager",
    "IOManager",
    "InMemoryIOManager",
    "InputContext",
    "Instance",
    "InvalidDefinitionError",
    "InvalidInvocationError",
    "Jitter",
    "MaterializeResult",
    "MetadataValue",
    "MissingResourceError",
    "MissingUpstreamError",
    "NbAssetsError",
    "Output",
    "OutputContext",
    "PartitionError",
    "Registry",
    "RetryPolicy",
    "RetryRequested",
    "RunConfig",
    "RunEvent",
    "SelectionError",
    "SelectionSyntaxError",
    "TableColumn",
    "TableRecord",
    "TableSchema",
    "UnknownAssetError",
    "asset",
    "asset_check",
    "build_asset_context",
    "build_input_context",
    "build_output_context",
    "get_registry",
    "load_ipython_extension",
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
