"""Reference page 000: ``materialize`` and ``materialize_to_memory``, example by example.

Skipped from the page, and why:
- ``with DagsterInstance.get() as instance``: Dagster's persistent instance (DAGSTER_HOME)
  is out of scope; nbassets' ``Instance()`` stands in (test_instance_parameter).
- "Common Use Cases" snippets (``return data``, ``return processed_data``,
  ``return new_approach()``) name undefined values and show nothing beyond the basic
  examples; the ``if __name__ == "__main__"`` one is covered by test_basic_usage.
- "materialize persists assets to the configured IO manager (filesystem by default)":
  nbassets keeps values in memory by design (DESIGN.md section 6), so it is not tested.

Adapted: ``fetch_customers()``, ``fetch_orders()`` and ``calculate_metrics()`` are
local stand-ins; the "Fast Unit Tests" example depends on an asset ``data`` it never
defines, so it is run both as written (a clear error) and with a ``data`` asset.
"""

from __future__ import annotations

from typing import Any

import pytest

from nbassets import (
    AssetKey,
    AssetOut,
    Config,
    ConfigurableIOManager,
    ConfigurableResource,
    DagsterInvariantViolationError,
    Instance,
    MissingUpstreamError,
    NbAssetsError,
    asset,
    materialize,
    materialize_to_memory,
    multi_asset,
)

try:
    from nbassets import DailyPartitionsDefinition
except ImportError:  # not exported yet: see test_ref_004 test_partition_names_are_exported
    from nbassets.partitions import DailyPartitionsDefinition


# Config and resource classes live at module level, as on the page: the asset
# decorators resolve these (postponed) annotations through the module's globals.
class MyConfig(Config):
    threshold: int


class DatabaseResource(ConfigurableResource):
    connection_string: str


class AssetConfig(Config):
    api_key: str
    retries: int = 3


class APIResource(ConfigurableResource):
    base_url: str
    timeout: int = 30


def succeeded_steps(result: Any) -> list[str]:
    return [event.step_key for event in result.get_step_success_events()]


# --- Parameters ------------------------------------------------------------------


def test_assets_must_include_upstreams() -> None:
    @asset
    def upstream_asset() -> list[int]:
        return [1, 2, 3]

    @asset
    def downstream_asset(upstream_asset: list[int]) -> int:
        return sum(upstream_asset)

    # Without the upstream in the list (and nothing stored yet) the run cannot load it.
    with pytest.raises(MissingUpstreamError, match="upstream 'upstream_asset'"):
        materialize([downstream_asset])

    result = materialize([upstream_asset, downstream_asset])

    assert result.success
    assert result.output_for_node("downstream_asset") == 6


def test_run_config_parameter() -> None:
    @asset
    def configured_asset(config: MyConfig) -> int:
        return config.threshold * 2

    result = materialize(
        [configured_asset],
        run_config={"ops": {"configured_asset": {"config": {"threshold": 10}}}},
    )

    assert result.output_for_node("configured_asset") == 20


def test_instance_parameter() -> None:
    @asset
    def my_asset() -> str:
        return "data"

    instance = Instance()
    result = materialize([my_asset], instance=instance)

    assert result.success
    assert [run.run_id for run in instance.runs] == [result.run_id]


def test_resources_parameter() -> None:
    @asset
    def db_asset(database: DatabaseResource) -> str:
        return database.connection_string

    result = materialize(
        [db_asset],
        resources={"database": DatabaseResource(connection_string="postgresql://localhost")},
    )

    assert result.output_for_node("db_asset") == "postgresql://localhost"


def test_resources_conflicting_with_asset_resources_raise() -> None:
    @asset(resource_defs={"database": DatabaseResource(connection_string="bound")})
    def db_asset(database: DatabaseResource) -> str:
        return database.connection_string

    with pytest.raises(NbAssetsError, match="database"):
        materialize([db_asset], resources={"database": DatabaseResource(connection_string="given")})


def test_partition_key_parameter() -> None:
    @asset(partitions_def=DailyPartitionsDefinition("2024-01-01"))
    def partitioned_asset(context: Any) -> str:
        partition = context.partition_key
        return f"Data for {partition}"

    result = materialize([partitioned_asset], partition_key="2024-01-15")

    assert result.output_for_node("partitioned_asset") == "Data for 2024-01-15"


def test_raise_on_error_false_returns_failure_information() -> None:
    @asset
    def my_asset() -> None:
        raise ValueError("upstream API returned 500")

    result = materialize([my_asset], raise_on_error=False)

    assert not result.success
    assert result.failure_data is not None
    assert "upstream API returned 500" in result.failure_data.error.message


def test_raise_on_error_default_raises_the_users_exception() -> None:
    @asset
    def my_asset() -> None:
        raise ValueError("upstream API returned 500")

    with pytest.raises(ValueError, match="upstream API returned 500"):
        materialize([my_asset])


def test_tags_parameter() -> None:
    seen: dict[str, Any] = {}

    @asset
    def my_asset(context: Any) -> int:
        seen.update(context.run_tags)
        return 1

    result = materialize([my_asset], tags={"environment": "dev", "team": "data-eng"})

    assert result.success
    assert seen == {"environment": "dev", "team": "data-eng"}


def test_selection_of_definitions_loads_the_unselected_upstream() -> None:
    @asset
    def upstream_asset() -> list[int]:
        return [1, 2, 3]

    @asset
    def downstream_asset(upstream_asset: list[int]) -> int:
        return sum(upstream_asset)

    materialize([upstream_asset])
    result = materialize([upstream_asset, downstream_asset], selection=[downstream_asset])

    assert succeeded_steps(result) == ["downstream_asset"]
    assert result.output_for_node("downstream_asset") == 6


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("asset1+", ["asset1", "asset2"]),
        (["asset2", "asset3"], ["asset2", "asset3"]),
        ([AssetKey("asset3")], ["asset3"]),
    ],
)
def test_selection_forms(selection: Any, expected: list[str]) -> None:
    # asset1 --> asset2 --> asset3
    @asset
    def asset1() -> int:
        return 1

    @asset
    def asset2(asset1: int) -> int:
        return asset1 + 1

    @asset
    def asset3(asset2: int) -> int:
        return asset2 + 1

    materialize([asset1, asset2])
    result = materialize([asset1, asset2, asset3], selection=selection)

    assert succeeded_steps(result) == expected


# --- Returns ---------------------------------------------------------------------


def test_result_accessors() -> None:
    @asset(metadata={"owner": "data-eng"})
    def my_asset() -> dict[str, int]:
        return {"rows": 3}

    result = materialize([my_asset])

    assert result.success
    assert result.output_for_node("my_asset") == {"rows": 3}
    materializations = result.asset_materializations_for_node("my_asset")
    assert [m.asset_key for m in materializations] == [AssetKey("my_asset")]
    assert isinstance(result.run_id, str) and result.run_id
    assert any(event.is_step_success for event in result.all_events)


# --- Examples --------------------------------------------------------------------


def test_basic_usage() -> None:
    @asset
    def asset1() -> str:
        return "data"

    @asset
    def asset2(asset1: str) -> str:
        return asset1.upper()

    result = materialize([asset1, asset2])

    assert result.success
    assert result.output_for_node("asset2") == "DATA"


def test_with_configuration() -> None:
    @asset
    def configured_asset(config: AssetConfig) -> str:
        return f"API Key: {config.api_key}, Retries: {config.retries}"

    result = materialize(
        [configured_asset],
        run_config={
            "ops": {"configured_asset": {"config": {"api_key": "secret_key", "retries": 5}}}
        },
    )

    assert result.output_for_node("configured_asset") == "API Key: secret_key, Retries: 5"


def test_with_resources() -> None:
    @asset
    def api_asset(api: APIResource) -> str:
        return f"Fetching from {api.base_url} (timeout {api.timeout})"

    result = materialize(
        [api_asset],
        resources={"api": APIResource(base_url="https://api.example.com", timeout=60)},
    )

    assert result.output_for_node("api_asset") == (
        "Fetching from https://api.example.com (timeout 60)"
    )


def test_with_partitions() -> None:
    partitions_def = DailyPartitionsDefinition(start_date="2024-01-01")

    @asset(partitions_def=partitions_def)
    def daily_asset(context: Any) -> str:
        partition = context.partition_key
        return f"Data for {partition}"

    result = materialize([daily_asset], partition_key="2024-01-15")

    assert result.output_for_node("daily_asset") == "Data for 2024-01-15"
    assert [m.partition for m in result.asset_materializations] == ["2024-01-15"]


def test_with_selection() -> None:
    @asset
    def raw_data() -> list[int]:
        return [1, 2, 3, 4, 5]

    @asset
    def processed_data(raw_data: list[int]) -> list[int]:
        return [x * 2 for x in raw_data]

    @asset
    def aggregated_data(processed_data: list[int]) -> int:
        return sum(processed_data)

    materialize([raw_data])
    result = materialize(
        [raw_data, processed_data, aggregated_data],
        selection=[processed_data, aggregated_data],
    )

    assert succeeded_steps(result) == ["processed_data", "aggregated_data"]
    assert result.output_for_node("aggregated_data") == 30


