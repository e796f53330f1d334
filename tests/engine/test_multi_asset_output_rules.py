"""A multi-asset's outputs: yielded in dependency order, and only the selected ones."""

from __future__ import annotations

import pytest

from nbassets import AssetKey, AssetOut, Output, materialize, multi_asset
from nbassets.errors import InvalidInvocationError


def test_an_output_yielded_before_the_sibling_it_depends_on_fails_the_step() -> None:
    @multi_asset(
        outs={"a": AssetOut(), "b": AssetOut()},
        internal_asset_deps={"a": set(), "b": {AssetKey("a")}},
    )
    def ab():  # type: ignore[no-untyped-def]
        yield Output(1, "b")
        yield Output(2, "a")

    with pytest.raises(InvalidInvocationError, match='"b" was yielded before its dependency "a"'):
        materialize([ab])


def test_a_subset_run_refuses_a_tuple_of_every_output() -> None:
    @multi_asset(outs={"one": AssetOut(), "two": AssetOut()}, can_subset=True)
    def both():  # type: ignore[no-untyped-def]
        return 1, 2

    with pytest.raises(InvalidInvocationError, match='returned an output "two" that is not'):
        materialize([both], selection=[AssetKey("one")])
