"""A graph asset run for some of its assets: each op knows which of its outputs are read."""

from __future__ import annotations

from typing import Any

import pytest

from nbassets import AssetKey, AssetsDefinition, GraphOut, Out, Output, graph, materialize, op
from nbassets.errors import InvalidInvocationError


def _graph_asset(seen: dict[str, set[str]]) -> Any:
    @op(out={"first": Out(is_required=False), "shared": Out(is_required=False)})
    def source(context):  # type: ignore[no-untyped-def]
        seen["source"] = set(context.selected_output_names)
        for name in sorted(context.selected_output_names):
            yield Output(1, output_name=name)

    @op(out={"plus": Out(is_required=False), "times": Out(is_required=False)})
    def derive(context, x):  # type: ignore[no-untyped-def]
        seen["derive"] = set(context.selected_output_names)
        if "plus" in context.selected_output_names:
            yield Output(x + 1, output_name="plus")
        if "times" in context.selected_output_names:
            yield Output(x * 10, output_name="times")

    @graph(out={"one": GraphOut(), "two": GraphOut(), "three": GraphOut()})
    def three():  # type: ignore[no-untyped-def]
        first, shared = source()
        plus, times = derive(shared)
        return {"one": first, "two": plus, "three": times}

    return AssetsDefinition.from_graph(three, can_subset=True)


@pytest.mark.parametrize(
    ("selection", "source_reads", "derive_reads"),
    [
        (["one"], {"first"}, None),
        (["two"], {"shared"}, {"plus"}),
        (["one", "two", "three"], {"first", "shared"}, {"plus", "times"}),
    ],
)
def test_each_op_sees_the_outputs_the_selection_reads(
    selection: list[str], source_reads: set[str], derive_reads: set[str] | None
) -> None:
    seen: dict[str, set[str]] = {}
    result = materialize([_graph_asset(seen)], selection=[AssetKey(k) for k in selection])

    assert seen.get("source") == source_reads and seen.get("derive") == derive_reads
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {AssetKey(k) for k in selection}


def test_an_op_returning_every_output_in_a_subset_run_fails_naming_the_unselected_one() -> None:
    @op(out={"a": Out(), "b": Out()})
    def pair():  # type: ignore[no-untyped-def]
        return 1, 2

    @graph(out={"one": GraphOut(), "two": GraphOut()})
    def both():  # type: ignore[no-untyped-def]
        one, two = pair()
        return one, two

    with pytest.raises(InvalidInvocationError, match='"both.pair" returned an output "b"'):
        materialize(
            [AssetsDefinition.from_graph(both, can_subset=True)], selection=[AssetKey("one")]
        )


def test_an_op_reading_another_ops_asset_output_names_that_asset() -> None:
    seen: list[Any] = []

    @op(out={"first": Out(), "second": Out()})
    def make():  # type: ignore[no-untyped-def]
        return 1, 2

    @op
    def use(context, x):  # type: ignore[no-untyped-def]
        seen.append(context.asset_key_for_input("x"))
        return x

    @graph(out={"one": GraphOut(), "two": GraphOut()})
    def pair():  # type: ignore[no-untyped-def]
        first, second = make()
        return first, use(first)

    materialize([AssetsDefinition.from_graph(pair)])
    assert seen == [AssetKey("one")]
