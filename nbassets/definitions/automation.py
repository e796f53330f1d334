"""``AutomationCondition``: Dagster's declarative automation, accepted and carried.

A notebook has no daemon that evaluates conditions, so nbassets keeps the condition
on the asset (``automation_condition=``) as data: it can be read back, combined with
``&``, ``|`` and ``~``, and exported to a real Dagster code location, but nothing
materializes on its own. ``%materialize`` and autorun are the notebook's automation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AutoMaterializePolicy",
    "AutomationCondition",
    "anchored_on_job_roots",
    "condition_of",
    "resolve_condition",
]


@dataclass(frozen=True)
class AutomationCondition:
    """A named condition with its arguments and operands, compared by value."""

    name: str
    args: tuple[Any, ...] = ()
    operands: tuple[AutomationCondition, ...] = ()

    def __and__(self, other: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("and", (), (self, other))

    def __or__(self, other: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("or", (), (self, other))

    def __invert__(self) -> AutomationCondition:
        return AutomationCondition("not", (), (self,))

    def with_label(self, label: str | None) -> AutomationCondition:
        return AutomationCondition("label", (label,), (self,))

    def __str__(self) -> str:
        if self.name in ("and", "or"):
            return f" {self.name} ".join(f"({op})" for op in self.operands)
        if self.name == "not":
            return f"not ({self.operands[0]})"
        inner = ", ".join(repr(a) for a in self.args)
        return f"{self.name}({inner})"

    def as_auto_materialize_policy(self) -> AutoMaterializePolicy:
        """Dagster's older wrapper around a condition (``auto_materialize_policy=``)."""
        return AutoMaterializePolicy(self)

    # Dagster's constructors, each a named condition carrying its arguments.
    @staticmethod
    def eager() -> AutomationCondition:
        return AutomationCondition("eager")

    @staticmethod
    def on_cron(cron_schedule: str, cron_timezone: str = "UTC") -> AutomationCondition:
        return AutomationCondition("on_cron", (cron_schedule, cron_timezone))

    @staticmethod
    def on_missing() -> AutomationCondition:
        return AutomationCondition("on_missing")

    @staticmethod
    def missing() -> AutomationCondition:
        return AutomationCondition("missing")

    @staticmethod
    def any_deps_updated() -> AutomationCondition:
        return AutomationCondition("any_deps_updated")

    @staticmethod
    def any_deps_missing() -> AutomationCondition:
        return AutomationCondition("any_deps_missing")

    @staticmethod
    def any_deps_in_progress() -> AutomationCondition:
        return AutomationCondition("any_deps_in_progress")

    @staticmethod
    def in_progress() -> AutomationCondition:
        return AutomationCondition("in_progress")

    @staticmethod
    def newly_updated() -> AutomationCondition:
        return AutomationCondition("newly_updated")

    @staticmethod
    def cron_tick_passed(cron_schedule: str, cron_timezone: str = "UTC") -> AutomationCondition:
        return AutomationCondition("cron_tick_passed", (cron_schedule, cron_timezone))

    @staticmethod
    def in_latest_time_window(lookback_delta: Any = None) -> AutomationCondition:
        return AutomationCondition("in_latest_time_window", (lookback_delta,))

    @staticmethod
    def initial_evaluation() -> AutomationCondition:
        return AutomationCondition("initial_evaluation")

    # A job's condition is about its root assets: these anchor an asset-level one there.
    @staticmethod
    def all_job_root_assets_match(condition: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("all_job_root_assets_match", (), (condition,))

    @staticmethod
    def any_job_root_assets_match(condition: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("any_job_root_assets_match", (), (condition,))


@dataclass(frozen=True)
class AutoMaterializePolicy:
    """Dagster's older form of an automation condition; nbassets keeps the condition."""

    condition: AutomationCondition

    @staticmethod
    def eager(max_materializations_per_minute: int | None = 1) -> AutoMaterializePolicy:
        del max_materializations_per_minute  # nothing evaluates the policy in a notebook
        return AutoMaterializePolicy(AutomationCondition.eager())

    @staticmethod
    def lazy(max_materializations_per_minute: int | None = 1) -> AutoMaterializePolicy:
        del max_materializations_per_minute
        return AutoMaterializePolicy(AutomationCondition("lazy"))

    def to_automation_condition(self) -> AutomationCondition:
        return self.condition


def condition_of(automation_condition: Any, auto_materialize_policy: Any = None) -> Any:
    """The condition given either way (``automation_condition=`` wins), or ``None``."""
    if automation_condition is not None:
        return automation_condition
    to_condition = getattr(auto_materialize_policy, "to_automation_condition", None)
    return to_condition() if callable(to_condition) else None


def resolve_condition(automation_condition: Any, auto_materialize_policy: Any) -> Any:
    """The condition given either way; both at once is refused, as Dagster refuses it.

    Raises:
        InvalidInvocationError: both were given.
    """
    if automation_condition is not None and auto_materialize_policy is not None:
        from nbassets.errors import InvalidInvocationError

        raise InvalidInvocationError(
            "Cannot supply both `automation_condition` and `auto_materialize_policy`; "
            "auto_materialize_policy is the older spelling, so pass only automation_condition."
        )
    return condition_of(automation_condition, auto_materialize_policy)


def anchored_on_job_roots(condition: AutomationCondition) -> bool:
    """Whether ``condition`` evaluates a job's root assets somewhere in its tree."""
    if condition.name in ("all_job_root_assets_match", "any_job_root_assets_match"):
        return True
    return any(anchored_on_job_roots(operand) for operand in condition.operands)
