"""Inputs without a value (``AssetIn(dagster_type=Nothing)``) and inputs through ``**kwargs``."""

from __future__ import annotations

from typing import Any

from nbassets import AssetIn, AssetKey, Nothing, asset, materialize_to_memory


def test_a_nothing_input_orders_the_asset_without_a_parameter() -> None:
    calls: list[str] = []

    @asset
    def upstream() -> None:
        calls.append("upstream")

    @asset(ins={"upstream": AssetIn(dagster_type=Nothing)})
    def downstream() -> int:
        calls.append("downstream")
        return 1

    assert downstream.keys_by_input_name == {"upstream": AssetKey("upstream")}
    # As in Dagster 1.13: the op keeps the input, typed Nothing (it carries no value).
    assert [(d.name, d.dagster_type.is_nothing) for d in downstream.op.input_defs] == [
        ("upstream", True)
    ]
    result = materialize_to_memory([downstream, upstream])
    assert result.success
    assert calls == ["upstream", "downstream"]


def test_kwargs_receive_the_inputs_named_in_ins() -> None:
    @asset
    def upstream() -> int:
        return 5

    @asset(ins={"upstream": AssetIn()})
    def doubled(**kwargs: Any) -> int:
        return int(kwargs["upstream"]) * 2

    assert doubled(upstream=4) == 8
    assert doubled.op(upstream=4) == 8
    result = materialize_to_memory([upstream, doubled])
    assert result.output_for_node("doubled") == 10
