"""Running an asset's hooks after its step, with Dagster's events.

Responsibilities:
- ``run_hooks``: once a step has succeeded or failed, call each hook of its
  definition whose trigger matches (``HOOK_COMPLETED``), report the others as
  skipped (``HOOK_SKIPPED``) and a hook that raises as ``HOOK_ERRORED``; a hook
  never changes the step's outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbassets.definitions.hooks import HookContext, HookDefinition
from nbassets.definitions.op_view import OpHandle
from nbassets.engine.context import RunLogger
from nbassets.engine.events import ErrorInfo, EventType, LogData

if TYPE_CHECKING:
    from nbassets.engine.run import Run
    from nbassets.engine.steps import Step

__all__ = ["hooks_of", "run_hooks"]


def hooks_of(definition: Any) -> list[HookDefinition]:
    """The hooks of ``definition``, in a stable order (by name)."""
    hooks = getattr(definition, "hooks", None) or ()
    return sorted(hooks, key=lambda hook: hook.name)


def run_hooks(run: Run, step: Step, error: BaseException | None) -> None:
    """Call the hooks of ``step``'s definition for its outcome (``error`` when it failed)."""
    hooks = hooks_of(step.definition)
    if not hooks:
        return
    trigger = "success" if error is None else "failure"

    def log(level: str, message: str) -> None:
        run.emit(EventType.LOG, step, None, LogData(level, message), message)

    for hook in hooks:
        if hook.trigger != trigger:
            run.emit(
                EventType.HOOK_SKIPPED,
                step,
                message=f'Skipped the execution of hook "{hook.name}". It did not meet its '
                f'triggering condition during the execution of "{step.key}".',
            )
            continue
        context = HookContext(
            step.key,
            OpHandle(getattr(step.definition, "node_name", step.key)),
            RunLogger(log),
            run.resource_view,
            hook,
            run.run_id,
            getattr(run, "job_name", None),
            run.instance,
            error,
        )
        try:
            hook.hook_fn(context)
        except Exception as failure:  # noqa: BLE001 - a hook's error is reported, never raised
            info = ErrorInfo.from_exception(failure)
            run.emit(
                EventType.HOOK_ERRORED,
                step,
                None,
                info,
                f'Error occurred during the execution of hook "{hook.name}" triggered for '
                f'"{step.key}": {info.message}',
            )
            continue
        run.emit(
            EventType.HOOK_COMPLETED,
            step,
            message=f'Finished the execution of hook "{hook.name}" triggered for "{step.key}".',
        )
