"""``LegacyFreshnessPolicy``: how stale an asset may get, carried but not evaluated.

Dagster's daemon compares an asset's last materialization with its policy; a
notebook has no daemon, so nbassets keeps the policy on the definition for code
that reads it back (``AssetOut(legacy_freshness_policy=...)``, ``@graph_asset``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from nbassets.errors import InvalidDefinitionError

__all__ = ["LegacyFreshnessPolicy"]


@dataclass(frozen=True)
class LegacyFreshnessPolicy:
    """At most ``maximum_lag_minutes`` of lag, checked on ``cron_schedule`` if given."""

    maximum_lag_minutes: float
    cron_schedule: str | None = None
    cron_schedule_timezone: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "maximum_lag_minutes", float(self.maximum_lag_minutes))
        if self.cron_schedule_timezone is not None and self.cron_schedule is None:
            raise InvalidDefinitionError(
                "LegacyFreshnessPolicy got cron_schedule_timezone without cron_schedule; give "
                "the schedule the timezone applies to, or drop the timezone."
            )

    @property
    def maximum_lag_delta(self) -> timedelta:
        return timedelta(minutes=self.maximum_lag_minutes)
