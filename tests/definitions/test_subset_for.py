"""AssetsDefinition.subset_for: a multi-asset answering for some of its keys."""

from __future__ import annotations

import pytest

from nbassets import AssetKey, AssetOut, Output, materialize, multi_asset
from nbassets.errors import InvalidInvocationError

K = AssetKey


def _abc(can_subset: bool = True):  # type: ignore[no-untyped-def]
    @multi_asset(
        outs={n: AssetOut(is_required=False) for n in "abc"},
        internal_asset_deps={"a": {K("in1")}, "b": set(), "c": {K("a"), K("in2")}},
        can_subset=can_subset,
    )
    def abc(context, in1, in2):  # type: ignore[no-untyped-def]
        for key in sorted(context.selected_asset_keys):
            yield Output(1, output_name=key.path[-1])

    return abc


def test_a_subset_answers_for_its_keys_and_the_inputs_they_read() -> None:
    abc = _abc()
    only_c = abc.subset_for({K("c"), K("elsewhere")})

    assert set(only_c.keys) == {K("c")} and only_c.key == K("c")
    assert only_c.keys_by_output_name == {"c": K("c")}
    # c reads in2 and its sibling a, named as Dagster names a sibling input.
    assert only_c.keys_by_input_name == {"in2": K("in2"), "__subset_input__a": K("a")}
    assert only_c.asset_deps == abc.asset_deps  # the structure stays whole
    assert only_c.subset_for({K("a")}).keys == set()  # a subset of a subset narrows it


def test_a_subset_runs_its_keys_only() -> None:
    @multi_asset(outs={n: AssetOut(is_required=False) for n in "ab"}, can_subset=True)
    def ab(context):  # type: ignore[no-untyped-def]
        for key in sorted(context.selected_asset_keys):
            yield Output(1, output_name=key.path[-1])

    result = materialize([ab.subset_for({K("b")})])
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [K("b")]


def test_a_definition_that_cannot_subset_refuses() -> None:
    with pytest.raises(InvalidInvocationError, match="can_subset=False"):
        _abc(can_subset=False).subset_for({K("a")})


def test_a_subset_renamed_or_respecified_is_the_same_subset() -> None:
    only_c = _abc().subset_for({K("c")})
    renamed = only_c.with_attributes(asset_key_replacements={K("c"): K(["p", "c"])})
    assert set(renamed.keys) == {K(["p", "c"])}
    respecified = only_c.with_specs([only_c.get_asset_spec(K("c")).replace_attributes(
        description="the c")])
    assert set(respecified.keys) == {K("c")}
