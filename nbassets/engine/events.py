"""Events a run emits, in order, to its result and to anyone listening.

Responsibilities:
- ``EventType``: Dagster's event names for runs, steps, materializations,
  check evaluations and logs.
- ``RunEvent``: one event, with Dagster's ``is_*`` predicates.
- The payloads: ``AssetMaterialization``, ``AssetCheckEvaluation``,
  ``StepFailureData`` with ``ErrorInfo``, ``StepSkippedData``, ``LogData``.
"""

from __future__ import annotations

import enum
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.definitions.metadata import MetadataValue, normalize_metadata
from nbassets.definitions.results import AssetCheckSeverity
from nbassets.definitions.specs import AssetCheckKey

__all__ = [
    "AssetCheckEvaluation",
    "AssetCheckEvaluationTargetMaterializationData",
    "AssetMaterialization",
    "DagsterEventType",
    "ErrorInfo",
    "EventType",
    "LogData",
    "RunEvent",
    "StepFailureData",
    "StepSkippedData",
]


class EventType(str, enum.Enum):
    RUN_START = "RUN_START"
    RUN_SUCCESS = "RUN_SUCCESS"
    RUN_FAILURE = "RUN_FAILURE"
    RUN_CANCELED = "RUN_CANCELED"
    STEP_START = "STEP_START"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_UP_FOR_RETRY = "STEP_UP_FOR_RETRY"
    STEP_INPUT = "STEP_INPUT"
    STEP_OUTPUT = "STEP_OUTPUT"
    HANDLED_OUTPUT = "HANDLED_OUTPUT"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"
    ASSET_CHECK_EVALUATION = "ASSET_CHECK_EVALUATION"
    ASSET_OBSERVATION = "ASSET_OBSERVATION"
    STEP_EXPECTATION_RESULT = "STEP_EXPECTATION_RESULT"
    ASSET_MATERIALIZATION_PLANNED = "ASSET_MATERIALIZATION_PLANNED"
    ASSET_CHECK_EVALUATION_PLANNED = "ASSET_CHECK_EVALUATION_PLANNED"
    LOGS_CAPTURED = "LOGS_CAPTURED"
    LOG = "LOG"
    HOOK_COMPLETED = "HOOK_COMPLETED"
    HOOK_SKIPPED = "HOOK_SKIPPED"
    HOOK_ERRORED = "HOOK_ERRORED"


# Dagster's name for the same enum.
DagsterEventType = EventType


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """An exception, kept as text and as the object, for results and views."""

    message: str
    cls_name: str
    stack: tuple[str, ...]
    exception: BaseException | None = field(default=None, compare=False, repr=False)

    @staticmethod
    def from_exception(error: BaseException) -> ErrorInfo:
        # An error that failed a step on a Dask worker brings its stack as text.
        stack = getattr(error, "_nbassets_stack", None) or traceback.format_tb(error.__traceback__)
        message = "".join(traceback.format_exception_only(type(error), error)).strip()
        return ErrorInfo(message, type(error).__name__, tuple(stack), error)

    def to_string(self) -> str:
        return "".join(self.stack) + self.message


@dataclass(frozen=True, slots=True)
class StepFailureData:
    error: ErrorInfo
    user_failure_data: Any = None
    retries_exhausted: int = 0


@dataclass(frozen=True, slots=True)
class StepSkippedData:
    """Why a step did not run: the upstream that failed or a blocking check."""

    reason: str
    blocked_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExpectationResult:
    """An op's report that an expectation on its data held, or not.

    Dagster's (deprecated there for asset checks); logged with ``context.log_event``.
    """

    success: bool
    label: str | None = None
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class AssetMaterialization:
    # Dagster's order: AssetMaterialization("foo", "a description", metadata={...}).
    asset_key: AssetKey
    description: str | None = None
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    partition: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if type(self.asset_key) is not AssetKey:
            self.asset_key = coerce_key(self.asset_key)
        # Typed, as Dagster types it (the engine's own events already are).
        if self.metadata is None:
            self.metadata = {}
        elif any(not isinstance(v, MetadataValue) for v in self.metadata.values()):
            self.metadata = normalize_metadata(self.metadata)

    @property
    def label(self) -> str:
        """Dagster's label: the key's parts joined by spaces."""
        return " ".join(self.asset_key.path)

    @property
    def materialization(self) -> AssetMaterialization:
        """Itself: Dagster's event data wraps the materialization; here it is the data."""
        return self

    def with_metadata(self, metadata: Mapping[str, Any]) -> Any:
        """A copy with ``metadata`` in place of its metadata (Dagster's ``with_metadata``)."""
        return replace(self, metadata=metadata)


