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
    "AssetObservation",
    "AssetOut",
    "AssetSelection",
    "AssetSpec",
    "AssetsDefinition",
    "AutomationCondition",
    "BackfillPolicy",
    "Backoff",
    "Bool",
    "Config",
    "ConfigError",
    "ConfigurableIOManager",
    "ConfigurableResource",
    "CycleError",
    "DagsterEventType",
    "DagsterInstance",
    "DagsterInvalidConfigError",
    "DagsterInvalidDefinitionError",
    "DagsterInvalidInvocationError",
    "DagsterInvariantViolationError",
    "DailyPartitionsDefinition",
    "DataVersion",
    "Definitions",
    "DuplicateKeyError",
    "DynamicPartitionsDefinition",
    "EventType",
    "ExecuteInProcessResult",
    "Failure",
    "Field",
    "FilesystemIOManager",
    "Float",
    "GraphDefinition",
    "HourlyPartitionsDefinition",
    "IOManager",
    "IOManagerDefinition",
    "IdentityPartitionMapping",
    "In",
    "InMemoryIOManager",
    "InitResourceContext",
    "InputContext",
    "Instance",
    "Int",
    "InvalidDefinitionError",
    "InvalidInvocationError",
    "Jitter",
    "JobDefinition",
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
    "Nothing",
    "ObserveResult",
    "OpDefinition",
    "OpExecutionContext",
    "Out",
    "Output",
    "OutputContext",
    "PartitionError",
    "PartitionKeyRange",
    "PartitionMapping",
    "PartitionsDefinition",
    "Registry",
    "ResourceDefinition",
    "RetryPolicy",
    "RetryRequested",
    "RunConfig",
    "RunEvent",
    "RunFailedError",
    "SelectionError",
    "SelectionSyntaxError",
    "SourceAsset",
    "StaticPartitionMapping",
    "StaticPartitionsDefinition",
    "String",
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
    "build_asset_check_context",
    "build_asset_context",
    "build_init_resource_context",
    "build_input_context",
    "build_op_context",
    "build_output_context",
    "build_resources",
    "define_asset_job",
    "get_registry",
    "graph",
    "graph_asset",
    "graph_multi_asset",
    "instance_for_test",
    "io_manager",
    "job",
    "lineage",
    "load_asset_checks_from_modules",
    "load_assets_from_current_module",
    "load_assets_from_modules",
    "load_assets_from_package_module",
    "load_assets_from_package_name",
    "load_ipython_extension",
    "map_asset_specs",
    "materialize",
    "materialize_to_memory",
    "multi_asset",
    "multi_asset_check",
    "observable_source_asset",
    "op",
    "persist",
    "resource",
    "unload_ipython_extension",
    "use_registry",
    "with_resources",
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
    # Dagster's scalar config type names are Python's own types, on purpose.
    builtin_aliases = {"Bool": bool, "Float": float, "Int": int, "String": str}
    for name in nbassets.__all__:
        member = getattr(nbassets, name)
        if builtin_aliases.get(name) is member:
            continue
        module = getattr(member, "__module__", "nbassets")
        assert module.startswith("nbassets"), (name, module)
