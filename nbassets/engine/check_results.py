"""Matching what a check function returned to the checks it evaluates.

Responsibilities:
- Accept one ``AssetCheckResult``, a bool (a single check), or an iterable of
  results (a ``@multi_asset_check`` returns or yields one per check).
- Give each result its spec: by ``asset_key`` and ``check_name``, either left out
  when only one check fits, as Dagster does.
- Refuse a result for a check the run did not select, and a missing result when
  the definition cannot be subset.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.results import AssetCheckResult
from nbassets.definitions.specs import AssetCheckSpec
from nbassets.engine.outputs import OutputShapeError
from nbassets.errors import InvalidDefinitionError

__all__ = ["match_check_results"]


def _results(check: AssetChecksDefinition, returned: Any) -> list[AssetCheckResult]:
    if isinstance(returned, bool) or type(returned).__name__ == "bool_":
        # numpy's bool_ is what `(df.x > 0).all()` gives: the most common check.
        returned = AssetCheckResult(passed=bool(returned))
    if isinstance(returned, AssetCheckResult):
        return [returned]
    if isinstance(returned, Iterable) and not isinstance(returned, (str, bytes, dict)):
        items = list(returned)
        if all(isinstance(item, AssetCheckResult) for item in items):
            return items
        returned = next(i for i in items if not isinstance(i, AssetCheckResult))
    one = len(check.selected_specs) == 1
    raise InvalidDefinitionError(
        f"Check '{check.label}' returned {type(returned).__name__}; "
        + (
            "return an AssetCheckResult(passed=...) or a bool."
            if one
            else "return or yield one AssetCheckResult(passed=..., asset_key=..., "
            "check_name=...) per check."
        )
    )


def _spec_for(check: AssetChecksDefinition, result: AssetCheckResult) -> AssetCheckSpec:
    candidates = list(check.all_specs)
    if result.asset_key is not None:
        candidates = [s for s in candidates if s.asset_key == result.asset_key]
    elif len({s.asset_key for s in candidates}) > 1:
        assets = sorted(s.asset_key.to_user_string() for s in candidates)
        raise OutputShapeError(
            f"Check '{check.label}' returned an AssetCheckResult without asset_key, but its "
            f"checks are on several assets {assets}; pass asset_key=... and check_name=...."
        )
    if result.check_name is not None:
        candidates = [s for s in candidates if s.name == result.check_name]
    if len(candidates) == 1:
        return candidates[0]
    named = ", ".join(repr(s.key.to_user_string()) for s in check.all_specs)
    if not candidates:
        asked = ":".join(
            part
            for part in (
                result.asset_key.to_user_string() if result.asset_key else None,
                result.check_name,
            )
            if part
        )
        raise OutputShapeError(
            f"Check '{check.label}' returned a result for '{asked}', which is not one of its "
            f"checks ({named}). Fix asset_key/check_name, or add an AssetCheckSpec for it."
        )
    raise OutputShapeError(
        f"Check '{check.label}' returned an AssetCheckResult without check_name, but "
        f"several of its checks fit ({named}); pass check_name=...."
    )


def match_check_results(
    check: AssetChecksDefinition, returned: Any
) -> list[tuple[AssetCheckSpec, AssetCheckResult]]:
    """Pair each returned result with its spec, in the order the function gave them."""
    selected = {s.key for s in check.selected_specs}
    matched = []
    seen = set()
    for result in _results(check, returned):
        spec = _spec_for(check, result)
        if spec.key not in selected:
            raise OutputShapeError(
                f"Check '{check.label}' returned a result for "
                f"'{spec.key.to_user_string()}', which this run did not select; yield only "
                "the checks in context.selected_asset_check_keys."
            )
        if spec.key in seen:
            raise OutputShapeError(
                f"Check '{check.label}' returned two results for "
                f"'{spec.key.to_user_string()}'; return one per check."
            )
        seen.add(spec.key)
        matched.append((spec, result))
    absent = [s.key.to_user_string() for s in check.selected_specs if s.key not in seen]
    if absent and not check.can_subset:
        raise OutputShapeError(
            f"Check '{check.label}' finished without a result for {absent}; return or "
            "yield an AssetCheckResult for each of its checks (or define it with "
            "can_subset=True to report only some)."
        )
    return matched
