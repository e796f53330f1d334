"""materialize / materialize_to_memory: values, selection, storage between runs, errors."""

from __future__ import annotations

from typing import Any

import pytest

import nbassets
from nbassets import (
    AssetKey,
    AssetSpec,
    ConfigError,
    DuplicateKeyError,
    InMemoryIOManager,
    InvalidInvocationError,
    MaterializeResult,
    MissingUpstreamError,
    Output,
    UnknownAssetError,
    asset,
    materialize,
    materialize_to_memory,
)

K = AssetKey
calls: list[str] = []


@asset
def orders() -> list[int]:
    calls.append("orders")
    return [1, 2, 3]


@asset
def revenue(orders: list[int]) -> int:
    calls.append("revenue")
    return sum(orders)


@asset
def report(revenue: int) -> str:
    calls.append("report")
    return f"revenue={revenue}"


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    calls.clear()
    with nbassets.use_registry() as reg:
        yield reg


def test_explicit_list_runs_in_order_and_returns_values() -> None:
    result = materialize([report, orders, revenue])
    assert result.success
    assert calls == ["orders", "revenue", "report"]
    assert result.output_for_node("report") == "revenue=6"
    assert result.asset_value("revenue") == 6


def test_registry_definitions_run_without_a_list(_fresh: Any) -> None:
    for definition in (orders, revenue, report):
        _fresh.add(definition)
    result = materialize()
    assert result.success and _fresh.value("report") == "revenue=6"


def test_to_memory_gives_the_same_values() -> None:
    result = materialize_to_memory([orders, revenue, report])
    assert result.output_for_node("report") == "revenue=6"


def test_selecting_a_leaf_loads_upstreams_stored_by_an_earlier_run(_fresh: Any) -> None:
    for definition in (orders, revenue, report):
        _fresh.add(definition)
    materialize()
    calls.clear()
    result = materialize(selection=[K("report")])
    assert calls == ["report"]
    assert result.output_for_node("report") == "revenue=6"


def test_selection_by_definitions() -> None:
    materialize([orders, revenue, report])
    calls.clear()
    materialize([orders, revenue, report], selection=[revenue])
    assert calls == ["revenue"]


def test_selection_strings(_fresh: Any) -> None:
    for definition in (orders, revenue, report):
        _fresh.add(definition)
    materialize(selection="orders")
    calls.clear()
    materialize(selection="revenue+")
    assert calls == ["revenue", "report"]


def test_missing_upstream_is_named_before_anything_runs() -> None:
    with pytest.raises(
        MissingUpstreamError,
        match=r"Cannot run 'revenue': its upstream 'orders' is not selected and has no stored "
        r"value\. Materialize it first, or select it too \(selection='\+revenue'\)",
    ):
        materialize([orders, revenue, report], selection=[K("revenue"), K("report")])
    assert calls == []


def test_upstream_that_is_not_defined_says_so() -> None:
    with pytest.raises(MissingUpstreamError, match="'orders' is not defined"):
        materialize([revenue])


def test_unknown_key_in_selection_suggests_a_name() -> None:
    with pytest.raises(UnknownAssetError, match="Unknown asset 'revenu' in the selection. Did you"):
        materialize([orders, revenue], selection=[K("revenu")])


def test_two_definitions_of_one_key_in_one_list() -> None:
    @asset(name="orders")
    def other_orders() -> list[int]:
        return []

    with pytest.raises(DuplicateKeyError, match="Two definitions .* produce asset 'orders'"):
        materialize([orders, other_orders])


def test_to_memory_refuses_an_io_manager() -> None:
    with pytest.raises(
        InvalidInvocationError, match=r"io manager key 'io_manager'.*keeps every value in memory"
    ):
        materialize_to_memory([orders], resources={"io_manager": InMemoryIOManager()})


def test_non_definitions_in_the_list_are_refused() -> None:
    with pytest.raises(InvalidInvocationError, match="pass asset definitions"):
        materialize([orders, "revenue"])


def test_run_config_for_an_unknown_asset() -> None:
    with pytest.raises(ConfigError, match="config for 'revnue'.*Did you mean 'revenue'"):
        materialize([orders, revenue], run_config={"ops": {"revnue": {"config": {}}}})


def test_run_config_with_an_unknown_section() -> None:
    with pytest.raises(ConfigError, match=r"unknown section\(s\) \['opz'\]"):
        materialize([orders], run_config={"opz": {}})


