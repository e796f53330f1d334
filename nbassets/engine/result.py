"""``ExecuteInProcessResult``: what a finished run tells its caller.

Responsibilities:
- Success, run id, events, and Dagster's accessors (``output_for_node``,
  ``asset_materializations_for_node``, ``get_step_failure_events``, ...).
- Failure information: which steps failed and were skipped, and why.
- ``read_values_from``: let a result stop holding values an in-memory store
  holds, so a result kept alive (IPython's ``Out``) keeps no value alive.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nbassets.definitions.keys import AssetKey, coerce_key
from nbassets.engine.events import (
    AssetCheckEvaluation,
    AssetMaterialization,
    EventType,
    RunEvent,
    StepFailureData,
)
from nbassets.errors import InvalidInvocationError, did_you_mean
from nbassets.storage.remote_values import RemoteValue

__all__ = ["ExecuteInProcessResult"]


class _Stored:
    """Where a value the result no longer holds can be read: an in-memory store entry."""

    __slots__ = ("key", "partition", "store")

    def __init__(self, store: Mapping[Any, Any], key: AssetKey, partition: str | None) -> None:
        self.store = store
        self.key = key
        self.partition = partition

    def read(self) -> Any:
        try:
            return self.store[(self.key, self.partition)]
        except KeyError:
            where = f" partition '{self.partition}'" if self.partition is not None else ""
            raise InvalidInvocationError(
                f"The value of '{self.key.to_user_string()}'{where} is no longer stored (it was "
                "removed after this run); materialize it again to read it."
            ) from None


def _read(value: Any) -> Any:
    kind = type(value)
    if kind is _Stored:
        return value.read()
    if kind is RemoteValue:
        return value.fetch()  # a value a Dask worker kept: fetched when asked for
    return value


@dataclass(frozen=True)
class DagsterRun:
    """A finished run: its id, tags and status (``SUCCESS``, ``FAILURE`` or ``CANCELED``)."""

    run_id: str
    tags: dict[str, str]
    status: str


class ExecuteInProcessResult:
    """The outcome of ``materialize`` / ``materialize_to_memory``."""

    def __init__(
        self,
        *,
        run_id: str,
        events: Sequence[RunEvent],
        outputs: Mapping[str, Mapping[str, Any]],
        values: Mapping[AssetKey, Any],
        outcomes: Mapping[str, str],
        reasons: Mapping[str, str],
        canceled: bool = False,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.run_id = run_id
        self._events = list(events)
        self._outputs = outputs
        self._values = values
        self._outcomes = dict(outcomes)
        self._reasons = dict(reasons)
        self.canceled = canceled
        self.tags = dict(tags or {})
        # The job that ran, when a JobDefinition ran it (Dagster's result.job_def).
        self.job_def: Any = None

    @property
    def success(self) -> bool:
        return not self.canceled and all(
            o in ("success", "blocked") for o in self._outcomes.values()
        )

    @property
    def dagster_run(self) -> DagsterRun:
        """The run as Dagster describes it: id, tags and final status."""
        status = "CANCELED" if self.canceled else "SUCCESS" if self.success else "FAILURE"
        return DagsterRun(self.run_id, dict(self.tags), status)

    @property
    def all_events(self) -> list[RunEvent]:
        return list(self._events)

    @property
    def all_node_events(self) -> list[RunEvent]:
        return [e for e in self._events if e.step_key is not None]

    def filter_events(self, event_type: EventType | Callable[[RunEvent], bool]) -> list[RunEvent]:
        """The run's events of ``event_type``, or those the function accepts (Dagster)."""
        if callable(event_type) and not isinstance(event_type, EventType):
            accepts = event_type
            return [e for e in self._events if accepts(e)]
        return [e for e in self._events if e.event_type is event_type]

    # Values --------------------------------------------------------------------------

    def output_for_node(self, node_str: str, output_name: str = "result") -> Any:
        """The value a step returned for ``output_name``; an asset's node is its key with ``__``."""
        outputs = self._outputs.get(node_str)
        if outputs is None:
            outputs = self._outputs.get(coerce_key(node_str).to_python_identifier())
        if outputs is None:
            by_partition = self._partition_outputs(node_str, output_name)
            if by_partition:
                return by_partition
        if outputs is None:
            outcome = self._outcomes.get(node_str)
            if outcome is not None:
                raise InvalidInvocationError(
                    f"Node '{node_str}' did not produce a value in this run: it {outcome}"
                    f"{' (' + self._reasons[node_str] + ')' if node_str in self._reasons else ''}."
                )
            raise InvalidInvocationError(
                f"No node '{node_str}' in this run.{did_you_mean(node_str, self._outputs)}"
            )
        if output_name not in outputs:
            if len(outputs) == 1 and output_name == "result":
                return _read(next(iter(outputs.values())))
            raise InvalidInvocationError(
                f"No outputs found for output '{output_name}' from node '{node_str}'.",
                advice=f"Node '{node_str}' has no output '{output_name}' in this run; the "
                f"outputs it produced: {sorted(outputs)}.",
            )
        return _read(outputs[output_name])

    @property
    def asset_values(self) -> dict[AssetKey, Any]:
        """The value of every asset this run materialized (nbassets addition)."""
        return {key: _read(value) for key, value in self._values.items()}

    def _partition_outputs(self, node: str, output_name: str) -> dict[str, Any]:
        """``{partition: value}`` for a node that ran a step per partition."""
        found = {}
        for step_key, outputs in self._outputs.items():
            if _is_step_of(step_key, node) and step_key != node:
                partition = step_key[len(node) + 1 : -1]
                if output_name in outputs:
                    found[partition] = _read(outputs[output_name])
                elif len(outputs) == 1 and output_name == "result":
                    found[partition] = _read(next(iter(outputs.values())))
        return found

    def output_value(self, output_name: str = "result") -> Any:
        if len(self._outputs) != 1:
            raise InvalidInvocationError(
                "output_value() needs a run of one node; use output_for_node."
            )
        return self.output_for_node(next(iter(self._outputs)), output_name)

    def asset_value(self, asset_key: Any) -> Any:
        key = coerce_key(asset_key)
        if key not in self._values:
            names = [k.to_user_string() for k in self._values]
            raise InvalidInvocationError(
                f"Asset '{key.to_user_string()}' has no value in this run."
                f"{did_you_mean(key.to_user_string(), names)}"
            )
        return _read(self._values[key])

    def read_values_from(self, store: Mapping[tuple[AssetKey, str | None], Any]) -> None:
        """Hold no value that ``store`` holds: read it there when asked.

        ``store`` is an in-memory IO manager's ``values``. Afterwards the result
        answers with what the store holds, so after a later run of the same asset
        it gives the newer value; a value the store no longer has is an error
        saying so. The notebook's magics call this, so ``Out[N]`` keeps no value
        alive.
        """
        stored_by_step: dict[str, list[tuple[AssetKey, str | None]]] = {}
        for event in self._events:
            if event.event_type is EventType.ASSET_MATERIALIZATION and event.asset_key:
                where = (event.asset_key, event.partition)
                stored_by_step.setdefault(event.step_key or "", []).append(where)
        outputs: dict[str, dict[str, Any]] = {}
        for step_key, by_name in self._outputs.items():
            candidates = stored_by_step.get(step_key, [])
            outputs[step_key] = {
                name: _reference(store, candidates, value) for name, value in by_name.items()
            }
        self._outputs = outputs
        self._values = {
            key: _reference(store, [(key, None)], value) for key, value in self._values.items()
        }

    # Materializations and checks -----------------------------------------------------

    def asset_materializations_for_node(self, node_name: str) -> list[AssetMaterialization]:
        """Materializations of a node's assets, every partition of a range run included."""
        return [
            e.data
            for e in self._events
            if e.event_type is EventType.ASSET_MATERIALIZATION
            and _is_step_of(e.step_key, node_name)
        ]

    def get_asset_materialization_events(self) -> list[RunEvent]:
        return self.filter_events(EventType.ASSET_MATERIALIZATION)

    @property
    def asset_materializations(self) -> list[AssetMaterialization]:
        return [e.data for e in self.get_asset_materialization_events()]

    def get_asset_check_evaluations(self) -> list[AssetCheckEvaluation]:
        return [e.data for e in self.filter_events(EventType.ASSET_CHECK_EVALUATION)]

    # Steps ---------------------------------------------------------------------------

    def get_step_success_events(self) -> list[RunEvent]:
        return self.filter_events(EventType.STEP_SUCCESS)

    def get_step_failure_events(self) -> list[RunEvent]:
        return self.filter_events(EventType.STEP_FAILURE)

    def get_step_skipped_events(self) -> list[RunEvent]:
        return self.filter_events(EventType.STEP_SKIPPED)

    def get_failed_step_keys(self) -> set[str]:
        return {k for k, o in self._outcomes.items() if o == "failed"}

    def get_skipped_step_keys(self) -> set[str]:
        return {k for k, o in self._outcomes.items() if o == "skipped"}

    def skip_reason(self, step_key: str) -> str | None:
        return self._reasons.get(step_key)

    def is_node_success(self, node_str: str) -> bool:
        return self._outcomes.get(node_str) in ("success", "blocked")

    def is_node_failed(self, node_str: str) -> bool:
        return self._outcomes.get(node_str) == "failed"

    def is_node_skipped(self, node_str: str) -> bool:
        return self._outcomes.get(node_str) == "skipped"

    @property
    def failure_data(self) -> StepFailureData | None:
        """The first step failure's data (error message, class, stack), if any."""
        failures = self.get_step_failure_events()
        return failures[0].data if failures else None

    @property
    def failure_info(self) -> StepFailureData | None:
        return self.failure_data

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for outcome in self._outcomes.values():
            counts[outcome] = counts.get(outcome, 0) + 1
        summary = ", ".join(f"{n} {o}" for o, n in sorted(counts.items())) or "no steps"
        state = "canceled" if self.canceled else ("success" if self.success else "failure")
        return f"<ExecuteInProcessResult {state}: {summary}; run_id={self.run_id[:8]}>"


def _reference(
    store: Mapping[tuple[AssetKey, str | None], Any],
    candidates: list[tuple[AssetKey, str | None]],
    value: Any,
) -> Any:
    """A ``_Stored`` for ``value`` when ``store`` holds this very object, else ``value``."""
    # dict.get: the entry as it is, without loading or fetching it.
    raw = isinstance(store, dict)
    for key, partition in candidates:
        slot = (key, partition)
        entry = dict.get(store, slot, _Stored) if raw else store.get(slot, _Stored)  # type: ignore[call-overload]
        if entry is value:
            return _Stored(store, key, partition)
    return value


def _is_step_of(step_key: str | None, node: str) -> bool:
    """Whether ``step_key`` is ``node``'s step, or one of its partition steps."""
    return step_key == node or (
        step_key is not None and step_key.startswith(node + "[") and step_key.endswith("]")
    )
