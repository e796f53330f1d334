"""Reference page 001: execution contexts, IO manager contexts and asset checks.

Skipped from the page, and why:
- ``OpExecutionContext`` with ``@op``/``@resource``, ``build_op_context``,
  ``build_init_logger_context``: ops and resource functions are out of scope.
- ``Executor``/``@executor``/``in_process_executor``/``multiprocess_executor``,
  ``execute_job``/``JobExecutionResult``, ``build_resources``,
  ``validate_run_config``, ``Definitions``: jobs, executors and code locations are
  out of scope (nbassets' own executors are chosen with ``executor=``).
- ``@input_manager``: input managers are out of scope; the page's
  ``DataWarehouseInputManager`` is an ``IOManager``, so it is tested as one.
- S3 (``obj.to_parquet("s3://...")``, ``context.resources.s3``): an in-memory dict
  stands in for the bucket, so the IO manager logic is what is tested.
- ``materialize(..., resources={"database": database})`` with an ``@resource``
  function: a plain dict stands in for the resource.

Adapted: ``np.random`` data is replaced by fixed rows; the page's pandas examples
are kept as pandas.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import nbassets
from nbassets import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    EventType,
    InputContext,
    IOManager,
    MaterializeResult,
    OutputContext,
    asset,
    asset_check,
    build_asset_context,
    materialize,
    materialize_to_memory,
)

try:
    from nbassets import DailyPartitionsDefinition
except ImportError:  # not exported yet: see test_ref_004 test_partition_names_are_exported
    from nbassets.partitions import DailyPartitionsDefinition


def log_messages(result: Any) -> list[str]:
    return [e.message for e in result.all_events if e.event_type == EventType.LOG]


def users_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "created_at": ["2023-01-01", "2023-01-02", "2023-01-03", "2023-01-04"],
            "active": [True, False, True, True],
            "age": [30, 40, 50, 60],
        }
    )


# --- AssetExecutionContext -------------------------------------------------------


def define_users_analysis() -> Any:
    """The page's ``users_analysis``, its partition branch aside (tested separately)."""

    @asset(group_name="analytics", compute_kind="pandas")
    def users_analysis(
        context: AssetExecutionContext, users_data: pd.DataFrame
    ) -> MaterializeResult:
        asset_name = context.asset_key.path[-1]
        if context.has_partition_key:
            context.log.info(f"Materializing {asset_name} for partition {context.partition_key}")
        upstream_assets = context.selected_asset_keys
        context.log.info(f"Depends on assets: {[key.path[-1] for key in upstream_assets]}")
        total_users = len(users_data)
        active_users = len(users_data[users_data["active"]])
        avg_age = users_data["age"].mean()
        context.log.info(f"Analyzed {total_users} users")
        analysis_result = pd.DataFrame(
            {
                "metric": ["total_users", "active_users", "average_age"],
                "value": [total_users, active_users, avg_age],
            }
        )
        return MaterializeResult(
            value=analysis_result,
            metadata={
                "total_users": total_users,
                "active_users": active_users,
                "activity_rate": active_users / total_users,
                "average_age": avg_age,
                "data_quality_score": 0.95,
            },
        )

    return users_analysis


def test_asset_execution_context_example() -> None:
    @asset
    def users_data() -> pd.DataFrame:
        return users_frame()

    users_analysis = define_users_analysis()

    @asset
    def user_segments(context: AssetExecutionContext, users_analysis: pd.DataFrame) -> dict:
        context.log.info(f"Consuming asset: {context.asset_key}")
        metrics = users_analysis.set_index("metric")["value"]
        active_users = metrics["active_users"]
        return {
            "high_value": int(active_users * 0.2),
            "medium_value": int(active_users * 0.5),
            "low_value": int(active_users * 0.3),
        }

    result = materialize([users_data, users_analysis, user_segments])

    assert result.success
    assert users_analysis.group_names_by_key == {AssetKey("users_analysis"): "analytics"}
    assert result.output_for_node("user_segments") == {
        "high_value": 0,
        "medium_value": 1,
        "low_value": 0,
    }
    (materialization,) = result.asset_materializations_for_node("users_analysis")
    metadata = {k: v.value for k, v in materialization.metadata.items()}
    assert metadata["total_users"] == 4
    assert metadata["active_users"] == 3
    assert metadata["activity_rate"] == 0.75
    assert metadata["average_age"] == 45.0
    assert "Depends on assets: ['users_analysis']" in log_messages(result)
    assert "Consuming asset: user_segments" in log_messages(result)


