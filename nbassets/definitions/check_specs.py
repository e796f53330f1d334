"""Rules for the ``check_specs`` an ``@asset`` or ``@multi_asset`` evaluates in its own body.

Responsibilities:
- Refuse the same check twice, and a check on an asset the definition does not
  produce (``allow_arbitrary_check_specs=True`` lets a multi-asset report on others,
  as Dagster allows for dbt source checks).
- Name the output each embedded check reports through (Dagster's
  ``<asset key as identifier>_<check name>``), which Dagster's errors quote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetCheckSpec
from nbassets.errors import InvalidDefinitionError

__all__ = ["check_output_name", "validate_check_specs"]


def validate_check_specs(
    specs: Sequence[AssetCheckSpec],
    produced: Collection[AssetKey],
    *,
    allow_arbitrary: bool = False,
) -> None:
    """Raise ``InvalidDefinitionError`` (Dagster's words, then the fix) for bad specs."""
    counts = Counter((spec.asset_key, spec.name) for spec in specs)
    duplicates = {pair: n for pair, n in counts.items() if n > 1}
    if duplicates:
        shown = ", ".join(f"({key!r}, {name!r}): {n}" for (key, name), n in duplicates.items())
        raise InvalidDefinitionError(
            f"Duplicate check specs: {{{shown}}}",
            advice="Give each AssetCheckSpec of an asset its own name.",
        )
    if allow_arbitrary:
        return
    for spec in specs:
        if spec.asset_key not in produced:
            raise InvalidDefinitionError(
                f"Invalid asset key {spec.asset_key!r} in check spec {spec.name}. Must be one "
                f"of {list(produced)!r}",
                advice="A check in check_specs= targets an asset this function produces; "
                "check another asset with @asset_check(asset=...).",
            )


def check_output_name(spec: AssetCheckSpec) -> str:
    """The output an embedded check reports through, as Dagster names it."""
    return f"{spec.asset_key.to_python_identifier()}_{spec.name}"
