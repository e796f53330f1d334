"""The package's front door: ``nbassets.__all__`` is a deliberate, documented list."""

from __future__ import annotations

import nbassets

# The public API. Changing it is a decision: update this list in the same commit.
EXPORTED = [
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


def test_all_is_the_documented_list() -> None:
    assert nbassets.__all__ == EXPORTED


def test_all_is_sorted() -> None:
    assert nbassets.__all__ == sorted(nbassets.__all__)


def test_every_exported_name_exists() -> None:
    missing = [name for name in nbassets.__all__ if not hasattr(nbassets, name)]
    assert missing == []


def test_exported_classes_claim_their_public_module() -> None:
    # A public class should live in nbassets, not in a test helper or a vendored copy.
    for name in nbassets.__all__:
        member = getattr(nbassets, name)
        module = getattr(member, "__module__", "nbassets")
        assert module.startswith("nbassets"), (name, module)