def test_asset_accepts_compute_kind() -> None:
    @asset(group_name="analytics", compute_kind="pandas")
    def users_analysis() -> int:
        return 1

    assert users_analysis.key == AssetKey("users_analysis")


def test_partition_time_window_on_a_daily_asset() -> None:
    @asset(partitions_def=DailyPartitionsDefinition(start_date="2023-01-01"))
    def daily_users(context: AssetExecutionContext) -> pd.DataFrame:
        window = context.partition_time_window
        start_date = window.start.strftime("%Y-%m-%d")
        end_date = window.end.strftime("%Y-%m-%d")
        users = users_frame()
        return users[(users["created_at"] >= start_date) & (users["created_at"] < end_date)]

    result = materialize([daily_users], partition_key="2023-01-02")

    assert list(result.output_for_node("daily_users")["created_at"]) == ["2023-01-02"]


# --- Asset checks ----------------------------------------------------------------


def test_asset_check_example() -> None:
    @asset
    def users_data() -> pd.DataFrame:
        frame = users_frame()
        return pd.concat([frame, frame.iloc[[0]]], ignore_index=True)

    @asset_check(asset="users_data")
    def users_data_quality_check(context: Any, users_data: pd.DataFrame) -> AssetCheckResult:
        null_count = users_data.isnull().sum().sum()
        duplicate_count = users_data.duplicated().sum()
        total_records = len(users_data)
        null_rate = null_count / (total_records * len(users_data.columns))
        duplicate_rate = duplicate_count / total_records
        context.log.info(f"Null rate: {null_rate:.2%} (threshold: 5.00%)")
        passed = null_rate <= 0.05 and duplicate_rate <= 0.02
        if not passed:
            context.log.warning("Data quality check failed for users_data")
        return AssetCheckResult(
            passed=passed,
            metadata={
                "null_count": null_count,
                "duplicate_count": duplicate_count,
                "duplicate_rate": duplicate_rate,
                "total_records": total_records,
            },
        )

    result = materialize([users_data, users_data_quality_check])

    assert result.success  # a failed non-blocking check does not fail the run
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.asset_key == AssetKey("users_data")
    assert evaluation.check_name == "users_data_quality_check"
    assert evaluation.passed is False
    assert {k: v.value for k, v in evaluation.metadata.items()} == {
        "null_count": 0,
        "duplicate_count": 1,
        "duplicate_rate": 0.2,
        "total_records": 5,
    }
    assert "Data quality check failed for users_data" in log_messages(result)


def test_asset_check_execution_context_is_exported() -> None:
    assert "AssetCheckExecutionContext" in nbassets.__all__


def test_asset_check_context_knows_its_asset_and_name() -> None:
    @asset
    def users_data() -> list[int]:
        return [1]

    @asset_check(asset="users_data")
    def users_data_quality_check(context: Any, users_data: list[int]) -> AssetCheckResult:
        return AssetCheckResult(
            passed=True,
            metadata={"asset": context.asset_key.to_user_string(), "name": context.op_def.name},
        )

    result = materialize([users_data, users_data_quality_check], raise_on_error=False)

    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.metadata["asset"].value == "users_data"
    assert evaluation.metadata["name"].value == "users_data_quality_check"


# --- build_asset_context ---------------------------------------------------------


def test_build_asset_context_with_partition_and_resources() -> None:
    seen: dict[str, Any] = {}

    @asset
    def my_asset(context: AssetExecutionContext) -> str:
        seen["database"] = context.resources.database
        partition_key = context.partition_key if context.has_partition_key else None
        return f"Asset for partition {partition_key}"

    test_database = {"connection": "test://localhost/testdb"}
    context = build_asset_context(
        partition_key="2023-01-01", resources={"database": test_database}, run_tags={"env": "t"}
    )

    assert my_asset(context) == "Asset for partition 2023-01-01"
    assert seen["database"] == test_database
    assert context.get_tag("env") == "t"


def test_direct_invocation_binds_the_context_to_the_asset() -> None:
    @asset
    def my_asset(context: AssetExecutionContext) -> str:
        return f"Asset {context.asset_key.to_user_string()}"

    assert my_asset(build_asset_context()) == "Asset my_asset"


@pytest.mark.parametrize(
    ("kwargs", "read"),
    [
        ({"asset_key": AssetKey("my_asset")}, lambda c: c.asset_key == AssetKey("my_asset")),
        ({"config": {"processing_mode": "test"}}, lambda c: c.op_config is not None),
        (
            {"selected_asset_keys": {AssetKey("users"), AssetKey("events")}},
            lambda c: c.selected_asset_keys == {AssetKey("users"), AssetKey("events")},
        ),
        ({"run_id": "test-run-12345"}, lambda c: c.run_id == "test-run-12345"),
        ({"tags": {"env": "test"}}, lambda c: c.get_tag("env") == "test"),
    ],
    ids=["asset_key", "config", "selected_asset_keys", "run_id", "tags"],
)
def test_build_asset_context_parameters(kwargs: dict[str, Any], read: Any) -> None:
    context = build_asset_context(**kwargs)

    assert read(context)


# --- InputContext / OutputContext ------------------------------------------------


class WarehouseIOManager(IOManager):
    """The page's S3IOManager and DataWarehouseInputManager, with a dict as the bucket."""

    def __init__(self) -> None:
        self.bucket: dict[str, Any] = {}
        self.outputs: list[dict[str, Any]] = []
        self.inputs: list[dict[str, Any]] = []

    def handle_output(self, context: OutputContext, obj: pd.DataFrame) -> None:
        file_path = "/".join(context.asset_key.path) + ".parquet"
        self.outputs.append(
            {
                "asset_key": context.asset_key,
                "step_key": context.step_key,
                "name": context.name,
                # The definition's metadata, as written (Dagster keeps raw values).
                "metadata": dict(context.metadata),
                "partitioned": context.has_asset_partitions,
            }
        )
        context.log.info(f"Storing output to s3://my-bucket/{file_path}")
        self.bucket[file_path] = obj.copy()
        context.add_output_metadata(
            {
                "s3_path": f"s3://my-bucket/{file_path}",
                "rows": len(obj),
                "columns": len(obj.columns),
            }
        )

    def load_input(self, context: InputContext) -> pd.DataFrame:
        upstream_output = context.upstream_output
        asset_key = upstream_output.asset_key if upstream_output else None
        self.inputs.append(
            {
                "asset_key": asset_key,
                "metadata": dict(context.metadata),
                "partitioned": context.has_asset_partitions,
            }
        )
        assert asset_key is not None
        return self.bucket["/".join(asset_key.path) + ".parquet"]


def define_sales_assets() -> tuple[Any, Any]:
    @asset(io_manager_key="s3_manager", metadata={"owner": "sales"})
    def sales_data(context: AssetExecutionContext) -> pd.DataFrame:
        return pd.DataFrame({"date": pd.date_range("2023-01-01", periods=3), "sales": [1, 2, 3]})

    @asset(ins={"sales_data": AssetIn(metadata={"columns": ["sales"]})})
    def sales_total(sales_data: pd.DataFrame) -> int:
        return int(sales_data["sales"].sum())

    return sales_data, sales_total


def test_output_context_and_added_metadata() -> None:
    sales_data, sales_total = define_sales_assets()
    manager = WarehouseIOManager()

    result = materialize([sales_data, sales_total], resources={"s3_manager": manager})

    assert result.output_for_node("sales_total") == 6
    assert manager.outputs == [
        {
            "asset_key": AssetKey("sales_data"),
            "step_key": "sales_data",
            "name": "result",
            "metadata": {"owner": "sales"},
            "partitioned": False,
        }
    ]
    (materialization,) = result.asset_materializations_for_node("sales_data")
    # Definition metadata stays on the definition; the event carries what the run added.
    assert {k: v.value for k, v in materialization.metadata.items()} == {
        "s3_path": "s3://my-bucket/sales_data.parquet",
        "rows": 3,
        "columns": 2,
    }


def test_input_context_for_an_upstream_loaded_from_storage() -> None:
    sales_data, sales_total = define_sales_assets()
    manager = WarehouseIOManager()
    materialize([sales_data], resources={"s3_manager": manager})

    result = materialize(
        [sales_data, sales_total], resources={"s3_manager": manager}, selection=[sales_total]
    )

    assert result.output_for_node("sales_total") == 6
    assert manager.inputs == [
        {
            "asset_key": AssetKey("sales_data"),
            "metadata": {"columns": ["sales"]},
            "partitioned": False,
        }
    ]


