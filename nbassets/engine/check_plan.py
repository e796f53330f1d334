"""Planning asset checks: where each check step goes in a run.

Responsibilities:
- A check step after each step of the asset it checks (one per partition), or,
  for a check selected without its asset, a step reading the stored value.
- One step for a ``@multi_asset_check``, after the steps of all the assets it checks.
- Order them so a check runs right after what it reads, and a blocking check
  gates the steps downstream of its asset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nbassets.definitions.assets import AssetsDefinition
from nbassets.definitions.checks import AssetChecksDefinition
from nbassets.definitions.keys import AssetKey
from nbassets.engine.steps import Step, StepInput, io_manager_key_of
from nbassets.errors import MissingUpstreamError
from nbassets.storage.io_manager import has_stored_value

__all__ = ["check_steps_for", "interleave"]


def _whole_run_check(
    check: AssetChecksDefinition,
    owner: Mapping[AssetKey, Any],
    resources: Mapping[str, Any],
    steps_of: Mapping[AssetKey, list[Step]],
) -> Step:
    """One step for the whole run: a ``@multi_asset_check``, or a check without its asset.

    It runs after every step of the assets it checks or reads; an input no step of
    the run produces is read from the stored value.
    """
    inputs = []
    for item in check.inputs:
        up = owner.get(item.key)
        io_key = item.input_manager_key or io_manager_key_of(up, item.key)
        producers = steps_of.get(item.key, [])
        if not producers and has_stored_value(resources.get(io_key), item.key, None) is False:
            raise MissingUpstreamError(
                f"Check '{check.label}' reads '{item.key.to_user_string()}'"
                ", which has no stored value.",
                advice=f"Materialize it first (selection='{item.key.to_user_string()}').",
                asset=item.key,
            )
        inputs.append(StepInput(item.name, item.key, bool(producers), io_key, None, {}))
    targets = tuple(dict.fromkeys(s.asset_key for s in check.selected_specs))
    read = [i.key for i in check.inputs]
    upstream = tuple({id(p): p for k in (*read, *targets) for p in steps_of.get(k, [])}.values())
    step_key = (
        check.name if check.multi else f"{check.asset_key.to_python_identifier()}_{check.name}"
    )
    return Step(
        key=step_key,
        kind="check",
        definition=check,
        asset_keys=targets,
        inputs=tuple(inputs),
        upstream=upstream,
        config=None,
        op_config=None,
        partition_key=None,
    )


def check_steps_for(
    checks: Sequence[AssetChecksDefinition],
    ordered: list[Step],
    owner: Mapping[AssetKey, Any],
    resources: Mapping[str, Any],
) -> list[Step]:
    """A check step after each step of the asset it checks (one per partition)."""
    steps_of: dict[AssetKey, list[Step]] = {}
    for step in ordered:
        for key in step.asset_keys:
            steps_of.setdefault(key, []).append(step)
    made = []
    for check in checks:
        if check.multi:
            made.append(_whole_run_check(check, owner, resources, steps_of))
            continue
        targets: list[Step | None] = list(steps_of.get(check.asset_key, ())) or [None]
        for target in targets:
            if target is None:
                made.append(_whole_run_check(check, owner, resources, steps_of))
                continue
            inputs = []
            upstream: dict[int, Step] = {id(target): target}
            for item in check.inputs:
                own = item.key == check.asset_key
                producers = steps_of.get(item.key, [])
                inputs.append(
                    StepInput(
                        item.name,
                        item.key,
                        own or bool(producers),
                        item.input_manager_key or io_manager_key_of(owner.get(item.key), item.key),
                        target.partition_key if own else None,
                        {},
                        target.partition_keys if own else None,
                    )
                )
                if not own:
                    upstream.update({id(p): p for p in producers})
            base = f"{check.asset_key.to_python_identifier()}_{check.name}"
            node = target.definition
            suffix = target.key[len(node.node_name) :] if isinstance(node, AssetsDefinition) else ""
            made.append(
                Step(
                    key=base + suffix,
                    kind="check",
                    definition=check,
                    asset_keys=(check.asset_key,),
                    inputs=tuple(inputs),
                    upstream=tuple(upstream.values()),
                    config=None,
                    op_config=None,
                    partition_key=target.partition_key,
                    partition_keys=target.partition_keys,
                )
            )
    return made


def interleave(ordered: list[Step], check_steps: list[Step]) -> list[Step]:
    """Run each check right after the last step it reads, so blocking checks gate children.

    A step downstream of an asset with a blocking check also waits on that check.
    """
    if not check_steps:
        return ordered
    after: dict[int, list[Step]] = {}
    position = {id(s): i for i, s in enumerate(ordered)}
    for check in check_steps:
        # A check on stored values alone (no upstream step here) runs first.
        last = max((position[id(u)] for u in check.upstream), default=-1)
        after.setdefault(last, []).append(check)
    blocking: dict[AssetKey, list[Step]] = {}
    for check in check_steps:
        definition = check.definition
        if isinstance(definition, AssetChecksDefinition):
            for spec in definition.selected_specs:
                if spec.blocking:
                    blocking.setdefault(spec.asset_key, []).append(check)
    result: list[Step] = list(after.get(-1, ()))
    for i, step in enumerate(ordered):
        gates = [c for u in step.upstream for k in u.asset_keys for c in blocking.get(k, ())]
        if gates:
            step.upstream = step.upstream + tuple(gates)
        result.append(step)
        result.extend(after.get(i, ()))
    return result
