"""``AssetExecutionContext``: what an asset function can ask about its run.

Responsibilities:
- The context object (run id, asset key, resources, config, partition, retry
  number, logging, metadata added at run time).
- ``build_asset_context``, for calling asset functions directly in tests.
- ``Resources``: attribute access to a run's resources with a helpful error.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.definitions.metadata import MetadataValue, normalize_metadata
from nbassets.engine.op_output_metadata import OpOutputMetadata
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError, did_you_mean

__all__ = [
    "AssetCheckExecutionContext",
    "AssetExecutionContext",
    "Resources",
    "RunInfo",
    "RunLogger",
    "build_asset_context",
]

_python_log = logging.getLogger("nbassets.asset")
# A library's convention: nothing reaches stderr unless the user configures logging. The
# run's own views (progress rows, text progress) show each message with its asset's name;
# without this, Python's last-resort handler printed warnings a second time, bare.
_python_log.addHandler(logging.NullHandler())
LogSink = Callable[[str, str], None]


class RunLogger:
    """``context.log``: records each message as a run event and forwards it to logging."""

    __slots__ = ("_event_sink", "_sink")

    def __init__(
        self, sink: LogSink | None = None, event_sink: Callable[[Any], None] | None = None
    ) -> None:
        self._sink = sink
        self._event_sink = event_sink

    def event(self, event: Any) -> None:
        """Pass a user event (``context.log_event``) to the run."""
        if self._event_sink is not None:
            self._event_sink(event)

    def _emit(self, level: str, msg: Any, args: tuple[Any, ...]) -> None:
        text = str(msg) % args if args else str(msg)
        if self._sink is not None:
            self._sink(level, text)
        _python_log.log(getattr(logging, level), text)

    def debug(self, msg: Any, *args: Any) -> None:
        self._emit("DEBUG", msg, args)

    def info(self, msg: Any, *args: Any) -> None:
        self._emit("INFO", msg, args)

    def warning(self, msg: Any, *args: Any) -> None:
        self._emit("WARNING", msg, args)

    warn = warning

    def error(self, msg: Any, *args: Any) -> None:
        self._emit("ERROR", msg, args)

    def critical(self, msg: Any, *args: Any) -> None:
        self._emit("CRITICAL", msg, args)

    def exception(self, msg: Any, *args: Any) -> None:
        self._emit("ERROR", msg, args)


class Resources:
    """``context.resources``: each resource as an attribute."""

    def __init__(self, resources: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_resources", dict(resources))

    def __getattr__(self, name: str) -> Any:
        resources: dict[str, Any] = object.__getattribute__(self, "_resources")
        try:
            return resources[name]
        except KeyError:
            known = ", ".join(sorted(resources)) or "none"
            hint = did_you_mean(name, resources)
            raise AttributeError(
                f"No resource '{name}' in this run (resources: {known}).{hint} Pass it to "
                "materialize(..., resources={...}) and list it in required_resource_keys."
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("context.resources is read-only")

    def __contains__(self, name: str) -> bool:
        return name in object.__getattribute__(self, "_resources")

    def _asdict(self) -> dict[str, Any]:
        return dict(object.__getattribute__(self, "_resources"))


@dataclass(frozen=True, slots=True)
class RunInfo:
    """``context.run``: the run's id, tags and config."""

    run_id: str
    tags: Mapping[str, str] = field(default_factory=dict)
    run_config: Mapping[str, Any] = field(default_factory=dict)
    job_name: str = "__ASSET_JOB"


class AssetExecutionContext:
    """Passed to an asset function that declares a ``context`` parameter."""

    __slots__ = (
        "_added",
        "_assets_def",
        "_check_keys",
        "_node",
        "_op_outputs",
        "_op_selected",
        "_output_names",
        "_config",
        "_input_keys",
        "_input_partitions",
        "_key_range",
        "_partition_keys",
        "_keys",
        "_subset",
        "_partitions_def",
        "instance",
        "log",
        "node_outputs",
        "op_config",
        "partition_key_value",
        "resources",
        "retry_number",
        "run",
        "selected_asset_keys",
        "step_key",
    )

    def __init__(
        self,
        *,
        run: RunInfo,
        keys: Sequence[AssetKey] = (),
        step_key: str = "",
        resources: Resources | None = None,
        op_config: Any = None,
        log: RunLogger | None = None,
        partition_key: str | None = None,
        partitions_def: Any = None,
        retry_number: int = 0,
        instance: Any = None,
        assets_def: Any = None,
        input_keys: Mapping[str, AssetKey] | None = None,
        selected_asset_keys: Sequence[AssetKey] | None = None,
        partition_keys: Sequence[str] | None = None,
        input_partitions: Mapping[str, list[str]] | None = None,
        key_range: Any = None,
        subset: bool | None = None,
        check_keys: Sequence[Any] | None = None,
        op_outputs: OpOutputMetadata | None = None,
        node: Any = None,
    ) -> None:
        self.run = run
        # The op node this step runs (its alias and invocation tags), in a job of ops.
        self._node = node
        # Inside a graph asset: an op output's name -> the asset output it becomes.
        self._output_names: dict[str, str] = {}
        # Inside a graph asset: the op's own outputs this run reads (else the asset's).
        self._op_selected: frozenset[str] | None = None
        # Set when an op of a job runs: its outputs' metadata goes to their events.
        self._op_outputs = op_outputs
        # The checks this call evaluates; None outside a run (then: all of the definition's).
        self._check_keys = tuple(check_keys) if check_keys is not None else None
        self._keys = tuple(keys)
        # A run's step knows whether it runs only some of its definition's assets;
        # a context built by hand compares the selected keys with its own.
        self._subset = subset
        self.step_key = step_key
        self.resources = resources or Resources({})
        self.op_config = op_config
        self.log = log or RunLogger()
        self.partition_key_value = partition_key
        self._partitions_def = partitions_def
        self.retry_number = retry_number
        self.instance = instance
        self._assets_def = assets_def
        self._input_keys = input_keys or {}
        self._partition_keys = tuple(partition_keys) if partition_keys else None
        self._input_partitions = input_partitions or {}
        self._key_range = key_range
        self.selected_asset_keys = set(
            selected_asset_keys if selected_asset_keys is not None else keys
        )
        self._added: dict[AssetKey | None, dict[str, MetadataValue]] = {}
        self._config = None
        # Set by a graph-backed asset: each inner op's outputs, by handle.
        self.node_outputs: dict[str, dict[str, Any]] | None = None

    @property
    def run_id(self) -> str:
        return self.run.run_id

    @property
    def dagster_run(self) -> RunInfo:
        return self.run

    @property
    def run_tags(self) -> Mapping[str, str]:
        return self.run.tags

    def has_tag(self, key: str) -> bool:
        return key in self.run.tags

    def get_tag(self, key: str) -> str | None:
        return self.run.tags.get(key)

    @property
    def op_execution_context(self) -> AssetExecutionContext:
        return self

    @property
    def run_config(self) -> Mapping[str, Any]:
        return self.run.run_config

    @property
    def job_name(self) -> str:
        return self.run.job_name

    @property
    def op_def(self) -> Any:
        from nbassets.definitions.assets import OpHandle

        name = self._assets_def.node_name if self._assets_def is not None else self.step_key
        tags = self._assets_def.op_tags if self._assets_def is not None else {}
        return OpHandle(name, tags)

    @property
    def op(self) -> Any:
        """The node this step runs: Dagster's ``context.op``.

        In a job of ops: its node name and tags (with those ``.tag()`` gave in the graph).
        """
        return self._node if self._node is not None else self.op_def

    def log_event(self, event: Any) -> None:
        """Record an ``AssetMaterialization`` (or other event) from inside the step."""
        self.log.event(event)

    @property
    def asset_key(self) -> AssetKey:
        if len(self._keys) != 1:
            if not self._keys:
                raise InvalidInvocationError(
                    "This context belongs to no asset (built by build_asset_context()); "
                    "context.asset_key is only set during a run."
                )
            keys = ", ".join(k.to_user_string() for k in self._keys)
            raise InvalidInvocationError(
                "Cannot call `context.asset_key` in a multi_asset with more than one asset: this "
                f"step materializes {keys}. Use context.asset_key_for_output(name) or "
                "context.selected_asset_keys."
            )
        return self._keys[0]

    @property
    def assets_def(self) -> Any:
        return self._assets_def

    @property
    def selected_output_names(self) -> set[str]:
        """The output names of the selected assets (all of them unless a subset runs).

        For an op of a graph asset: that op's outputs the run reads.
        """
        if self._op_selected is not None:
            return set(self._op_selected)
        if self._assets_def is None:
            return {"result"} if self._keys else set()
        by_key = self._assets_def.output_by_key
        return {by_key[key].name for key in self.selected_asset_keys if key in by_key}

    @property
    def selected_asset_check_keys(self) -> set[Any]:
        """The checks this step evaluates (those the run selected)."""
        if self._check_keys is not None:
            return set(self._check_keys)
        if self._assets_def is None:
            return set()
        return set(getattr(self._assets_def, "check_keys", ()))

    @property
    def is_subset(self) -> bool:
        if self._subset is not None:
            return self._subset
        return len(self.selected_asset_keys) < len(self._keys)

    def rename_for_op(
        self,
        inputs: Mapping[str, str],
        outputs: Mapping[str, str],
        selected: Sequence[str] | None = None,
        from_assets: Mapping[str, str] | None = None,
    ) -> None:
        """Answer for an op inside a graph asset: its inputs and outputs by its own names.

        ``inputs`` maps each op input to the asset input feeding it, ``outputs`` each op
        output to the asset output it becomes; ``selected`` are the op's outputs the run
        reads; ``from_assets`` maps an op input fed by another op's output that is one of
        the asset's outputs to that asset output's name.
        """
        by_name = {out.name: out.key for out in getattr(self._assets_def, "outputs", ())}
        upstream = {
            name: by_name[output]
            for name, output in (from_assets or {}).items()
            if output in by_name  # a check's output reads no asset
        }
        self._output_names = dict(outputs)
        self._op_selected = frozenset(selected) if selected is not None else None
        names = inputs
        self._input_keys = {
            new: self._input_keys[old] for new, old in names.items() if old in self._input_keys
        }
        self._input_keys.update(upstream)
        self._input_partitions = {
            new: self._input_partitions[old]
            for new, old in names.items()
            if old in self._input_partitions
        }

    def asset_key_for_input(self, input_name: str) -> AssetKey:
        try:
            return self._input_keys[input_name]
        except KeyError:
            raise InvalidInvocationError(
                f"No input named '{input_name}'.{did_you_mean(input_name, self._input_keys)}"
            ) from None

    def asset_key_for_output(self, output_name: str = "result") -> AssetKey:
        output_name = self._output_names.get(output_name, output_name)
        if self._assets_def is not None:
            for out in self._assets_def.outputs:
                if out.name == output_name:
                    return out.key  # type: ignore[no-any-return]
        return self.asset_key

    # Partitions -----------------------------------------------------------------------

    @property
    def has_partition_key(self) -> bool:
        return self.partition_key_value is not None

    @property
    def has_partition_key_range(self) -> bool:
        return (
            self.partition_key_value is not None
            or self._partition_keys is not None
            or self._key_range is not None
        )

    @property
    def partition_key(self) -> str:
        if self.partition_key_value is None:
            if self._partition_keys is not None:
                raise InvalidInvocationError(
                    f"This step runs {len(self._partition_keys)} partitions at once "
                    "(BackfillPolicy.single_run()); use context.partition_keys or "
                    "context.partition_key_range instead of context.partition_key."
                )
            raise InvalidInvocationError(
                "context.partition_key is only set when a partitioned asset runs for a partition; "
                "check context.has_partition_key first, or pass partition_key= to materialize."
            )
        return self.partition_key_value

    @property
    def partition_keys(self) -> list[str]:
        if self._partition_keys is not None:
            return list(self._partition_keys)
        return [self.partition_key]

    @property
    def partition_key_range(self) -> Any:
        from nbassets.partitions.keys import PartitionKeyRange

        if self._key_range is not None:  # given to build_asset_context
            start, end = (
                (self._key_range.start, self._key_range.end)
                if hasattr(self._key_range, "start")
                else tuple(self._key_range)
            )
            return PartitionKeyRange(start, end)
        keys = self.partition_keys
        return PartitionKeyRange(keys[0], keys[-1])

    @property
    def multi_partition_key(self) -> Any:
        """The partition key as a ``MultiPartitionKey``, for a multi-partitioned asset."""
        from nbassets.partitions.multi import MultiPartitionKey

        key = self.partition_key
        if not isinstance(key, MultiPartitionKey):
            raise InvalidInvocationError(
                "Cannot access multi_partition_key for a run that is not partitioned with a "
                "MultiPartitionsDefinition; use context.partition_key."
            )
        return key

    def asset_partition_key_range_for_input(self, input_name: str) -> Any:
        """The first and last upstream partitions the input ``input_name`` reads."""
        from nbassets.partitions.keys import PartitionKeyRange

        keys = self.asset_partition_keys_for_input(input_name)
        if not keys:
            raise InvalidInvocationError(
                f"Input '{input_name}' reads no partition in this step, so it has no range."
            )
        return PartitionKeyRange(keys[0], keys[-1])

    def asset_partition_key_for_output(self, output_name: str = "result") -> str:
        return self.partition_key

    def asset_partition_keys_for_input(self, input_name: str) -> list[str]:
        """The upstream partitions the input ``input_name`` reads in this step."""
        self.asset_key_for_input(input_name)  # names the input's error if unknown
        return list(self._input_partitions.get(input_name, []))

    def asset_partition_key_for_input(self, input_name: str) -> str:
        keys = self.asset_partition_keys_for_input(input_name)
        if len(keys) != 1:
            raise InvalidInvocationError(
                f"Input '{input_name}' reads {len(keys)} partitions here; use "
                "context.asset_partition_keys_for_input(...)."
            )
        return keys[0]

    @property
    def partition_time_window(self) -> Any:
        window_for = getattr(self._partitions_def, "time_window_for_partition_key", None)
        if window_for is None:
            raise InvalidInvocationError(
                "context.partition_time_window needs a time-window partitioned asset "
                "(e.g. DailyPartitionsDefinition)."
            )
        keys = self.partition_keys
        first, last = window_for(keys[0]), window_for(keys[-1])
        if len(keys) == 1:
            return first
        from nbassets.partitions.keys import TimeWindow

        return TimeWindow(first.start, last.end)

    # Metadata -----------------------------------------------------------------------

    def add_output_metadata(
        self,
        metadata: Mapping[str, Any],
        output_name: str | None = None,
        mapping_key: str | None = None,
    ) -> None:
        """Attach metadata to this step's materialization (of ``output_name``).

        In an op of a job: to the output's event (of its ``mapping_key``, for a dynamic
        output), which must not have been yielded yet.
        """
        if self._op_outputs is not None:
            self._op_outputs.add(metadata, output_name, mapping_key)
            return
        key = self.asset_key_for_output(output_name) if output_name else None
        self._added.setdefault(key, {}).update(normalize_metadata(metadata))

    def add_asset_metadata(
        self, metadata: Mapping[str, Any], asset_key: Any = None, partition_key: str | None = None
    ) -> None:
        from nbassets.definitions.keys import coerce_key

        key = coerce_key(asset_key) if asset_key is not None else None
        self._added.setdefault(key, {}).update(normalize_metadata(metadata))

    def added_metadata_for(self, key: AssetKey) -> dict[str, MetadataValue]:
        """Metadata added at run time for ``key`` (and for the step as a whole)."""
        if not self._added:
            return {}
        merged = dict(self._added.get(None, {}))
        merged.update(self._added.get(key, {}))
        return merged

    def bind(self, assets_def: Any) -> None:
        """Take the keys of ``assets_def`` when called directly with a built context."""
        if not self._keys:
            self._keys = tuple(assets_def.keys)
            if not self.selected_asset_keys:
                self.selected_asset_keys = set(self._keys)
        if self._assets_def is None:
            self._assets_def = assets_def
            self._partitions_def = getattr(assets_def, "partitions_def", None)
            self._bind_resources(assets_def)

    def _bind_resources(self, assets_def: Any) -> None:
        """Add the definition's own resources to those given, as a direct call in Dagster.

        Raises:
            InvalidInvocationError: a resource is given both ways.
            InvalidDefinitionError: a resource the definition requires is given neither way.
        """
        own = dict(getattr(assets_def, "resource_defs", None) or {})
        given = self.resources._asdict() if isinstance(self.resources, Resources) else {}
        for name in sorted(own.keys() & given.keys()):
            raise InvalidInvocationError(
                f"Error when invoking {assets_def.node_name}: resource '{name}' provided on both "
                "the definition and invocation context. Give it in one place."
            )
        if own:
            from nbassets.definitions.resources import resolve_resources

            given.update(resolve_resources(own))
            self.resources = Resources(given)
        needed: frozenset[str] = getattr(assets_def, "required_resource_keys", frozenset())
        for name in sorted(set(needed) - set(given)):
            raise InvalidDefinitionError(
                f"resource with key '{name}' required by op '{assets_def.node_name}' was not "
                "provided. Pass it to build_asset_context(resources={...})."
            )

    def __repr__(self) -> str:
        keys = ", ".join(k.to_user_string() for k in self._keys) or "no asset"
        return f"<{type(self).__name__} {keys} run={self.run.run_id[:8]}>"