def test_output_and_materialize_result_values_and_metadata() -> None:
    @asset
    def with_output() -> Output[int]:  # type: ignore[type-arg]
        return Output(5, metadata={"rows": 5})

    @asset
    def with_result() -> MaterializeResult:
        return MaterializeResult(value="v", metadata={"note": "hi"})

    result = materialize([with_output, with_result])
    assert result.output_for_node("with_output") == 5
    assert result.output_for_node("with_result") == "v"
    (mat,) = result.asset_materializations_for_node("with_output")
    assert mat.metadata["rows"].value == 5
    (mat,) = result.asset_materializations_for_node("with_result")
    assert mat.metadata["note"].value == "hi"


def test_materialize_result_without_value_stores_nothing(_fresh: Any) -> None:
    @asset
    def side_effect() -> MaterializeResult:
        return MaterializeResult(metadata={"written": True})

    _fresh.add(side_effect)
    result = materialize()
    assert result.success
    assert len(result.asset_materializations_for_node("side_effect")) == 1
    with pytest.raises(MissingUpstreamError, match="has no value yet"):
        _fresh.value("side_effect")


def test_reading_an_upstream_that_stored_no_value_explains_why() -> None:
    @asset
    def side() -> MaterializeResult:
        return MaterializeResult()

    @asset
    def reader(side: Any) -> Any:
        return side

    result = materialize([side, reader], raise_on_error=False)
    data = result.failure_data
    assert data is not None
    assert "side" in data.error.message and "no value" in data.error.message


def test_multi_asset_outputs() -> None:
    from nbassets import AssetOut, multi_asset

    @multi_asset(outs={"low": AssetOut(), "high": AssetOut()})
    def split(orders: list[int]) -> tuple[list[int], list[int]]:
        return [o for o in orders if o < 2], [o for o in orders if o >= 2]

    result = materialize([orders, split])
    assert result.output_for_node("split", "low") == [1]
    assert result.output_for_node("split", "high") == [2, 3]
    assert result.asset_value("high") == [2, 3]


def test_multi_asset_returning_the_wrong_shape_says_what_it_expected() -> None:
    from nbassets import AssetOut, multi_asset

    @multi_asset(outs={"x": AssetOut(), "y": AssetOut()})
    def bad() -> int:
        return 1

    result = materialize([bad], raise_on_error=False)
    assert not result.success
    assert result.failure_data is not None
    assert "must return a tuple of 2 values (x, y)" in result.failure_data.error.message


def test_generator_asset_yields_outputs() -> None:
    from nbassets import AssetOut, multi_asset

    @multi_asset(outs={"x": AssetOut(), "y": AssetOut()})
    def gen() -> Any:
        yield Output(1, output_name="x")
        yield Output(2, output_name="y")

    result = materialize([gen])
    assert (result.asset_value("x"), result.asset_value("y")) == (1, 2)


def test_external_spec_in_the_registry_loads_through_the_io_manager(_fresh: Any) -> None:
    _fresh.add(AssetSpec("raw"))

    @asset
    def cleaned(raw: list[int]) -> list[int]:
        return sorted(raw)

    _fresh.add(cleaned)
    _fresh.instance.io_manager.values[(K("raw"), None)] = [3, 1]
    result = materialize()
    assert result.output_for_node("cleaned") == [1, 3]


def test_external_spec_in_an_explicit_list(_fresh: Any) -> None:
    raw = AssetSpec("raw")

    @asset
    def cleaned(raw: list[int]) -> list[int]:
        return sorted(raw)

    _fresh.instance.io_manager.values[(K("raw"), None)] = [3, 1]
    result = materialize([raw, cleaned])
    assert result.output_for_node("cleaned") == [1, 3]


def test_missing_external_value_does_not_advise_materializing_it(_fresh: Any) -> None:
    _fresh.add(AssetSpec("raw"))

    @asset
    def cleaned(raw: list[int]) -> list[int]:
        return raw

    _fresh.add(cleaned)
    with pytest.raises(MissingUpstreamError, match="'raw'") as info:
        materialize()
    assert "%materialize raw" not in str(info.value)


def test_run_tags_reach_the_context_and_the_result() -> None:
    seen: dict[str, Any] = {}

    @asset
    def tagged(context: nbassets.AssetExecutionContext) -> int:
        seen.update(context.run_tags)
        return 1

    result = materialize([tagged], tags={"team": "data"})
    assert seen == {"team": "data"}
    assert result.tags == {"team": "data"}


def test_each_run_has_its_own_id() -> None:
    first = materialize([orders])
    second = materialize([orders])
    assert first.run_id != second.run_id
    assert len(first.run_id) == 36