@dataclass(frozen=True, slots=True)
class AssetCheckEvaluationTargetMaterializationData:
    """The materialization a check evaluated: the latest of its asset when it ran."""

    storage_id: int
    run_id: str
    timestamp: float


@dataclass(frozen=True, slots=True)
class AssetCheckEvaluation:
    asset_key: AssetKey
    check_name: str
    passed: bool
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    description: str | None = None
    blocking: bool = False
    # None when the asset had never been materialized (a check on a source asset, say).
    target_materialization_data: AssetCheckEvaluationTargetMaterializationData | None = None
    # The partition the check evaluated (that of its step), None when unpartitioned.
    partition: str | None = None

    @property
    def asset_check_key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.check_name)

    def with_metadata(self, metadata: Mapping[str, Any]) -> Any:
        """A copy with ``metadata`` in place of its metadata (Dagster's ``with_metadata``)."""
        return replace(self, metadata=metadata)


@dataclass(frozen=True, slots=True)
class LogData:
    level: str
    message: str


class RunEvent:
    """One thing that happened in a run: Dagster's ``DagsterEvent``, trimmed."""

    __slots__ = (
        "asset_key",
        "data",
        "event_type",
        "message",
        "partition",
        "run_id",
        "step_key",
        "timestamp",
    )

    def __init__(
        self,
        event_type: EventType,
        run_id: str,
        timestamp: float,
        step_key: str | None = None,
        asset_key: AssetKey | None = None,
        data: Any = None,
        message: str = "",
        partition: str | None = None,
    ) -> None:
        self.event_type = event_type
        self.run_id = run_id
        self.timestamp = timestamp
        self.step_key = step_key
        self.asset_key = asset_key
        self.data = data
        self.message = message
        self.partition = partition

    @property
    def event_type_value(self) -> str:
        return self.event_type.value

    @property
    def event_specific_data(self) -> Any:
        return self.data

    @property
    def is_step_start(self) -> bool:
        return self.event_type is EventType.STEP_START

    @property
    def is_step_success(self) -> bool:
        return self.event_type is EventType.STEP_SUCCESS

    @property
    def is_step_failure(self) -> bool:
        return self.event_type is EventType.STEP_FAILURE

    @property
    def is_step_skipped(self) -> bool:
        return self.event_type is EventType.STEP_SKIPPED

    @property
    def is_step_up_for_retry(self) -> bool:
        return self.event_type is EventType.STEP_UP_FOR_RETRY

    @property
    def is_asset_materialization(self) -> bool:
        return self.event_type is EventType.ASSET_MATERIALIZATION

    @property
    def is_job_success(self) -> bool:
        return self.event_type is EventType.RUN_SUCCESS

    @property
    def is_job_failure(self) -> bool:
        return self.event_type is EventType.RUN_FAILURE

    @property
    def is_step_materialization(self) -> bool:
        return self.event_type is EventType.ASSET_MATERIALIZATION

    @property
    def is_expectation_result(self) -> bool:
        return self.event_type is EventType.STEP_EXPECTATION_RESULT

    @property
    def is_asset_observation(self) -> bool:
        return self.event_type is EventType.ASSET_OBSERVATION

    @property
    def is_successful_output(self) -> bool:
        return self.event_type is EventType.STEP_OUTPUT

    @property
    def is_asset_check_evaluation(self) -> bool:
        return self.event_type is EventType.ASSET_CHECK_EVALUATION

    @property
    def is_run_success(self) -> bool:
        return self.event_type is EventType.RUN_SUCCESS

    @property
    def is_run_failure(self) -> bool:
        return self.event_type is EventType.RUN_FAILURE

    @property
    def is_failure(self) -> bool:
        return self.event_type in (EventType.STEP_FAILURE, EventType.RUN_FAILURE)

    @property
    def materialization(self) -> AssetMaterialization:
        if not isinstance(self.data, AssetMaterialization):
            raise AttributeError(f"A {self.event_type.value} event has no materialization.")
        return self.data

    @property
    def step_input_data(self) -> Any:
        """A ``STEP_INPUT`` event's input name and type check."""
        if self.event_type is not EventType.STEP_INPUT:
            raise AttributeError(f"A {self.event_type.value} event has no input data.")
        return self.data

    @property
    def step_failure_data(self) -> StepFailureData:
        if not isinstance(self.data, StepFailureData):
            raise AttributeError(f"A {self.event_type.value} event has no failure data.")
        return self.data

    def __repr__(self) -> str:
        where = f" {self.step_key}" if self.step_key else ""
        return f"<RunEvent {self.event_type.value}{where}>"