class AssetCheckExecutionContext(AssetExecutionContext):
    """Passed to an asset check that declares a ``context`` parameter.

    ``asset_key`` is the key of the checked asset; ``check_name`` and
    ``op_def.name`` name the check; ``selected_asset_check_keys`` are the checks
    this call evaluates (all of a ``@multi_asset_check``'s, unless the run selected
    only some).
    """

    __slots__ = ("_checks_def", "check_name")

    def __init__(
        self,
        *,
        check_name: str,
        checks_def: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("check_keys", ())
        super().__init__(**kwargs)
        self.check_name = check_name
        self._checks_def = checks_def

    @property
    def op_def(self) -> Any:
        from nbassets.definitions.assets import OpHandle

        return OpHandle(self.check_name, {})

    @property
    def checks_def(self) -> Any:
        return self._checks_def

    @property
    def check_specs(self) -> list[Any]:
        """The specs of the checks this call evaluates."""
        if self._checks_def is None:
            return []
        chosen = self._check_keys or ()
        return [s for s in self._checks_def.selected_specs if s.key in chosen]

    def bind(self, assets_def: Any) -> None:
        """Take the checks definition a directly called check function belongs to."""
        if self._checks_def is not None:
            return
        self._checks_def = assets_def
        self.check_name = assets_def.name
        self._check_keys = tuple(s.key for s in assets_def.selected_specs)
        if not self._keys:
            self._keys = assets_def.asset_keys


def build_asset_context(
    resources: Mapping[str, Any] | None = None,
    resources_config: Mapping[str, Any] | None = None,
    asset_config: Any = None,
    instance: Any = None,
    partition_key: str | None = None,
    partition_key_range: Any = None,
    run_tags: Mapping[str, str] | None = None,
    *,
    asset_key: Any = None,
    config: Any = None,
    selected_asset_keys: Any = None,
    run_id: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> AssetExecutionContext:
    """A context for calling an asset function directly, as in a unit test.

    Without ``asset_key`` the context takes the key of the asset it is passed to.
    """
    from nbassets.definitions.keys import coerce_key

    keys = (coerce_key(asset_key),) if asset_key is not None else ()
    return AssetExecutionContext(
        run=RunInfo(run_id or str(uuid.uuid4()), {**(run_tags or {}), **(tags or {})}),
        keys=keys,
        resources=Resources(resources or {}),
        op_config=asset_config if asset_config is not None else config,
        partition_key=partition_key,
        instance=instance,
        selected_asset_keys=(
            [coerce_key(k) for k in selected_asset_keys]
            if selected_asset_keys is not None
            else None
        ),
        key_range=partition_key_range,
    )


def build_asset_check_context(
    resources: Mapping[str, Any] | None = None,
    resources_config: Mapping[str, Any] | None = None,
    asset_config: Any = None,
    instance: Any = None,
    partition_key: str | None = None,
    *,
    check_name: str = "check",
    asset_key: Any = None,
) -> AssetCheckExecutionContext:
    """A context for calling an asset check function directly, as in a unit test.

    Passed to a check, it takes that check's name, keys and asset.
    """
    from nbassets.definitions.keys import coerce_key

    del resources_config
    return AssetCheckExecutionContext(
        check_name=check_name,
        run=RunInfo(str(uuid.uuid4()), {}),
        keys=(coerce_key(asset_key),) if asset_key is not None else (),
        resources=Resources(resources or {}),
        op_config=asset_config,
        partition_key=partition_key,
        instance=instance,
    )


def build_op_context(
    resources: Mapping[str, Any] | None = None,
    op_config: Any = None,
    resources_config: Mapping[str, Any] | None = None,
    instance: Any = None,
    config: Any = None,
    partition_key: str | None = None,
    partition_key_range: Any = None,
    run_tags: Mapping[str, str] | None = None,
) -> AssetExecutionContext:
    """A context for calling an op (or an asset) directly, as Dagster's ``build_op_context``."""
    return build_asset_context(
        resources=resources,
        resources_config=resources_config,
        asset_config=op_config if op_config is not None else config,
        instance=instance,
        partition_key=partition_key,
        partition_key_range=partition_key_range,
        run_tags=run_tags,
    )


# Dagster's name for the context an op receives; in nbassets ops get the asset context.
OpExecutionContext = AssetExecutionContext
