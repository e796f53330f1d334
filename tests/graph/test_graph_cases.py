"""Plans, table-driven: a DAG (drawn above each case), a selection, the step order.

Each case registers real assets, materializes everything once (so unselected
upstreams have stored values), then materializes the selection and reads the
order in which steps started. Ties are broken by definition order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import nbassets
from nbassets import AssetKey, EventType, asset, materialize


@dataclass(frozen=True)
class Case:
    name: str
    # node -> its parents, in definition order
    dag: dict[str, list[str]]
    selection: Any
    plan: list[str]


def define(name: str, parents: list[str]) -> Any:
    """An asset whose parameters are its parents; its value records what it read."""
    params = ", ".join(parents)
    namespace: dict[str, Any] = {}
    body = f"def {name}({params}):\n    return ({name!r}, {params}{',' if parents else ''})\n"
    exec(body, namespace)  # noqa: S102 - builds a function with the parameter names a case needs
    return asset(namespace[name])


CASES = [
    # a --> b --> c
    Case("chain, everything", {"a": [], "b": ["a"], "c": ["b"]}, None, ["a", "b", "c"]),
    # a --> b --> c ; select only the leaf, a and b load from storage
    Case("chain, leaf only", {"a": [], "b": ["a"], "c": ["b"]}, ["c"], ["c"]),
    # c, b, a defined in that order, no edges: definition order wins
    Case("independent, definition order", {"c": [], "b": [], "a": []}, None, ["c", "b", "a"]),
    #   a --> b --> c
    #   |           ^
    #   +--> d      e
    Case(
        "design graph",
        {"a": [], "b": ["a"], "c": ["b", "e"], "d": ["a"], "e": []},
        None,
        ["a", "b", "d", "e", "c"],
    ),
    # diamond: a --> b --> d ; a --> c --> d
    Case("diamond", {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}, None, ["a", "b", "c", "d"]),
    # defined child-first: z (parent y) before y (parent x) before x
    Case("defined child first", {"z": ["y"], "y": ["x"], "x": []}, None, ["x", "y", "z"]),
    # a --> b ; c (no edges) defined between: c is ready earlier than b
    Case("tie with a late ready node", {"a": [], "c": [], "b": ["a"]}, None, ["a", "c", "b"]),
    # a --> b --> c ; select the ends only
    Case("gap in the selection", {"a": [], "b": ["a"], "c": ["b"]}, ["a", "c"], ["a", "c"]),
]

STRING_CASES = [
    #   a --> b --> c
    #   |           ^
    #   +--> d      e
    Case(
        "a+ (one hop down)",
        {"a": [], "b": ["a"], "c": ["b", "e"], "d": ["a"], "e": []},
        "a+",
        ["a", "b", "d"],
    ),
    Case(
        "*c (all upstream)",
        {"a": [], "b": ["a"], "c": ["b", "e"], "d": ["a"], "e": []},
        "*c",
        ["a", "b", "e", "c"],
    ),
    Case(
        "union of lists",
        {"a": [], "b": ["a"], "c": ["b", "e"], "d": ["a"], "e": []},
        ["b+", "e"],
        ["b", "e", "c"],
    ),
]


def planned(case: Case) -> list[str]:
    with nbassets.use_registry() as reg:
        for name, parents in case.dag.items():
            reg.add(define(name, parents))
        materialize()
        result = materialize(selection=case.selection)
        assert result.success
        return [e.step_key for e in result.all_events if e.event_type is EventType.STEP_START]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_plan_order(case: Case) -> None:
    assert planned(case) == case.plan


@pytest.mark.parametrize("case", STRING_CASES, ids=[c.name for c in STRING_CASES])
def test_plan_order_from_selection_strings(case: Case) -> None:
    assert planned(case) == case.plan


def test_plan_is_the_same_every_run() -> None:
    case = CASES[3]
    assert planned(case) == planned(case) == case.plan


def test_values_flow_along_the_edges() -> None:
    with nbassets.use_registry() as reg:
        for name, parents in {"a": [], "b": ["a"], "c": ["b"]}.items():
            reg.add(define(name, parents))
        materialize()
        assert reg.value(AssetKey("c")) == ("c", ("b", ("a",)))
