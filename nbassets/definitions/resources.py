"""Function-style resources: Dagster's ``ResourceDefinition``, ``@resource`` and ``@io_manager``.

Responsibilities:

* ``ResourceDefinition``: a function that builds a resource value at the start of a
  run, from its config and the other resources it names.
* ``resolve_resources``: replace every definition in a run's resources by the
  value it builds, resources it requires first, refusing cycles and unknown keys.

``ConfigurableResource`` (pydantic) remains the preferred spelling; this module lets
code written with the older API run unchanged.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from nbassets.errors import InvalidDefinitionError, MissingResourceError

__all__ = [
    "InitResourceContext",
    "IOManagerDefinition",
    "ResourceDefinition",
    "build_init_resource_context",
    "build_resources",
    "io_manager",
    "resolve_resources",
    "resource",
    "with_resources",
]


class InitResourceContext:
    """What a resource function receives: its config and the resources it requires."""

    def __init__(
        self,
        resource_config: Any = None,
        resources: Mapping[str, Any] | None = None,
        instance: Any = None,
    ) -> None:
        self.resource_config = resource_config
        self.resources = SimpleNamespace(**dict(resources or {}))
        self.instance = instance
        self.log = None

    @property
    def config(self) -> Any:
        return self.resource_config


def build_init_resource_context(
    config: Any = None, resources: Mapping[str, Any] | None = None, instance: Any = None
) -> InitResourceContext:
    """A context for calling a resource function directly, as in a unit test."""
    return InitResourceContext(config, resources, instance)


class ResourceDefinition:
    """A resource built by ``resource_fn(context)`` when a run starts."""

    def __init__(
        self,
        resource_fn: Callable[..., Any],
        config_schema: Any = None,
        description: str | None = None,
        required_resource_keys: set[str] | frozenset[str] | None = None,
        version: str | None = None,
    ) -> None:
        if not callable(resource_fn):
            raise InvalidDefinitionError(
                f"ResourceDefinition needs a function building the resource, got {resource_fn!r}. "
                "Use ResourceDefinition.hardcoded_resource(value) for a fixed value."
            )
        self.resource_fn = resource_fn
        if config_schema is not None:
            from nbassets.definitions.config_schema import check_config_schema

            check_config_schema(config_schema)
        self.config_schema = config_schema
        self.description = description
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.version = version
        # Set by configured(): the config every build of this definition receives.
        self.configured_config: Any = None

    def configured(
        self,
        config_or_config_fn: Any,
        name: str | None = None,
        config_schema: Any = None,
        description: str | None = None,
    ) -> ResourceDefinition:
        """A copy of this definition that always builds with ``config_or_config_fn``.

        A function maps the config given at run time (checked against
        ``config_schema``) to this definition's config, as in Dagster.
        """
        del name
        copied = copy.copy(self)
        if callable(config_or_config_fn):
            fn = config_or_config_fn
            resource_fn = self.resource_fn
            copied.resource_fn = lambda context: resource_fn(
                InitResourceContext(fn(context.resource_config), vars(context.resources))
            )
            copied.config_schema = config_schema
        else:
            copied.configured_config = config_or_config_fn
            copied.config_schema = None
        if description is not None:
            copied.description = description
        return copied

    @classmethod
    def hardcoded_resource(cls, value: Any, description: str | None = None) -> ResourceDefinition:
        """A resource that is always ``value``."""
        return cls(lambda _context: value, description=description)

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        """A resource that is ``None``."""
        return ResourceDefinition.hardcoded_resource(None, description)

    def build(self, resources: Mapping[str, Any], config: Any = None) -> Any:
        """The value this definition builds, given the resources it requires."""
        if config is None:
            config = self.configured_config
        context = InitResourceContext(config, resources)
        if _takes_context(self.resource_fn):
            return self.resource_fn(context)
        return self.resource_fn()

    def __call__(self, context: InitResourceContext | None = None) -> Any:
        return self.build(
            vars(context.resources) if context else {}, getattr(context, "config", None)
        )


class IOManagerDefinition(ResourceDefinition):
    """A resource definition whose value is an IO manager."""

    @staticmethod
    def hardcoded_io_manager(value: Any, description: str | None = None) -> IOManagerDefinition:
        """An IO manager definition that is always ``value`` (Dagster's)."""
        return IOManagerDefinition(lambda _context: value, description=description)


def _takes_context(fn: Callable[..., Any]) -> bool:
    import inspect

    try:
        return bool(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return True


def _docstring(fn: Callable[..., Any]) -> str | None:
    """The function's own docstring without its indentation, as Dagster describes it."""
    doc = getattr(fn, "__doc__", None)
    return inspect.cleandoc(doc) if doc else None


def _decorator(
    kind: type[ResourceDefinition],
    fn: Callable[..., Any] | None,
    config_schema: Any,
    description: str | None,
    required_resource_keys: Any,
    version: str | None,
) -> Any:
    def build(resource_fn: Callable[..., Any]) -> ResourceDefinition:
        return kind(
            resource_fn,
            config_schema=config_schema,
            description=description or _docstring(resource_fn),
            required_resource_keys=required_resource_keys,
            version=version,
        )

    return build(fn) if fn is not None else build


def resource(
    resource_fn: Callable[..., Any] | None = None,
    *,
    config_schema: Any = None,
    description: str | None = None,
    required_resource_keys: set[str] | None = None,
    version: str | None = None,
) -> Any:
    """Decorate a function ``(context) -> value`` as a ``ResourceDefinition``."""
    return _decorator(
        ResourceDefinition, resource_fn, config_schema, description, required_resource_keys, version
    )


def io_manager(
    config_schema: Any = None,
    description: str | None = None,
    output_config_schema: Any = None,
    input_config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    version: str | None = None,
) -> Any:
    """Decorate a function ``(context) -> IOManager`` as an ``IOManagerDefinition``."""
    del output_config_schema, input_config_schema
    if callable(config_schema) and not isinstance(config_schema, type):
        return _decorator(IOManagerDefinition, config_schema, None, description, None, version)
    return _decorator(
        IOManagerDefinition, None, config_schema, description, required_resource_keys, version
    )


def resolve_resources(resources: Mapping[str, Any]) -> dict[str, Any]:
    """``resources`` with each ``ResourceDefinition`` replaced by the value it builds.

    Raises:
        MissingResourceError: a definition requires a resource the run lacks.
        InvalidDefinitionError: definitions require each other in a cycle.
    """
    if not any(isinstance(v, ResourceDefinition) for v in resources.values()):
        return dict(resources)
    built: dict[str, Any] = {}
    pending: list[str] = []

    def value_of(name: str) -> Any:
        if name in built:
            return built[name]
        if name in pending:
            raise InvalidDefinitionError(
                f"Resources require each other in a cycle: {' -> '.join([*pending, name])}."
            )
        value = resources[name]
        if isinstance(value, ResourceDefinition):
            pending.append(name)
            missing = sorted(value.required_resource_keys - set(resources))
            if missing:
                raise MissingResourceError(
                    f"Resource '{name}' requires resources {missing}, which this run lacks. "
                    "Pass them in resources=."
                )
            needed = {key: value_of(key) for key in value.required_resource_keys}
            value = value.build(needed)
            pending.pop()
        built[name] = value
        return value

    for name in resources:
        value_of(name)
    return built


@contextmanager
def build_resources(
    resources: Mapping[str, Any], instance: Any = None, resource_config: Any = None
) -> Iterator[SimpleNamespace]:
    """Build ``resources`` (definitions and plain values) for use in a ``with`` block."""
    del instance, resource_config
    yield SimpleNamespace(**resolve_resources(resources))


def with_resources(
    definitions: Iterable[Any],
    resource_defs: Mapping[str, Any],
    resource_config_by_key: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Copies of ``definitions`` carrying the resources among ``resource_defs`` they need.

    A definition's own ``resource_defs`` win over the ones given here.
    """
    del resource_config_by_key
    bound = []
    for definition in definitions:
        needs = getattr(definition, "resource_needs", None)
        own = getattr(definition, "resource_defs", None)
        if needs is None or own is None:
            bound.append(definition)
            continue
        copied = copy.copy(definition)
        extra = {key: value for key, value in resource_defs.items() if key in needs}
        copied.resource_defs = {**extra, **own}
        bound.append(copied)
    return bound
