"""What an asset or check function returns, and the exceptions it may raise.

Responsibilities:
- ``MaterializeResult`` and ``Output``: a value with metadata, for one asset.
- ``AssetCheckResult`` and ``AssetCheckSeverity``: the outcome of a check.
- ``DataVersion``: an explicit version of an asset's data.
- ``Failure`` and ``RetryRequested``: exceptions user code raises on purpose.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from nbassets.definitions.keys import AssetKey, CoercibleToAssetKey, coerce_key
from nbassets.definitions.metadata import MetadataValue, normalize_metadata

__all__ = [
    "AssetCheckResult",
    "AssetCheckSeverity",
    "DataVersion",
    "Failure",
    "MaterializeResult",
    "Output",
    "RetryRequested",
]

_NO_VALUE: Any = object()


@dataclass(frozen=True, slots=True)
class DataVersion:
    """An explicit version of an asset's data; unchanged data keeps downstream fresh."""

    value: str


@dataclass(frozen=True)
class DataVersionsByPartition:
    """What an observation of a partitioned source returns: a data version per partition."""

    data_versions_by_partition: Mapping[str, DataVersion]

    def __post_init__(self) -> None:
        versions = {
            str(key): value if isinstance(value, DataVersion) else DataVersion(str(value))
            for key, value in self.data_versions_by_partition.items()
        }
        object.__setattr__(self, "data_versions_by_partition", versions)


_T = TypeVar("_T")


class MaterializeResult(Generic[_T]):
    """A successful materialization: optional value, metadata, check results and tags.

    ``MaterializeResult[T]`` annotates an asset whose result carries a value of type ``T``.

    Without ``value`` the asset stores nothing through its IO manager, as in Dagster,
    where ``MaterializeResult`` means the function wrote its data itself.
    """

    __slots__ = ("asset_key", "check_results", "data_version", "metadata", "tags", "value")

    def __init__(
        self,
        *,
        asset_key: CoercibleToAssetKey | None = None,
        metadata: Mapping[str, Any] | None = None,
        check_results: Sequence[AssetCheckResult] | None = None,
        data_version: DataVersion | None = None,
        tags: Mapping[str, str] | None = None,
        value: Any = _NO_VALUE,
    ) -> None:
        self.asset_key = coerce_key(asset_key) if asset_key is not None else None
        # Kept as given, as in Dagster; the engine normalizes it when it records the run.
        self.metadata: dict[str, Any] = dict(metadata or {})
        normalize_metadata(metadata)  # refuse a bad value where it is written
        self.check_results = tuple(check_results or ())
        self.data_version = data_version
        self.tags = dict(tags or {})
        self.value = value

    @property
    def has_value(self) -> bool:
        return self.value is not _NO_VALUE

    def __repr__(self) -> str:
        key = f"asset_key={self.asset_key!r}, " if self.asset_key else ""
        return f"MaterializeResult({key}metadata={list(self.metadata)})"


class Output(Generic[_T]):
    """A value for one output, with metadata: Dagster's ``Output`` (``Output[int]`` types it)."""

    __slots__ = ("data_version", "metadata", "output_name", "tags", "value")

    def __init__(
        self,
        value: Any,
        output_name: str = "result",
        metadata: Mapping[str, Any] | None = None,
        data_version: DataVersion | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.value = value
        self.output_name = output_name
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata)
        self.data_version = data_version
        self.tags = dict(tags or {})

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Output)
            and self.value == other.value
            and self.output_name == other.output_name
            and self.metadata == other.metadata
            and self.data_version == other.data_version
            and self.tags == other.tags
        )

    __hash__ = None  # type: ignore[assignment]

    def with_metadata(self, metadata: Mapping[str, Any]) -> Output[_T]:
        """A copy with ``metadata`` in place of its metadata (Dagster's ``with_metadata``)."""
        return Output(self.value, self.output_name, metadata, self.data_version, self.tags)

    def __repr__(self) -> str:
        return f"Output(output_name={self.output_name!r}, metadata={list(self.metadata)})"


class AssetCheckSeverity(enum.Enum):
    """How bad a failed check is: ``ERROR`` (default) or ``WARN``."""

    WARN = "WARN"
    ERROR = "ERROR"


@dataclass(frozen=True)
class AssetCheckResult:
    """The outcome of one asset check."""

    passed: bool
    asset_key: AssetKey | None = None
    check_name: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    description: str | None = None

    def __post_init__(self) -> None:
        if self.asset_key is not None and not isinstance(self.asset_key, AssetKey):
            object.__setattr__(self, "asset_key", coerce_key(self.asset_key))
        object.__setattr__(self, "passed", bool(self.passed))
        object.__setattr__(self, "metadata", normalize_metadata(self.metadata))

    def with_metadata(self, metadata: Mapping[str, Any]) -> Any:
        """A copy with ``metadata`` in place of its metadata (Dagster's ``with_metadata``)."""
        return replace(self, metadata=metadata)


class Failure(Exception):
    """Raise from an asset to fail it with a description and metadata.

    ``allow_retries=False`` fails the step at once, whatever its retry policy.
    """

    def __init__(
        self,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        allow_retries: bool = True,
    ) -> None:
        super().__init__(description or "Asset failed")
        self.description = description
        self.metadata = normalize_metadata(metadata)
        self.allow_retries = allow_retries


class RetryRequested(Exception):
    """Raise from an asset to ask for another attempt, even without a retry policy."""

    def __init__(self, max_retries: int = 1, seconds_to_wait: float | None = None) -> None:
        super().__init__(f"Retry requested (max_retries={max_retries})")
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait
