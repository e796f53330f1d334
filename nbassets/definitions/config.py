"""Run-time configuration and resources: Dagster's ``Config`` and ``ConfigurableResource``.

Responsibilities:
- ``Config``: a pydantic model an asset declares as a parameter to receive config.
- ``ConfigurableResource``: a pydantic model given to runs under a resource key,
  with optional setup and teardown around each run.
- ``RunConfig``: the typed spelling of run config (``ops=``, ``resources=``).
- ``validate_config``: turn raw run config into a ``Config`` instance, or raise a
  ``ConfigError`` naming the asset and pydantic's reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from nbassets.errors import ConfigError

__all__ = [
    "Config",
    "ConfigurableResource",
    "RunConfig",
    "validate_config",
]


class Config(BaseModel):
    """Base class for an asset's config schema.

    Declare a parameter annotated with a subclass (conventionally named
    ``config``); the run passes ``run_config={"ops": {name: {"config": {...}}}}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigurableResource(BaseModel):
    """Base class for resources: connections, clients, settings shared by assets.

    An asset receives one through a parameter annotated with the resource's
    class (the parameter name is the resource key) or through
    ``required_resource_keys`` and ``context.resources``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    def setup_for_execution(self, context: Any) -> None:
        """Called once before a run that uses the resource; override to connect."""

    def teardown_after_execution(self, context: Any) -> None:
        """Called once after that run, even when it failed; override to disconnect."""


class RunConfig:
    """Run config with typed values: ``RunConfig(ops={"my_asset": MyConfig(x=1)})``."""

    def __init__(
        self,
        ops: Mapping[str, Any] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})

    def to_config_dict(self) -> dict[str, Any]:
        ops: dict[str, Any] = {}
        for name, value in self.ops.items():
            if isinstance(value, BaseModel):
                ops[name] = {"config": value.model_dump()}
            else:
                ops[name] = value
        return {"ops": ops, "resources": dict(self.resources)}


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item.get("loc", ())) or "(config)"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts)


def validate_config(asset_name: str, config_class: type[Config], raw: Any) -> Config:
    """Build ``config_class`` from ``raw`` (a dict, an instance, or None for defaults)."""
    if isinstance(raw, config_class):
        return raw
    if isinstance(raw, BaseModel):
        raw = raw.model_dump()
    try:
        return config_class.model_validate(raw or {})
    except ValidationError as error:
        missing = [
            ".".join(str(p) for p in item["loc"])
            for item in error.errors()
            if item.get("type") == "missing"
        ]
        example = ", ".join(f"'{name}': ..." for name in missing) or "..."
        raise ConfigError(
            f"Invalid config for asset '{asset_name}' ({config_class.__name__}): "
            f"{_reason(error)}. Pass it as run_config={{'ops': {{'{asset_name}': "
            f"{{'config': {{{example}}}}}}}}}."
        ) from error
