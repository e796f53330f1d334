"""AssetExecutionContext, config, resources and build_asset_context."""

from __future__ import annotations

from typing import Any

import pytest

import nbassets
from nbassets import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    Config,
    ConfigError,
    ConfigurableResource,
    EventType,
    InvalidInvocationError,
    MissingResourceError,
    RunConfig,
    asset,
    build_asset_context,
    materialize,
    multi_asset,
)

K = AssetKey


class Params(Config):
    limit: int
    label: str = "rows"


class Greeter(ConfigurableResource):
    greeting: str

    def greet(self, name: str) -> str:
        return f"{self.greeting}, {name}"


class Tracked(ConfigurableResource):
    log: list[str]

    def setup_for_execution(self, context: Any) -> None:
        self.log.append("setup")

    def teardown_after_execution(self, context: Any) -> None:
        self.log.append("teardown")


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    with nbassets.use_registry() as reg:
        yield reg


def test_context_fields_during_a_run() -> None:
    seen: dict[str, Any] = {}

    @asset(key_prefix="sales")
    def orders(context: AssetExecutionContext) -> int:
        seen["run_id"] = context.run_id
        seen["key"] = context.asset_key
        seen["selected"] = context.selected_asset_keys
        seen["partitioned"] = context.has_partition_key
        seen["retry"] = context.retry_number
        seen["op_config"] = context.op_config
        context.log.info("loaded %d rows", 3)
        context.add_output_metadata({"rows": 3})
        return 3

    result = materialize([orders])
    assert seen == {
        "run_id": result.run_id,
        "key": K(["sales", "orders"]),
        "selected": {K(["sales", "orders"])},
        "partitioned": False,
        "retry": 0,
        "op_config": None,
    }
    logs = [e for e in result.all_events if e.event_type is EventType.LOG]
    assert [e.data.message for e in logs] == ["loaded 3 rows"]
    assert logs[0].data.level == "INFO"
    (mat,) = result.asset_materializations_for_node("sales__orders")
    assert mat.metadata["rows"].value == 3


def test_partition_key_without_partitions_says_how_to_check() -> None:
    @asset
    def plain(context: AssetExecutionContext) -> int:
        return len(context.partition_key)

    result = materialize([plain], raise_on_error=False)
    assert result.failure_data is not None
    assert "has_partition_key" in result.failure_data.error.message


def test_multi_asset_context_sees_all_selected_keys() -> None:
    seen: dict[str, Any] = {}

    @multi_asset(outs={"x": AssetOut(), "y": AssetOut()})
    def pair(context: AssetExecutionContext) -> tuple[int, int]:
        seen["keys"] = context.selected_asset_keys
        context.add_output_metadata({"which": "x"}, output_name="x")
        return 1, 2

    result = materialize([pair])
    assert seen["keys"] == {K("x"), K("y")}
    mats = {m.asset_key: m for m in result.asset_materializations_for_node("pair")}
    assert mats[K("x")].metadata["which"].value == "x"
    assert "which" not in mats[K("y")].metadata


def test_config_from_run_config_dict() -> None:
    @asset
    def limited(config: Params, context: AssetExecutionContext) -> str:
        assert context.op_config == {"limit": 2, "label": "rows"}
        return f"{config.limit} {config.label}"

    result = materialize([limited], run_config={"ops": {"limited": {"config": {"limit": 2}}}})
    assert result.output_for_node("limited") == "2 rows"


def test_config_from_run_config_object_and_prefixed_key() -> None:
    @asset(key_prefix="p")
    def limited(config: Params) -> int:
        return config.limit

    result = materialize([limited], run_config=RunConfig(ops={"p__limited": Params(limit=4)}))
    assert result.output_for_node("p__limited") == 4


