"""Matching what a check function returned to the checks it evaluates.

Responsibilities:
- Accept one ``AssetCheckResult``, a bool (a single check), or an iterable of
  results (a ``@multi_asset_check`` returns or yields one per check).
- Give each result its spec: by ``asset_key`` and ``check_name``, either left out
  when only one check fits, as Dagster does.
- Refuse a result for a check the run is not evaluating, and a missing result
  when the definition cannot be subset.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.definitions.results import AssetCheckResult
from nbassets.definitions.specs import AssetCheckSpec
from nbassets.engine.outputs import OutputShapeError
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError

__all__ = ["match_check_results", "resolve_check_spec"]


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


def _names(names: Sequence[str]) -> str:
    """A set of check names as Dagster prints it: ``{'a', 'b'}``."""
    return "{" + ", ".join(repr(n) for n in sorted(names)) + "}"


def resolve_check_spec(specs: Sequence[AssetCheckSpec], result: AssetCheckResult) -> AssetCheckSpec:
    """The spec among ``specs`` that ``result`` reports on (Dagster's rules and words).

    ``asset_key`` and ``check_name`` may each be left out when only one spec fits.
    """
    if not specs:
        raise InvalidInvocationError(
            "Received unexpected AssetCheckResult. No AssetCheckSpecs were found for this step."
            "You may need to set `check_specs` on the asset decorator, or you may be emitting an "
            "AssetCheckResult that isn't in the subset passed in "
            "`context.selected_asset_check_keys`.",
            advice="Declare the check with check_specs=[AssetCheckSpec(...)].",
        )
    names_by_asset: dict[AssetKey, list[str]] = {}
    for spec in specs:
        names_by_asset.setdefault(spec.asset_key, []).append(spec.name)
    assets = [k.to_user_string() for k in names_by_asset]
    if result.asset_key is not None:
        if result.asset_key not in names_by_asset:
            raise InvalidInvocationError(
                "Received unexpected AssetCheckResult. It targets asset "
                f"'{result.asset_key.to_user_string()}' which is not targeted by any of the "
                f"checks currently being evaluated. Targeted assets: {assets}.",
                advice="Give asset_key= one of those assets, or leave it out.",
            )
        asset = result.asset_key
    elif len(names_by_asset) > 1:
        raise InvalidInvocationError(
            "AssetCheckResult didn't specify an asset key, but there are multiple assets to "
            f"choose from: {assets}",
            advice="Pass asset_key= (and check_name=) to each AssetCheckResult.",
        )
    else:
        asset = next(iter(names_by_asset))
    names = names_by_asset[asset]
    if result.check_name is not None:
        if result.check_name not in names:
            raise InvalidInvocationError(
                "Received unexpected AssetCheckResult. No checks currently being evaluated "
                f"target asset '{asset.to_user_string()}' and have name '{result.check_name}'. "
                f"Checks being evaluated for this asset: {_names(names)}",
                advice="Use one of those names, or add an AssetCheckSpec for it.",
            )
        name = result.check_name
    elif len(names) > 1:
        raise InvalidInvocationError(
            "AssetCheckResult result didn't specify a check name, but there are multiple checks "
            f"to choose from for the this asset key: {_names(names)}",
            advice="Pass check_name= to each AssetCheckResult.",
        )
    else:
        name = names[0]
    return next(s for s in specs if s.asset_key == asset and s.name == name)


def match_check_results(
    check: AssetChecksDefinition, returned: Any
) -> list[tuple[AssetCheckSpec, AssetCheckResult]]:
    """Pair each returned result with its spec, in the order the function gave them."""
    matched = []
    seen = set()
    for result in _results(check, returned):
        spec = resolve_check_spec(check.selected_specs, result)
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
