"""A subsettable multi-asset runs in pieces when running it whole would be a cycle."""

from __future__ import annotations

import pytest

from nbassets import (
    AssetKey,
    AssetSpec,
    Definitions,
    DependencyDefinition,
    NodeInvocation,
    Output,
    asset,
    materialize,
    multi_asset,
)
from nbassets.errors import ConfigError

# The assets each call of foo was asked for.
calls: list[list[str]] = []


def _assets(can_subset: bool) -> list:
    # foo makes a and b; x reads a; b waits on x:   foo(a) --> x --> foo(b)
    @multi_asset(specs=[AssetSpec("a"), AssetSpec("b", deps=["x"])], can_subset=can_subset)
    def foo(context):
        calls.append(sorted(k.to_user_string() for k in context.selected_asset_keys))
        if AssetKey("a") in context.selected_asset_keys:
            yield Output(1, "a")
        if AssetKey("b") in context.selected_asset_keys:
            yield Output(2, "b")

    @asset
    def x(a):
        return a + 10

    return [foo, x]


def test_a_subsettable_multi_asset_runs_once_per_side_of_the_cycle() -> None:
    calls.clear()
    result = materialize(_assets(can_subset=True))

    assert result.success
    assert calls == [["a"], ["b"]]
    assert result.output_for_node("foo", "a") == 1
    assert result.output_for_node("x") == 11
    assert result.output_for_node("foo_2", "b") == 2
    started = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    assert started == ["foo", "x", "foo_2"]


def test_the_job_graph_names_the_pieces_as_dagster_does() -> None:
    job = Definitions(assets=_assets(can_subset=True)).resolve_implicit_global_asset_job_def()

    assert len(list(job.graph.iterate_op_defs())) == 3
    assert job.graph.dependencies == {
        NodeInvocation("foo"): {},
        NodeInvocation("x"): {"a": DependencyDefinition("foo", "a")},
        NodeInvocation("foo", "foo_2"): {"x": DependencyDefinition("x", "result")},
    }
    assert job.has_node_named("foo_2")


def test_a_multi_asset_that_cannot_subset_still_refuses_the_cycle() -> None:
    with pytest.raises(ConfigError, match="depend on each other through a multi-asset"):
        materialize(_assets(can_subset=False))
