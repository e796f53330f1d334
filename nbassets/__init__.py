"""nbassets: Dagster's software-defined assets, at home in a Jupyter notebook.

``from nbassets import asset, materialize`` gives Dagster's names with Dagster's
behaviour over an in-memory engine; ``%load_ext nbassets`` adds the magics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition, asset_check, multi_asset_check
from nbassets.definitions.decorators import asset, multi_asset
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import (
    BoolMetadataValue,
    FloatMetadataValue,
    IntMetadataValue,
    JsonMetadataValue,
    MarkdownMetadataValue,
    MetadataValue,
    NullMetadataValue,
    PathMetadataValue,
    TableColumn,
    TableMetadataValue,
    TableRecord,
    TableSchema,
    TextMetadataValue,
    UrlMetadataValue,
)
from nbassets.definitions.policies import Backoff, Jitter, RetryPolicy
from nbassets.definitions.results import (
    AssetCheckResult,
    AssetCheckSeverity,
    DataVersion,
    DataVersionsByPartition,
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
    OpExecutionContext,
    build_asset_check_context,
    build_asset_context,
    build_op_context,
)
from nbassets.engine.events import (
    AssetMaterialization,
    DagsterEventType,
    EventType,
    ExpectationResult,
    RunEvent,
)
from nbassets.engine.materialize import materialize, materialize_to_memory
from nbassets.engine.result import ExecuteInProcessResult
from nbassets.errors import (
    ConfigError,
    CycleError,
    DagsterInvalidConfigError,
    DagsterInvalidDefinitionError,
    DagsterInvalidInvocationError,
    DagsterInvalidSubsetError,
    DagsterInvariantViolationError,
    DagsterTypeCheckDidNotPass,
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
    TypeCheckError,
    UnknownAssetError,
    UnshippableStepError,
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
    "persist": "nbassets.storage.persistence",
    "with_resources": "nbassets.definitions.resources",
    "job": "nbassets.engine.op_jobs",
    "build_resources": "nbassets.definitions.resources",
    "ObserveResult": "nbassets.definitions.source_assets",
    "Bool": "nbassets.definitions.config_schema",
    "Field": "nbassets.definitions.config_schema",
    "Enum": "nbassets.definitions.config_schema",
    "EnumValue": "nbassets.definitions.config_schema",
    "Float": "nbassets.definitions.config_schema",
    "Int": "nbassets.definitions.config_schema",
    "String": "nbassets.definitions.config_schema",
    "load_asset_checks_from_current_module": "nbassets.definitions.loading",
    "load_asset_checks_from_modules": "nbassets.definitions.loading",
    "load_asset_checks_from_package_module": "nbassets.definitions.loading",
    "load_asset_checks_from_package_name": "nbassets.definitions.loading",
    "load_assets_from_current_module": "nbassets.definitions.loading",
    "load_assets_from_modules": "nbassets.definitions.loading",
    "load_assets_from_package_module": "nbassets.definitions.loading",
    "load_assets_from_package_name": "nbassets.definitions.loading",
    "AutomationCondition": "nbassets.definitions.automation",
    "LegacyFreshnessPolicy": "nbassets.definitions.freshness",
    "DagsterType": "nbassets.definitions.dagster_types",
    "TypeCheck": "nbassets.definitions.dagster_types",
    "AutoMaterializePolicy": "nbassets.definitions.automation",
    "HookContext": "nbassets.definitions.hooks",
    "HookDefinition": "nbassets.definitions.hooks",
    "build_hook_context": "nbassets.definitions.hooks",
    "failure_hook": "nbassets.definitions.hooks",
    "success_hook": "nbassets.definitions.hooks",
    "AutomationConditionSensorDefinition": "nbassets.definitions.sensors",
    "DefaultSensorStatus": "nbassets.definitions.sensors",
    "build_sensor_context": "nbassets.definitions.sensors",
    "GraphDefinition": "nbassets.definitions.graphs",
    "In": "nbassets.definitions.ops",
    "Nothing": "nbassets.definitions.ops",
    "OpDefinition": "nbassets.definitions.ops",
    "Out": "nbassets.definitions.ops",
    "graph_asset": "nbassets.definitions.graph_assets",
    "graph_multi_asset": "nbassets.definitions.graph_assets",
    "DynamicOut": "nbassets.definitions.ops",
    "DynamicOutput": "nbassets.definitions.ops",
    "ConfigMapping": "nbassets.definitions.graphs",
    "DependencyDefinition": "nbassets.definitions.graphs",
    "GraphIn": "nbassets.definitions.graphs",
    "GraphOut": "nbassets.definitions.graphs",
    "MultiDependencyDefinition": "nbassets.definitions.graphs",
    "NodeInvocation": "nbassets.definitions.graphs",
    "config_mapping": "nbassets.definitions.graphs",
    "DagsterStepOutputNotFoundError": "nbassets.engine.op_runs",
    "DagsterInvalidConfigDefinitionError": "nbassets.definitions.config_schema",
    "execute_job": "nbassets.engine.op_jobs",
    "reconstructable": "nbassets.engine.op_jobs",
    "validate_run_config": "nbassets.engine.op_jobs",
    "op": "nbassets.definitions.ops",
    "ResourceDefinition": "nbassets.definitions.resources",
    "ResourceParam": "nbassets.definitions.signature",
    "IOManagerDefinition": "nbassets.definitions.resources",
    "InitResourceContext": "nbassets.definitions.resources",
    "build_init_resource_context": "nbassets.definitions.resources",
    "resource": "nbassets.definitions.resources",
    "io_manager": "nbassets.definitions.resources",
    "AssetObservation": "nbassets.definitions.source_assets",
    "SourceAsset": "nbassets.definitions.source_assets",
    "observable_source_asset": "nbassets.definitions.source_assets",
    "DaskExecutor": "nbassets.engine.dask_executor",
    "use_dask": "nbassets.engine.executor_spec",
    "Definitions": "nbassets.engine.code_location",
    "file_relative_path": "nbassets.definitions.file_paths",
    "Executor": "nbassets.engine.executor_defs",
    "ExecutorDefinition": "nbassets.engine.executor_defs",
    "executor": "nbassets.engine.executor_defs",
    "in_process_executor": "nbassets.engine.executor_defs",
    "multi_or_in_process_executor": "nbassets.engine.executor_defs",
    "multiprocess_executor": "nbassets.engine.executor_defs",
    "PartitionedConfig": "nbassets.definitions.partitioned_config",
    "daily_partitioned_config": "nbassets.definitions.partitioned_config_decorators",
    "hourly_partitioned_config": "nbassets.definitions.partitioned_config_decorators",
    "monthly_partitioned_config": "nbassets.definitions.partitioned_config_decorators",
    "static_partitioned_config": "nbassets.definitions.partitioned_config_decorators",
    "weekly_partitioned_config": "nbassets.definitions.partitioned_config_decorators",
    "AssetValueLoader": "nbassets.engine.value_loader",
    "mem_io_manager": "nbassets.storage.memory",
    "multi_observable_source_asset": "nbassets.definitions.multi_observe",
    "InitLoggerContext": "nbassets.definitions.loggers",
    "LoggerDefinition": "nbassets.definitions.loggers",
    "build_init_logger_context": "nbassets.definitions.loggers",
    "colored_console_logger": "nbassets.definitions.loggers",
    "logger": "nbassets.definitions.loggers",
    "AssetCheckEvaluation": "nbassets.engine.events",
    "JobDefinition": "nbassets.engine.jobs",
    "define_asset_job": "nbassets.engine.jobs",
    "DagsterInstance": "nbassets.storage.testing",
    "InputChangedWarning": "nbassets.engine.input_guard",
    "instance_for_test": "nbassets.storage.testing",
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
            "DimensionPartitionMapping",
            "MultiPartitionKey",
            "MultiPartitionMapping",
            "MultiPartitionsDefinition",
            "MultiToSingleDimensionPartitionMapping",
            "PartitionKeyRange",
            "PartitionMapping",
            "PartitionsDefinition",
            "SpecificPartitionsPartitionMapping",
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
    from nbassets.definitions.automation import AutoMaterializePolicy, AutomationCondition
    from nbassets.definitions.config import (
        Config,
        ConfigurableResource,
        RunConfig,
    )
    from nbassets.definitions.config_schema import (
        Bool,
        DagsterInvalidConfigDefinitionError,
        Enum,
        EnumValue,
        Field,
        Float,
        Int,
        String,
    )
    from nbassets.definitions.dagster_types import DagsterType, TypeCheck
    from nbassets.definitions.file_paths import file_relative_path
    from nbassets.definitions.freshness import LegacyFreshnessPolicy
    from nbassets.definitions.graph_assets import graph_asset, graph_multi_asset
    from nbassets.definitions.graphs import (
        ConfigMapping,
        DependencyDefinition,
        GraphDefinition,
        GraphIn,
        GraphOut,
        MultiDependencyDefinition,
        NodeInvocation,
        config_mapping,
    )
    from nbassets.definitions.hooks import (
        HookContext,
        HookDefinition,
        build_hook_context,
        failure_hook,
        success_hook,
    )
    from nbassets.definitions.loading import (
        load_asset_checks_from_current_module,
        load_asset_checks_from_modules,
        load_asset_checks_from_package_module,
        load_asset_checks_from_package_name,
        load_assets_from_current_module,
        load_assets_from_modules,
        load_assets_from_package_module,
        load_assets_from_package_name,
    )
    from nbassets.definitions.loggers import (
        InitLoggerContext,
        LoggerDefinition,
        build_init_logger_context,
        colored_console_logger,
        logger,
    )
    from nbassets.definitions.multi_observe import multi_observable_source_asset
    from nbassets.definitions.ops import (
        DynamicOut,
        DynamicOutput,
        In,
        Nothing,
        OpDefinition,
        Out,
        op,
    )
    from nbassets.definitions.partitioned_config import PartitionedConfig
    from nbassets.definitions.partitioned_config_decorators import (
        daily_partitioned_config,
        hourly_partitioned_config,
        monthly_partitioned_config,
        static_partitioned_config,
        weekly_partitioned_config,
    )
    from nbassets.definitions.resources import (
        InitResourceContext,
        IOManagerDefinition,
        ResourceDefinition,
        build_init_resource_context,
        build_resources,
        io_manager,
        resource,
        with_resources,
    )
    from nbassets.definitions.sensors import (
        AutomationConditionSensorDefinition,
        DefaultSensorStatus,
        build_sensor_context,
    )
    from nbassets.definitions.signature import ResourceParam
    from nbassets.definitions.source_assets import (
        AssetObservation,
        ObserveResult,
        SourceAsset,
        observable_source_asset,
    )
    from nbassets.engine.code_location import Definitions
    from nbassets.engine.dask_executor import DaskExecutor
    from nbassets.engine.events import AssetCheckEvaluation
    from nbassets.engine.executor_defs import (
        Executor,
        ExecutorDefinition,
        executor,
        in_process_executor,
        multi_or_in_process_executor,
        multiprocess_executor,
    )
    from nbassets.engine.executor_spec import use_dask
    from nbassets.engine.jobs import JobDefinition, define_asset_job
    from nbassets.engine.op_jobs import execute_job, job, reconstructable, validate_run_config
    from nbassets.engine.op_runs import DagsterStepOutputNotFoundError
    from nbassets.engine.value_loader import AssetValueLoader
    from nbassets.graph.selection import AssetSelection
    from nbassets.notebook.lineage_view import lineage
    from nbassets.partitions import (
        AllPartitionMapping,
        BackfillPolicy,
        DailyPartitionsDefinition,
        DimensionPartitionMapping,
        DynamicPartitionsDefinition,
        HourlyPartitionsDefinition,
        IdentityPartitionMapping,
        LastPartitionMapping,
        MonthlyPartitionsDefinition,
        MultiPartitionKey,
        MultiPartitionMapping,
        MultiPartitionsDefinition,
        MultiToSingleDimensionPartitionMapping,
        PartitionKeyRange,
        PartitionMapping,
        PartitionsDefinition,
        SpecificPartitionsPartitionMapping,
        StaticPartitionMapping,
        StaticPartitionsDefinition,
        TimeWindow,
        TimeWindowPartitionMapping,
        TimeWindowPartitionsDefinition,
        WeeklyPartitionsDefinition,
    )
    from nbassets.storage.configurable import ConfigurableIOManager
    from nbassets.storage.memory import mem_io_manager
    from nbassets.storage.persistence import persist
    from nbassets.storage.testing import DagsterInstance, instance_for_test


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
    "AssetCheckEvaluation",
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
    "AssetValueLoader",
    "AssetsDefinition",
    "AutoMaterializePolicy",
    "AutomationCondition",
    "AutomationConditionSensorDefinition",
    "BackfillPolicy",
    "Backoff",
    "Bool",
    "BoolMetadataValue",
    "Config",
    "ConfigError",
    "ConfigMapping",
    "ConfigurableIOManager",
    "ConfigurableResource",
    "CycleError",
    "DagsterEventType",
    "DagsterInstance",
    "DagsterInvalidConfigDefinitionError",
    "DagsterInvalidConfigError",
    "DagsterInvalidDefinitionError",
    "DagsterInvalidInvocationError",
    "DagsterInvalidSubsetError",
    "DagsterInvariantViolationError",
    "DagsterStepOutputNotFoundError",
    "DagsterType",
    "DagsterTypeCheckDidNotPass",
    "DailyPartitionsDefinition",
    "DaskExecutor",
    "DataVersion",
    "DataVersionsByPartition",
    "DefaultSensorStatus",
    "Definitions",
    "DependencyDefinition",
    "DimensionPartitionMapping",
    "DuplicateKeyError",
    "DynamicOut",
    "DynamicOutput",
    "DynamicPartitionsDefinition",
    "Enum",
    "EnumValue",
    "EventType",
    "ExecuteInProcessResult",
    "Executor",
    "ExecutorDefinition",
    "ExpectationResult",
    "Failure",
    "Field",
    "FilesystemIOManager",
    "Float",
    "FloatMetadataValue",
    "GraphDefinition",
    "GraphIn",
    "GraphOut",
    "HookContext",
    "HookDefinition",
    "HourlyPartitionsDefinition",
    "IOManager",
    "IOManagerDefinition",
    "IdentityPartitionMapping",
    "In",
    "InMemoryIOManager",
    "InitLoggerContext",
    "InitResourceContext",
    "InputChangedWarning",
    "InputContext",
    "Instance",
    "Int",
    "IntMetadataValue",
    "InvalidDefinitionError",
    "InvalidInvocationError",
    "Jitter",
    "JobDefinition",
    "JsonMetadataValue",
    "LastPartitionMapping",
    "LegacyFreshnessPolicy",
    "LoggerDefinition",
    "MarkdownMetadataValue",
    "MaterializeResult",
    "MetadataValue",
    "MissingResourceError",
    "MissingUpstreamError",
    "MonthlyPartitionsDefinition",
    "MultiDependencyDefinition",
    "MultiPartitionKey",
    "MultiPartitionMapping",
    "MultiPartitionsDefinition",
    "MultiToSingleDimensionPartitionMapping",
    "NbAssetsError",
    "NodeInvocation",
    "Nothing",
    "NullMetadataValue",
    "ObserveResult",
    "OpDefinition",
    "OpExecutionContext",
    "Out",
    "Output",
    "OutputContext",
    "PartitionError",
    "PartitionKeyRange",
    "PartitionMapping",
    "PartitionedConfig",
    "PartitionsDefinition",
    "PathMetadataValue",
    "Registry",
    "ResourceDefinition",
    "ResourceParam",
    "RetryPolicy",
    "RetryRequested",
    "RunConfig",
    "RunEvent",
    "RunFailedError",
    "SelectionError",
    "SelectionSyntaxError",
    "SourceAsset",
    "SpecificPartitionsPartitionMapping",
    "StaticPartitionMapping",
    "StaticPartitionsDefinition",
    "String",
    "TableColumn",
    "TableMetadataValue",
    "TableRecord",
    "TableSchema",
    "TextMetadataValue",
    "TimeWindow",
    "TimeWindowPartitionMapping",
    "TimeWindowPartitionsDefinition",
    "TypeCheck",
    "TypeCheckError",
    "UnknownAssetError",
    "UnshippableStepError",
    "UrlMetadataValue",
    "WeeklyPartitionsDefinition",
    "asset",
    "asset_check",
    "build_asset_check_context",
    "build_asset_context",
    "build_hook_context",
    "build_init_logger_context",
    "build_init_resource_context",
    "build_input_context",
    "build_op_context",
    "build_output_context",
    "build_resources",
    "build_sensor_context",
    "colored_console_logger",
    "config_mapping",
    "daily_partitioned_config",
    "define_asset_job",
    "execute_job",
    "executor",
    "failure_hook",
    "file_relative_path",
    "get_registry",
    "graph",
    "graph_asset",
    "graph_multi_asset",
    "hourly_partitioned_config",
    "in_process_executor",
    "instance_for_test",
    "io_manager",
    "job",
    "lineage",
    "load_asset_checks_from_current_module",
    "load_asset_checks_from_modules",
    "load_asset_checks_from_package_module",
    "load_asset_checks_from_package_name",
    "load_assets_from_current_module",
    "load_assets_from_modules",
    "load_assets_from_package_module",
    "load_assets_from_package_name",
    "load_ipython_extension",
    "logger",
    "map_asset_specs",
    "materialize",
    "materialize_to_memory",
    "mem_io_manager",
    "monthly_partitioned_config",
    "multi_asset",
    "multi_asset_check",
    "multi_observable_source_asset",
    "multi_or_in_process_executor",
    "multiprocess_executor",
    "observable_source_asset",
    "op",
    "persist",
    "reconstructable",
    "resource",
    "static_partitioned_config",
    "success_hook",
    "unload_ipython_extension",
    "use_dask",
    "use_registry",
    "validate_run_config",
    "weekly_partitioned_config",
    "with_resources",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nbassets``: register the magics (imported only now, to keep import fast)."""
    from nbassets.notebook.extension import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext nbassets``: remove the magics, so ``%reload_ext`` starts clean."""
    from nbassets.notebook.extension import unload

    unload(ipython)
