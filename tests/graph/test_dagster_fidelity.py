"""Selections and keys against real Dagster 1.13, on generated cases.

Each case is built twice, once with nbassets and once with Dagster, and the answers
compared; nothing here hard-codes what Dagster says.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nbassets.definitions.keys import AssetKey
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.graph.selection import AssetSelection

dg = pytest.importorskip("dagster")
from dagster._core.definitions.assets.graph.asset_graph import (  # noqa: E402
    AssetGraph as DagsterGraph,
)


@st.composite
def dag_edges(draw: st.DrawFn) -> tuple[int, list[frozenset[int]]]:
    """``size`` nodes; node i may depend on nodes j < i."""
    size = draw(st.integers(1, 7))
    return size, [frozenset(j for j in range(i) if draw(st.booleans())) for i in range(size)]


def _both(size: int, parents: list[frozenset[int]]) -> tuple[AssetGraph, Any]:
    ours = AssetGraph(
        AssetNode(AssetKey(f"n{i}"), tuple(AssetKey(f"n{p}") for p in sorted(parents[i])))
        for i in range(size)
    )
    specs = [
        dg.AssetSpec(f"n{i}", deps=[f"n{p}" for p in sorted(parents[i])]) for i in range(size)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = DagsterGraph.from_assets(
            [dg.multi_asset(specs=[spec], name=f"op_n{i}")(lambda: None) for i, spec in
             enumerate(specs)]
        )
    return ours, theirs


OPS = ["roots", "sinks", "up", "down", "up_strict", "down_strict", "up1_strict", "down1_strict"]


def _apply(selection: Any, op: str) -> Any:
    if op in ("roots", "sinks"):
        return getattr(selection, op)()
    direction = selection.upstream if op.startswith("up") else selection.downstream
    depth = 1 if "1" in op else None
    return direction(depth=depth, include_self=not op.endswith("strict"))


@settings(max_examples=60, deadline=None)
@given(dag_edges(), st.data())
def test_traversals_roots_and_sinks_agree_with_dagster(
    dag: tuple[int, list[frozenset[int]]], data: st.DataObject
) -> None:
    size, parents = dag
    ours, theirs = _both(size, parents)
    starts = data.draw(st.sets(st.integers(0, size - 1), min_size=1), label="starts")
    op = data.draw(st.sampled_from(OPS), label="op")
    names = [f"n{i}" for i in sorted(starts)]
    mine = {k.to_user_string() for k in _apply(AssetSelection.assets(*names), op).resolve(ours)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        selection = _apply(dg.AssetSelection.assets(*names), op)
        expected = {k.to_user_string() for k in selection.resolve(theirs)}
    assert mine == expected


PARTS = st.text(alphabet="ab.-_1", min_size=1, max_size=4)


@settings(max_examples=100, deadline=None)
@given(st.lists(PARTS, min_size=1, max_size=3), st.none() | PARTS)
def test_key_path_and_python_identifier_agree_with_dagster(
    parts: list[str], suffix: str | None
) -> None:
    ours, theirs = AssetKey(parts), dg.AssetKey(parts)
    assert ours.path == theirs.path and type(ours.path) is type(theirs.path)
    assert ours.to_python_identifier(suffix) == theirs.to_python_identifier(suffix)


def test_spec_owners_are_a_list_as_in_dagster() -> None:
    from nbassets import AssetSpec

    ours, theirs = AssetSpec("a", owners=["team:x"]), dg.AssetSpec("a", owners=["team:x"])
    assert ours.owners == theirs.owners == ["team:x"]


def _deps_of(definition: Any) -> dict[str, list[str]]:
    return {
        k.to_user_string(): sorted(d.to_user_string() for d in v)
        for k, v in definition.asset_deps.items()
    }


@pytest.mark.parametrize(
    "spec_deps",
    [
        {"m1": ["up"], "m2": ["m1"]},  # a spec depending on its sibling: no cycle
        {"m1": ["up"], "m2": []},  # a spec without deps has none
        {"m1": [], "m2": ["up", "m1"]},
    ],
)
def test_multi_asset_spec_deps_agree_with_dagster(spec_deps: dict[str, list[str]]) -> None:
    import nbassets

    def build(lib: Any) -> Any:
        specs = [lib.AssetSpec(name, deps=deps) for name, deps in spec_deps.items()]

        @lib.multi_asset(specs=specs)
        def both() -> Any:
            for name in spec_deps:
                yield lib.MaterializeResult(asset_key=name)

        return both

    with nbassets.use_registry(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = build(nbassets), build(dg)
        assert _deps_of(ours) == _deps_of(theirs)

        @nbassets.asset
        def up() -> int:
            return 1

        result = nbassets.materialize([up, ours])
        assert result.success


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.MaterializeResult(asset_key="zzz"),
        lambda lib: lib.Output(1, output_name="nope"),
        lambda lib: lib.MaterializeResult(asset_key="solo"),
        lambda lib: lib.Output(1),
        lambda lib: 1,
    ],
)
def test_results_naming_another_asset_or_output_fail_as_in_dagster(make: Any) -> None:
    import nbassets

    def run(lib: Any) -> tuple[bool, list[str]]:
        # No return annotation: Dagster refuses an Output from a function annotated Any.
        @lib.asset
        def solo():  # type: ignore[no-untyped-def]
            return make(lib)

        result = lib.materialize([solo], raise_on_error=False)
        return result.success, [e.step_key for e in result.get_step_failure_events()]

    with nbassets.use_registry(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run(nbassets) == run(dg)


def test_static_mapping_between_time_windows_is_refused_as_in_dagster() -> None:
    import nbassets
    from nbassets.errors import PartitionError

    table = {"2024-01-01": "2024-01-02"}
    theirs = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05")
    with pytest.raises(Exception, match="StaticPartitionsDefinition"):
        dg.StaticPartitionMapping(table).get_upstream_mapped_partitions_result_for_partitions(
            theirs.empty_subset().with_partition_keys(["2024-01-02"]), theirs, theirs
        )
    ours = nbassets.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05")
    with pytest.raises(PartitionError, match="upstream asset is partitioned by Daily"):
        nbassets.StaticPartitionMapping(table).validate(ours, ours)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(-3, 1), st.integers(-2, 2), st.integers(0, 5), st.sampled_from([None, "2024-01-07"])
)
def test_time_window_offsets_agree_with_dagster(
    start_offset: int, end_offset: int, index: int, end_date: str | None
) -> None:
    import nbassets
    from nbassets.errors import PartitionError

    kwargs: dict[str, Any] = {"start_date": "2024-01-01"}
    if end_date:
        kwargs["end_date"] = end_date
    now = __import__("datetime").datetime(2024, 1, 9)
    theirs_def = dg.DailyPartitionsDefinition(**kwargs)
    ours_def = nbassets.DailyPartitionsDefinition(**kwargs)
    key = ours_def.get_partition_keys(current_time=now)[index]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mapping = dg.TimeWindowPartitionMapping(start_offset=start_offset, end_offset=end_offset)
        try:
            mapped = mapping.get_upstream_mapped_partitions_result_for_partitions(
                theirs_def.empty_subset().with_partition_keys([key]), theirs_def, theirs_def,
                current_time=now,
            )
        except Exception:  # noqa: BLE001 - Dagster refuses this case: so must we
            expected = None
        else:
            expected = sorted(mapped.partitions_subset.get_partition_keys())
            if mapped.required_but_nonexistent_subset.get_partition_keys():
                expected = None
    ours = nbassets.TimeWindowPartitionMapping(start_offset=start_offset, end_offset=end_offset)
    try:
        got = sorted(ours.upstream_partition_keys([key], ours_def, ours_def, current_time=now))
    except PartitionError:
        got = None
    assert got == expected


@pytest.mark.parametrize("text", ['group:"sales*"', 'group:"*_us"', 'group:"s*s_e*"'])
def test_group_wildcards_agree_with_dagster(text: str) -> None:
    import nbassets
    from nbassets.graph.selection import parse_selection

    groups = {"a": "sales_eu", "b": "sales_us", "c": "ops"}
    ours = AssetGraph(AssetNode(AssetKey(k), (), group_name=g) for k, g in groups.items())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = DagsterGraph.from_assets(
            [dg.multi_asset(specs=[dg.AssetSpec(k, group_name=g)], name=f"op_{k}")(lambda: None)
             for k, g in groups.items()]
        )
        expected = {k.to_user_string() for k in dg.AssetSelection.from_string(text).resolve(theirs)}
    selection = parse_selection(text)
    assert {k.to_user_string() for k in selection.resolve(ours)} == expected
    assert parse_selection(selection.to_selection_str()) == selection
    assert nbassets.AssetSelection.groups(text.split('"')[1]).resolve(ours) == selection.resolve(
        ours
    )


KINDS = ["pandas", "sql", "s3"]


@st.composite
def kinded_assets(draw: st.DrawFn) -> list[tuple[str, frozenset[str], bool]]:
    """Assets ``k0..kn``, each with some kinds, some external (AssetSpec)."""
    size = draw(st.integers(1, 6))
    return [
        (f"k{i}", frozenset(draw(st.sets(st.sampled_from(KINDS), max_size=2))), draw(st.booleans()))
        for i in range(size)
    ]


@settings(max_examples=80, deadline=None)
@given(
    kinded_assets(),
    st.sampled_from([*KINDS, None]),
    st.booleans(),
)
def test_kind_selection_with_include_sources_agrees_with_dagster(
    assets: list[tuple[str, frozenset[str], bool]], kind: str | None, include_sources: bool
) -> None:
    from nbassets.errors import SelectionError

    ours = AssetGraph(
        AssetNode(AssetKey(name), (), kinds=kinds, is_external=external)
        for name, kinds, external in assets
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        definitions = [
            dg.AssetSpec(name, kinds=set(kinds))
            if external
            else dg.multi_asset(specs=[dg.AssetSpec(name, kinds=set(kinds))], name=f"op_{name}")(
                lambda: None
            )
            for name, kinds, external in assets
        ]
        theirs = dg.Definitions(assets=definitions).resolve_asset_graph()
        selection = dg.AssetSelection.kind(kind, include_sources=include_sources)
        expected = {k.to_user_string() for k in selection.resolve(theirs)}
    mine = AssetSelection.kind(kind, include_sources=include_sources)
    if kind is not None and not any(kind in kinds for _, kinds, _ in assets):
        # A kind no asset has is an error naming the kinds that exist (README:
        # "Selections that match nothing"); Dagster selects nothing.
        assert expected == set()
        with pytest.raises(SelectionError, match=f"Unknown kind '{kind}'"):
            mine.resolve(ours)
        return
    assert {k.to_user_string() for k in mine.resolve(ours)} == expected