def test_invalid_config_names_the_asset_and_reason_before_running() -> None:
    ran: list[int] = []

    @asset
    def limited(config: Params) -> int:
        ran.append(1)
        return config.limit

    with pytest.raises(ConfigError, match=r"Invalid config for asset 'limited'.*limit: Input"):
        materialize([limited], run_config={"ops": {"limited": {"config": {"limit": "x"}}}})
    with pytest.raises(ConfigError, match=r"'limited'.*limit: Field required"):
        materialize([limited])
    assert ran == []


def test_config_for_an_asset_without_a_config_parameter() -> None:
    @asset
    def plain() -> int:
        return 1

    with pytest.raises(ConfigError, match="takes no Config parameter"):
        materialize([plain], run_config={"ops": {"plain": {"config": {"a": 1}}}})


def test_resource_injected_by_parameter_name() -> None:
    @asset
    def hello(greeter: Greeter) -> str:
        return greeter.greet("world")

    result = materialize([hello], resources={"greeter": Greeter(greeting="hi")})
    assert result.output_for_node("hello") == "hi, world"


def test_resource_through_required_resource_keys() -> None:
    @asset(required_resource_keys={"greeter"})
    def hello(context: AssetExecutionContext) -> str:
        return str(context.resources.greeter.greet("you"))

    result = materialize([hello], resources={"greeter": Greeter(greeting="yo")})
    assert result.output_for_node("hello") == "yo, you"


def test_missing_resource_is_named_before_running() -> None:
    @asset
    def hello(greeter: Greeter) -> str:
        return greeter.greet("x")

    with pytest.raises(MissingResourceError, match=r"'hello' needs resource\(s\) 'greeter'"):
        materialize([hello])
    # The given, misspelt key is pointed out next to the needed one.
    with pytest.raises(MissingResourceError, match="'greeter'.*'greeterr'"):
        materialize([hello], resources={"greeterr": Greeter(greeting="x")})


def test_unknown_resource_attribute_lists_what_exists() -> None:
    @asset(required_resource_keys={"greeter"})
    def hello(context: AssetExecutionContext) -> str:
        return str(context.resources.greetr)

    resources = {"greeter": Greeter(greeting="x")}
    result = materialize([hello], resources=resources, raise_on_error=False)
    assert result.failure_data is not None
    assert "No resource 'greetr'" in result.failure_data.error.message


def test_resource_setup_and_teardown_wrap_the_run_even_on_failure() -> None:
    @asset
    def uses(tracked: Tracked) -> int:
        tracked.log.append("run")
        raise ValueError("fails")

    tracked = Tracked(log=[])
    materialize([uses], resources={"tracked": tracked}, raise_on_error=False)
    assert tracked.log == ["setup", "run", "teardown"]


def test_build_asset_context_for_direct_calls() -> None:
    @asset(required_resource_keys={"greeter"})
    def hello(context: AssetExecutionContext) -> str:
        return str(context.resources.greeter.greet("test"))

    context = build_asset_context(resources={"greeter": Greeter(greeting="hey")})
    with pytest.raises(InvalidInvocationError, match="belongs to no asset"):
        _ = context.asset_key
    assert hello(context) == "hey, test"
    assert not context.has_partition_key
    assert context.run_id
    # Passed to an asset, the context takes that asset's key, as in Dagster.
    assert context.asset_key == K("hello")


def test_build_asset_context_with_partition_and_config() -> None:
    context = build_asset_context(partition_key="2024-01-01", asset_config={"a": 1})
    assert context.has_partition_key and context.partition_key == "2024-01-01"
    assert context.op_config == {"a": 1}



def test_context_log_is_not_printed_bare_to_stderr() -> None:
    # In a fresh interpreter: pytest's own log capture would hide Python's last resort.
    import subprocess
    import sys

    script = (
        "from nbassets import asset, materialize_to_memory\n"
        "@asset\n"
        "def noisy(context):\n"
        "    context.log.warning('careful: 3 rows dropped')\n"
        "    return 1\n"
        "assert materialize_to_memory([noisy]).success\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "careful" not in done.stderr