def test_input_context_for_an_upstream_in_the_same_run() -> None:
    sales_data, sales_total = define_sales_assets()
    manager = WarehouseIOManager()

    materialize([sales_data, sales_total], resources={"s3_manager": manager})

    assert [i["asset_key"] for i in manager.inputs] == [AssetKey("sales_data")]


def test_input_manager_key_loads_through_that_manager() -> None:
    class WarehouseLoader(IOManager):
        def handle_output(self, context: OutputContext, obj: Any) -> None:
            raise AssertionError("an input manager only loads")

        def load_input(self, context: InputContext) -> list[int]:
            return [7, 8, 9]

    @asset
    def raw_data() -> list[int]:
        return [1, 2, 3]

    @asset(ins={"raw_data": AssetIn(input_manager_key="warehouse_loader")})
    def processed_data(raw_data: list[int]) -> list[int]:
        return raw_data

    materialize([raw_data])
    result = materialize(
        [raw_data, processed_data],
        resources={"warehouse_loader": WarehouseLoader()},
        selection=[processed_data],
    )

    assert result.output_for_node("processed_data") == [7, 8, 9]


@pytest.mark.parametrize(
    ("context_class", "attribute", "expected"),
    [
        (InputContext, "dagster_type", None),
        (InputContext, "config", {}),
        (InputContext, "asset_partition_keys", []),
        (OutputContext, "config", {}),
        (OutputContext, "asset_partition_keys", []),
    ],
)
def test_io_contexts_have_the_listed_properties(
    context_class: type, attribute: str, expected: Any
) -> None:
    # Dagster raises for a context built without these; nbassets answers "none given".
    context = context_class(asset_key=AssetKey("sales_data"))

    assert getattr(context, attribute) == expected


# --- materialize / materialize_to_memory section ---------------------------------


def define_users_and_stats() -> tuple[Any, Any]:
    @asset
    def users() -> pd.DataFrame:
        return pd.DataFrame({"id": [1, 2, 3], "name": ["Alice", "Bob", "Charlie"]})

    @asset
    def user_stats(users: pd.DataFrame) -> dict:
        return {"count": len(users), "avg_id": users["id"].mean()}

    return users, user_stats


def test_materialize_users_and_stats() -> None:
    users, user_stats = define_users_and_stats()

    result = materialize([users, user_stats])

    assert result.success
    assert [m.asset_key for m in result.asset_materializations] == [
        AssetKey("users"),
        AssetKey("user_stats"),
    ]
    assert result.output_for_node("user_stats") == {"count": 3, "avg_id": 2.0}


def test_materialize_with_a_plain_dict_resource() -> None:
    # The page passes a resource "instance directly"; a dict stands in for @resource output.
    @asset(required_resource_keys={"database"})
    def users(context: AssetExecutionContext) -> str:
        return str(context.resources.database["connection"])

    result = materialize([users], resources={"database": {"connection": "postgresql://db"}})

    assert result.output_for_node("users") == "postgresql://db"


def test_materialize_with_resource_config_in_run_config() -> None:
    # The page configures the default IO manager through run config; nbassets accepts
    # the section (its in-memory IO manager takes no config).
    users, user_stats = define_users_and_stats()

    result = materialize(
        [users, user_stats],
        run_config={"resources": {"io_manager": {"config": {"base_path": "/tmp/dagster"}}}},
    )

    assert result.success


def test_materialize_to_memory_users_and_stats() -> None:
    users, user_stats = define_users_and_stats()

    result = materialize_to_memory([users, user_stats])

    assert result.success
    assert list(result.output_for_node("users")["name"]) == ["Alice", "Bob", "Charlie"]
    assert result.output_for_node("user_stats")["count"] == 3


def test_materialize_to_memory_daily_partition() -> None:
    @asset(partitions_def=DailyPartitionsDefinition(start_date="2023-01-01"))
    def daily_data(context: AssetExecutionContext) -> pd.DataFrame:
        return pd.DataFrame({"date": [context.partition_key], "value": [42]})

    result = materialize_to_memory([daily_data], partition_key="2023-01-15")

    assert result.output_for_node("daily_data").to_dict("list") == {
        "date": ["2023-01-15"],
        "value": [42],
    }
