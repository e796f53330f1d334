"""Asset statuses as the views show them: names, colours and legend labels.

Responsibilities:
- The one ordered list of status names every view draws (``STATUSES``), matching
  ``nbassets.graph.asset_graph.AssetStatus``.
- The colours and legend label of each status, for light and dark themes, in one
  table that Python (the static SVG) and JavaScript (the live widget, through a
  synced trait) both read, so the two pictures never disagree.
- Checking a status name a caller passes, with a "did you mean" hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, cast

from nbassets.errors import InvalidInvocationError, did_you_mean
from nbassets.graph.asset_graph import AssetStatus

__all__ = [
    "COUNT_ORDER",
    "STATUSES",
    "STATUS_STYLES",
    "StatusStyle",
    "check_status",
    "ordered_counts",
    "status_table",
]


@dataclass(frozen=True, slots=True)
class StatusStyle:
    """How one status looks: a box fill and border per theme, and its legend label."""

    name: AssetStatus
    label: str
    fill: str
    stroke: str
    dark_fill: str
    dark_stroke: str


STATUSES: tuple[AssetStatus, ...] = (
    "missing",
    "materialized",
    "stale",
    "running",
    "failed",
    "skipped",
    "partial",
)

# Fills are pale tints on light themes and deep tints on dark ones, so the node's
# text (the theme's own font colour) stays readable on both; borders carry the hue.
STATUS_STYLES: dict[str, StatusStyle] = {
    style.name: style
    for style in (
        StatusStyle("missing", "missing", "#f3f4f6", "#9ca3af", "#2b2f36", "#6b7280"),
        StatusStyle("materialized", "materialized", "#dcfce7", "#16a34a", "#12351f", "#22c55e"),
        StatusStyle("stale", "stale", "#fef3c7", "#d97706", "#3b2c0a", "#f59e0b"),
        StatusStyle("running", "running", "#dbeafe", "#2563eb", "#13274a", "#60a5fa"),
        StatusStyle("failed", "failed", "#fee2e2", "#dc2626", "#431414", "#f87171"),
        StatusStyle("skipped", "skipped", "#ede9fe", "#7c3aed", "#2a1d47", "#a78bfa"),
        StatusStyle("partial", "partially partitioned", "#ccfbf1", "#0d9488", "#0f3330", "#2dd4bf"),
    )
}


# The order partition counts are always said in (strip, header, text): done first, then
# what needs attention, then what is left.
COUNT_ORDER: tuple[str, ...] = ("materialized", "failed", "stale", "missing", "running", "skipped")


def ordered_counts(counts: Mapping[str, int]) -> list[list[Any]]:
    """``[[state, n], ...]`` in ``COUNT_ORDER`` (others after), without zero counts."""
    rank = {name: i for i, name in enumerate(COUNT_ORDER)}
    names = sorted((n for n, c in counts.items() if c), key=lambda n: rank.get(n, len(rank)))
    return [[name, counts[name]] for name in names]


def check_status(name: str) -> AssetStatus:
    """Return ``name`` as a status, or raise if it is not one.

    Raises:
        InvalidInvocationError: ``name`` is not one of ``STATUSES``.
    """
    if name in STATUS_STYLES:
        return cast(AssetStatus, name)
    hint = did_you_mean(str(name), STATUSES)
    raise InvalidInvocationError(
        f"Unknown asset status {name!r}.{hint} Statuses are: {', '.join(STATUSES)}."
    )


def status_table() -> list[dict[str, str]]:
    """The styles in legend order, as plain dicts for a widget trait."""
    return [asdict(STATUS_STYLES[name]) for name in STATUSES]
