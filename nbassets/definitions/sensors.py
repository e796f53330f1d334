"""Automation sensors: Dagster's ``AutomationConditionSensorDefinition``, accepted and carried.

Responsibilities:
- ``AutomationConditionSensorDefinition``: which assets a deployment's daemon would
  evaluate automation conditions for, with its name, tags, status and interval, so
  a ``Definitions`` written for Dagster loads and exports unchanged.
- ``DefaultSensorStatus`` and ``build_sensor_context``: the pieces such code names.

A notebook has no daemon (see ``nbassets.definitions.automation``): nothing ticks
these sensors, and evaluating one in process is refused, as Dagster refuses it for a
sensor its daemon evaluates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from nbassets.errors import InvalidDefinitionError

__all__ = [
    "AutomationConditionSensorDefinition",
    "DefaultSensorStatus",
    "SensorEvaluationContext",
    "build_sensor_context",
]


class DefaultSensorStatus(Enum):
    """Whether a sensor starts running when deployed."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


@dataclass
class SensorEvaluationContext:
    """What a sensor evaluation is given: the instance, its cursor and the definitions."""

    instance: Any = None
    cursor: str | None = None
    repository_def: Any = None
    definitions: Any = None
    resources: Mapping[str, Any] = field(default_factory=dict)
    sensor_name: str | None = None


def build_sensor_context(
    instance: Any = None,
    cursor: str | None = None,
    repository_name: str | None = None,
    repository_def: Any = None,
    sensor_name: str | None = None,
    resources: Mapping[str, Any] | None = None,
    definitions: Any = None,
    **ignored: Any,
) -> SensorEvaluationContext:
    """A sensor evaluation context, as Dagster's ``build_sensor_context``."""
    del repository_name, ignored
    return SensorEvaluationContext(
        instance, cursor, repository_def, definitions, dict(resources or {}), sensor_name
    )


class AutomationConditionSensorDefinition:
    """A sensor evaluating the automation conditions of ``target``'s assets (carried only)."""

    def __init__(
        self,
        name: str,
        *,
        target: Any,
        tags: Mapping[str, str] | None = None,
        run_tags: Mapping[str, Any] | None = None,
        default_status: DefaultSensorStatus = DefaultSensorStatus.STOPPED,
        minimum_interval_seconds: int | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        emit_backfills: bool = True,
        use_user_code_server: bool = False,
        default_condition: Any = None,
        asset_job_keys: Any = None,
    ) -> None:
        if default_condition is not None and not use_user_code_server:
            raise InvalidDefinitionError(
                "Setting a `default_condition` for a non-user-code "
                "AutomationConditionSensorDefinition is not supported; pass "
                "use_user_code_server=True with it."
            )
        self.name = name
        self.target = target
        self.asset_selection = target
        self.tags = dict(tags or {})
        self.run_tags = dict(run_tags or {})
        self.default_status = default_status
        self.minimum_interval_seconds = minimum_interval_seconds
        self.description = description
        self.metadata = dict(metadata or {})
        self.emit_backfills = emit_backfills
        self.use_user_code_server = use_user_code_server
        self.default_condition = default_condition
        self.asset_job_keys = set(asset_job_keys) if asset_job_keys is not None else None

    def __call__(self, context: Any = None) -> Any:
        del context
        if not self.use_user_code_server:
            raise NotImplementedError(
                "Automation condition sensors cannot be evaluated like regular user-space sensors."
            )
        raise NotImplementedError(
            f"Sensor {self.name!r} evaluates automation conditions, which nbassets carries but "
            "does not evaluate (a notebook has no daemon); materialize the assets instead."
        )

    def __repr__(self) -> str:
        return f"AutomationConditionSensorDefinition({self.name!r})"
