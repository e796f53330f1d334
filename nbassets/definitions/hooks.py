"""Hooks: Dagster's ``@success_hook`` and ``@failure_hook``, run after an asset's step.

Responsibilities:
- ``HookDefinition``: a function called with a ``HookContext`` when a step of an
  asset that lists it (``@asset(hooks={...})``) succeeds, or fails; the resources it
  requires become the asset's.
- ``HookContext``: what the function sees: the step, the op, the run's resources,
  its log and, after a failure, the exception.
The engine runs the hooks (``nbassets.engine.hook_runs``); a hook that raises is
reported as an event and never fails the step or the run, as in Dagster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from nbassets.errors import InvalidDefinitionError

__all__ = ["HookContext", "HookDefinition", "build_hook_context", "failure_hook", "success_hook"]

Trigger = Literal["success", "failure"]


@dataclass(frozen=True, eq=False)
class HookDefinition:
    """A function to call after a step: on success, or on failure."""

    name: str
    hook_fn: Callable[..., Any]
    trigger: Trigger
    required_resource_keys: frozenset[str] = frozenset()
    description: str | None = None

    def __call__(self, context: HookContext) -> Any:
        """Call the hook's function, as Dagster's direct invocation does."""
        return self.hook_fn(context)

    def __repr__(self) -> str:
        return f"<HookDefinition {self.name} ({self.trigger})>"


@dataclass
class HookContext:
    """``context`` in a hook: the step it follows and the run's resources."""

    step_key: str
    op: Any
    log: Any
    resources: Any
    hook_def: HookDefinition | None = None
    run_id: str | None = None
    job_name: str | None = None
    instance: Any = None
    op_exception: BaseException | None = None
    op_output_values: dict[str, Any] = field(default_factory=dict)
    op_config: Any = None

    @property
    def required_resource_keys(self) -> frozenset[str]:
        return self.hook_def.required_resource_keys if self.hook_def else frozenset()


def build_hook_context(
    resources: Any = None,
    op: Any = None,
    run_id: str | None = None,
    job_name: str | None = None,
    op_exception: BaseException | None = None,
    instance: Any = None,
) -> HookContext:
    """A context to call a hook directly in a test (Dagster's ``build_hook_context``)."""
    from types import SimpleNamespace

    from nbassets.engine.context import RunLogger

    name = getattr(op, "name", None) or "op"
    return HookContext(
        name,
        op if op is not None else SimpleNamespace(name=name),
        RunLogger(),
        SimpleNamespace(**dict(resources or {})),
        None,
        run_id,
        job_name,
        instance,
        op_exception,
    )


def _hook_decorator(trigger: Trigger) -> Callable[..., Any]:
    def decorator(
        hook_fn: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
        required_resource_keys: Iterable[str] | None = None,
        description: str | None = None,
    ) -> Any:
        def build(fn: Callable[..., Any]) -> HookDefinition:
            if not callable(fn):
                raise InvalidDefinitionError(
                    f"@{trigger}_hook decorates a function taking the hook context; got {fn!r}."
                )
            return HookDefinition(
                name or fn.__name__,
                fn,
                trigger,
                frozenset(required_resource_keys or ()),
                description or fn.__doc__,
            )

        return build(hook_fn) if hook_fn is not None else build

    decorator.__name__ = f"{trigger}_hook"
    decorator.__doc__ = f"Define a hook called after each step of its assets that {trigger}s."
    return decorator


success_hook = _hook_decorator("success")
failure_hook = _hook_decorator("failure")
