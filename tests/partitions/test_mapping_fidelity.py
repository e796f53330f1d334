"""Partition mappings between static and multi-partitioned definitions, checked against
Dagster itself: for random definitions, mappings and subsets, both sides read the same
upstream partitions and reach the same downstream ones."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nbassets as nb

dg = pytest.importorskip("dagster")
# Dagster marks its multi-partition mappings beta; the warning says nothing about us.
pytestmark = pytest.mark.filterwarnings("ignore:Class .* is currently in beta")

LETTERS = st.lists(st.sampled_from("abcdef"), min_size=1, max_size=5, unique=True)


def _both(name: str, *args: Any) -> tuple[Any, Any]:
    """The same constructor call in nbassets and in Dagster."""
    return getattr(nb, name)(*args), getattr(dg, name)(*args)


@st.composite
def static_cases(draw: st.DrawFn) -> tuple[Any, ...]:
    upstream_keys, downstream_keys = draw(LETTERS), draw(LETTERS)
    kind = draw(st.sampled_from(["identity", "all", "last", "specific", "static"]))
    if kind == "identity":
        downstream_keys = upstream_keys
        mapping = _both("IdentityPartitionMapping")
    elif kind == "all":
        mapping = _both("AllPartitionMapping")
    elif kind == "last":
        mapping = _both("LastPartitionMapping")
    elif kind == "specific":
        chosen = draw(st.lists(st.sampled_from(upstream_keys), min_size=1, unique=True))
        mapping = _both("SpecificPartitionsPartitionMapping", chosen)
    else:
        table = {
            up: draw(st.sets(st.sampled_from(downstream_keys), min_size=1, max_size=2))
            for up in draw(st.lists(st.sampled_from(upstream_keys), min_size=1, unique=True))
        }
        mapping = _both("StaticPartitionMapping", table)
    upstream = _both("StaticPartitionsDefinition", upstream_keys)
    downstream = _both("StaticPartitionsDefinition", downstream_keys)
    # Non-empty: for no downstream partition Dagster's All/Last/Specific mappings still
    # read their partitions; nbassets reads none (nothing depends on them).
    down_subset = draw(st.lists(st.sampled_from(downstream_keys), min_size=1, unique=True))
    up_subset = draw(st.lists(st.sampled_from(upstream_keys), unique=True))
    return mapping, upstream, downstream, down_subset, up_subset


def _compare(case: tuple[Any, ...]) -> None:
    mapping, upstream, downstream, down_subset, up_subset = case
    results = []
    for side in (0, 1):
        up_def, down_def = upstream[side], downstream[side]
        read = mapping[side].get_upstream_mapped_partitions_result_for_partitions(
            down_def.empty_subset().with_partition_keys(down_subset), down_def, up_def
        )
        reached = mapping[side].get_downstream_partitions_for_partitions(
            up_def.empty_subset().with_partition_keys(up_subset), up_def, down_def
        )
        results.append(
            (
                {str(k) for k in read.partitions_subset.get_partition_keys()},
                {str(k) for k in reached.get_partition_keys()},
            )
        )
    assert results[0] == results[1]


@settings(max_examples=150, deadline=None)
@given(static_cases())
def test_static_mappings_read_and_reach_what_dagster_does(case: tuple[Any, ...]) -> None:
    _compare(case)


@st.composite
def multi_cases(draw: st.DrawFn) -> tuple[Any, ...]:
    colors, sizes = draw(LETTERS), draw(st.lists(st.sampled_from("xyz"), min_size=1, unique=True))
    defs = [
        lib.MultiPartitionsDefinition(
            {
                "color": lib.StaticPartitionsDefinition(colors),
                "size": lib.StaticPartitionsDefinition(sizes),
            }
        )
        for lib in (nb, dg)
    ]
    # Each dimension mapped by identity, by a few of its keys, or left out (all of it).
    mapped = {}
    for name, keys in (("color", colors), ("size", sizes)):
        how = draw(st.sampled_from(["identity", "specific", "none"]))
        if how == "none":
            continue
        chosen = draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
        mapped[name] = (how, chosen)
    mappings = []
    for lib in (nb, dg):
        dims = {
            name: lib.DimensionPartitionMapping(
                name,
                lib.IdentityPartitionMapping()
                if how == "identity"
                else lib.SpecificPartitionsPartitionMapping(chosen),
            )
            for name, (how, chosen) in mapped.items()
        }
        mappings.append(lib.MultiPartitionMapping(dims))
    keys = [f"{c}|{s}" for c in colors for s in sizes]
    down_subset = draw(st.lists(st.sampled_from(keys), unique=True, min_size=1, max_size=4))
    up_subset = draw(st.lists(st.sampled_from(keys), unique=True, max_size=4))
    as_keys = [
        lambda ks, lib=lib: [
            lib.MultiPartitionKey(dict(zip(["color", "size"], k.split("|"), strict=True)))
            for k in ks
        ]
        for lib in (nb, dg)
    ]
    return mappings, defs, defs, down_subset, up_subset, as_keys


@settings(max_examples=100, deadline=None)
@given(multi_cases())
def test_multi_partition_mappings_read_and_reach_what_dagster_does(
    case: tuple[Any, ...],
) -> None:
    mappings, upstream, downstream, down_subset, up_subset, as_keys = case
    results = []
    for side in (0, 1):
        up_def, down_def, keys_of = upstream[side], downstream[side], as_keys[side]
        read = mappings[side].get_upstream_mapped_partitions_result_for_partitions(
            down_def.empty_subset().with_partition_keys(keys_of(down_subset)), down_def, up_def
        )
        reached = mappings[side].get_downstream_partitions_for_partitions(
            up_def.empty_subset().with_partition_keys(keys_of(up_subset)), up_def, down_def
        )
        results.append(
            (
                {str(k) for k in read.partitions_subset.get_partition_keys()},
                {str(k) for k in reached.get_partition_keys()},
            )
        )
    assert results[0] == results[1]


def test_keys_of_a_static_subset_compare_as_a_set_and_keep_their_order() -> None:
    colors = nb.StaticPartitionsDefinition(["red", "green", "blue"])
    keys = colors.empty_subset().with_partition_keys(["blue", "red"]).get_partition_keys()
    assert keys == ["red", "blue"]  # the definition's order
    assert keys == {"blue", "red"} and {"red", "blue"} == keys  # as Dagster's set compares
    assert keys != {"red"}


def test_descriptions_are_dagsters() -> None:
    for name, args in [
        ("IdentityPartitionMapping", ()),
        ("AllPartitionMapping", ()),
        ("LastPartitionMapping", ()),
        ("SpecificPartitionsPartitionMapping", (["a", "b"],)),
        ("TimeWindowPartitionMapping", (-1, 0)),
        ("MultiToSingleDimensionPartitionMapping", ("date",)),
    ]:
        ours, theirs = _both(name, *args)
        assert ours.description == theirs.description