def test_testing_asset_outputs() -> None:
    @asset
    def compute_metrics() -> dict[str, float]:
        return {"accuracy": 0.95, "precision": 0.92}

    result = materialize([compute_metrics])

    assert result.success
    metrics = result.output_for_node("compute_metrics")
    assert metrics["accuracy"] > 0.9
    assert metrics["precision"] > 0.9


def test_multi_asset_example() -> None:
    def fetch_customers() -> list[str]:
        return ["ada", "grace"]

    def fetch_orders() -> list[int]:
        return [10, 20, 30]

    def calculate_metrics(customers: list[str]) -> dict[str, int]:
        return {"customer_count": len(customers)}

    @multi_asset(outs={"customers": AssetOut(), "orders": AssetOut()})
    def extract_data() -> tuple[list[str], list[int]]:
        customers = fetch_customers()
        orders = fetch_orders()
        return customers, orders

    @asset
    def customer_metrics(customers: list[str]) -> dict[str, int]:
        return calculate_metrics(customers)

    result = materialize([extract_data, customer_metrics])

    assert result.success
    assert result.output_for_node("extract_data", "orders") == [10, 20, 30]
    assert result.output_for_node("customer_metrics") == {"customer_count": 2}


# --- materialize_to_memory -------------------------------------------------------


def test_basic_in_memory_execution() -> None:
    @asset
    def data_asset() -> list[int]:
        return [1, 2, 3, 4, 5]

    @asset
    def processed_asset(data_asset: list[int]) -> list[int]:
        return [x * 2 for x in data_asset]

    result = materialize_to_memory([data_asset, processed_asset])

    assert result.output_for_node("data_asset") == [1, 2, 3, 4, 5]
    assert result.output_for_node("processed_asset") == [2, 4, 6, 8, 10]


def test_fast_unit_tests_example_as_written_names_the_missing_upstream() -> None:
    # The page's example depends on an asset `data` that it never defines.
    @asset
    def calculate_statistics(data: list[int]) -> dict[str, float]:
        return {"mean": sum(data) / len(data), "max": max(data), "min": min(data)}

    with pytest.raises(MissingUpstreamError, match="'data' is not defined"):
        materialize_to_memory([calculate_statistics])


def test_fast_unit_tests_with_a_data_asset() -> None:
    @asset
    def data() -> list[int]:
        return [2, 4, 9]

    @asset
    def calculate_statistics(data: list[int]) -> dict[str, float]:
        return {"mean": sum(data) / len(data), "max": max(data), "min": min(data)}

    result = materialize_to_memory([data, calculate_statistics])

    assert result.output_for_node("calculate_statistics") == {"mean": 5.0, "max": 9, "min": 2}


def test_testing_pure_logic() -> None:
    @asset
    def transform_data() -> list[int]:
        raw_data = [1, 2, 3, 4, 5]
        return [x**2 for x in raw_data]

    @asset
    def filter_data(transform_data: list[int]) -> list[int]:
        return [x for x in transform_data if x > 10]

    result = materialize_to_memory([transform_data, filter_data])

    assert result.output_for_node("transform_data") == [1, 4, 9, 16, 25]
    assert result.output_for_node("filter_data") == [16, 25]


def test_with_asset_dependencies() -> None:
    @asset
    def upstream() -> dict[str, str]:
        return {"key": "value"}

    @asset
    def middle(upstream: dict[str, Any]) -> dict[str, Any]:
        return {**upstream, "processed": True}

    @asset
    def downstream(middle: dict[str, Any]) -> str:
        return str(middle["key"]).upper()

    result = materialize_to_memory([upstream, middle, downstream])

    assert result.output_for_node("upstream") == {"key": "value"}
    assert result.output_for_node("middle") == {"key": "value", "processed": True}
    assert result.output_for_node("downstream") == "VALUE"


def test_materialize_to_memory_refuses_io_managers() -> None:
    class MyIOManager(ConfigurableIOManager):
        def load_input(self, context: Any) -> None:
            pass

        def handle_output(self, context: Any, obj: Any) -> None:
            pass

    @asset
    def my_asset() -> str:
        return "data"

    with pytest.raises(DagsterInvariantViolationError, match="io_manager"):
        materialize_to_memory([my_asset], resources={"io_manager": MyIOManager()})


def test_materialize_to_memory_with_partition() -> None:
    daily_partitions = DailyPartitionsDefinition(start_date="2023-01-01")

    @asset(partitions_def=daily_partitions)
    def daily_data(context: Any) -> dict[str, Any]:
        return {"date": context.partition_key, "value": 42}

    result = materialize_to_memory([daily_data], partition_key="2023-01-15")

    assert result.output_for_node("daily_data") == {"date": "2023-01-15", "value": 42}
