"""Run config: reading the ``ops`` section and building each asset's config.

Responsibilities:
- Accept run config as a dict or a ``RunConfig``, and refuse unknown sections.
- Validate an asset's config against its ``Config`` class (pydantic's reason in
  the error), or pass raw config to a ``config_schema`` asset.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.errors import ConfigError

if TYPE_CHECKING:
    from nbassets.definitions.config import Config

__all__ = ["config_for", "config_for_ops"]


def config_for_ops(run_config: Any) -> dict[str, Any]:
    """The ``ops`` section of run config, whatever form it was given in."""
    if run_config is None:
        return {}
    to_dict = getattr(run_config, "to_config_dict", None)
    if to_dict is not None:  # a RunConfig
        run_config = to_dict()
    if not isinstance(run_config, Mapping):
        raise ConfigError(
            f"run_config must be a dict like {{'ops': {{'my_asset': {{'config': {{...}}}}}}}} "
            f"or a RunConfig; got {type(run_config).__name__}."
        )
    unknown = set(run_config) - {"ops", "resources", "execution", "loggers"}
    if unknown:
        raise ConfigError(
            f"run_config has unknown section(s) {sorted(unknown)}; asset config goes under "
            "'ops': {'my_asset': {'config': {...}}}."
        )
    ops = run_config.get("ops") or {}
    if not isinstance(ops, Mapping) or not all(isinstance(name, str) for name in ops):
        raise ConfigError(
            f"run_config's 'ops' section must map asset names to their config, like "
            f"{{'ops': {{'my_asset': {{'config': {{...}}}}}}}}; got {ops!r:.80}."
        )
    return dict(ops)


def config_for(entry: AssetsDefinition, raw: Any) -> tuple[Config | None, Any]:
    # Only reached when a config class exists, so pydantic is already imported.
    from nbassets.definitions.config import Config, validate_config

    roles = entry.roles
    if roles.config is None:
        if entry.config_schema is not None:
            section = raw.get("config") if isinstance(raw, Mapping) else None
            return None, check_schema_config(entry.node_name, entry.config_schema, section)
        if raw is not None and (not isinstance(raw, Mapping) or raw.get("config")):
            raise ConfigError(
                f"run_config gives config for '{entry.node_name}', but its function takes no "
                "Config parameter. Add one (config: MyConfig) or drop the entry."
            )
        return None, raw.get("config") if isinstance(raw, Mapping) else None
    if isinstance(raw, Config):
        section = raw
    elif isinstance(raw, Mapping):
        section = raw.get("config")
    elif raw is None:
        section = None
    else:
        raise ConfigError(
            f"run_config's entry for '{entry.node_name}' must be {{'config': {{...}}}}; got "
            f"{raw!r:.80}."
        )
    config = validate_config(entry.node_name, roles.config[1], section)
    return config, config.model_dump()


_SCALARS = (bool, int, float, str)


def check_schema_config(node: str, schema: Any, section: Any, process: bool = True) -> Any:
    """Validate raw config against a Dagster-style ``config_schema`` of plain types.

    ``{"foo": int}`` requires ``foo``, an int, and nothing else; a bare type
    (``config_schema=str``) requires a value of that type. Other schema values
    (Dagster ``Field``s and the like) are passed through unchecked.

    An ``Enum`` key takes one of its names; with ``process`` the op receives the
    enum's value for it (Dagster's processed config).

    Raises:
        ConfigError: a key is missing, unknown, or of the wrong type.
    """
    where = f"Error in config for job: op '{node}'"
    if isinstance(schema, type) and schema in _SCALARS:
        if not isinstance(section, schema):
            raise ConfigError(f"{where} expects a {schema.__name__} config; got {section!r}.")
        return section
    if not isinstance(schema, Mapping):
        return dict(section or {}) if isinstance(section, Mapping) else section
    given = dict(section or {}) if isinstance(section, Mapping) else {}
    unknown = sorted(set(given) - set(schema))
    if unknown:
        raise ConfigError(
            f"{where} got unexpected config key(s) {unknown}; it takes {sorted(schema)}."
        )
    for key, kind in schema.items():
        field = _field_of(kind)
        if field is not None:
            kind = field.config
            if key not in given and field.has_default:
                given[key] = field.default_value
            if key not in given and not field.required:
                continue
        if _is_enum(kind) and key in given:
            given[key] = _enum_value(where, key, kind, given[key], process)
            continue
        if field is not None and key in given and given[key] is field.default_value:
            continue
        if not (isinstance(kind, type) and kind in _SCALARS):
            continue
        if key not in given:
            raise ConfigError(
                f"{where} is missing required config key '{key}' ({kind.__name__}). Pass "
                f"run_config={{'ops': {{'{node}': {{'config': {{'{key}': ...}}}}}}}}."
            )
        if not isinstance(given[key], kind) or (kind is int and isinstance(given[key], bool)):
            raise ConfigError(
                f"{where}: config key '{key}' must be a {kind.__name__}; got {given[key]!r}."
            )
    return given


def _is_enum(kind: Any) -> bool:
    module = sys.modules.get("nbassets.definitions.config_schema")
    return module is not None and isinstance(kind, module.Enum)


def _enum_value(where: str, key: str, kind: Any, given: Any, process: bool) -> Any:
    if given not in kind.config_values:
        raise ConfigError(
            f"{where}: config key '{key}' must be one of {kind.config_values} (Enum "
            f"{kind.name}); got {given!r}."
        )
    return kind.to_python_value(given) if process else given


def _field_of(value: Any) -> Any:
    import sys

    module = sys.modules.get("nbassets.definitions.config_schema")
    return value if module is not None and isinstance(value, module.Field) else None
