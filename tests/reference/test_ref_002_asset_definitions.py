"""Reference page 002: the asset definitions guide.

The stored page lost its decorator lines (``@asset(...)``) in extraction; each example
is restored with the decorator its prose describes (``deps=``, ``code_version=``,
``retry_policy=``, ``group_name=``).

Skipped from the page, and why:
- ``Definitions(assets=[...])`` and "code locations": out of scope; the
  cross-location example is run as a ``deps=[AssetKey(...)]`` on an undefined key.
- ``load_assets_from_package_module``, ``dagster dev``, the UI sections: out of scope.
- Graph-backed assets (``@graph_asset``): ops and graphs are out of scope.

Adapted: ``execute_query(...)``, ``requests.get(...)`` and the files under ``data/``
are replaced by local stand-ins (a list of queries, a fake API, ``tmp_path``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nbassets import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    Backoff,
    Config,
    ConfigError,
    ConfigurableResource,
    EventType,
    Jitter,
    RetryPolicy,
    asset,
    build_asset_context,
    get_registry,
    materialize,
)


class MyDownstreamAssetConfig(Config):
    api_endpoint: str


class MyConfig(Config):
    api_url: str


class MyAPIResource(ConfigurableResource):
    """Stands in for the page's resource, whose ``query`` calls ``requests.get``."""

    def query(self, url: str) -> dict[str, Any]:
        return {"foo": "bar"} if url == "" else {"url": url}


def test_basic_asset_definition(tmp_path: Path) -> None:
    target = tmp_path / "data" / "my_asset.json"

    @asset
    def my_asset() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w") as f:
            json.dump([1, 2, 3], f)

    result = materialize([my_asset])

    assert my_asset.key == AssetKey("my_asset")
    assert result.success
    assert json.loads(target.read_text()) == [1, 2, 3]


def test_basic_dependencies_with_deps() -> None:
    executed: list[str] = []

    def execute_query(query: str) -> None:
        executed.append(query)

    @asset
    def sugary_cereals() -> None:
        execute_query("CREATE TABLE sugary_cereals AS SELECT * FROM cereals WHERE sugar_grams > 10")

    @asset(deps=[sugary_cereals])
    def shopping_list() -> None:
        execute_query("CREATE TABLE shopping_list AS SELECT * FROM sugary_cereals")

    result = materialize([shopping_list, sugary_cereals])

    assert result.success
    assert shopping_list.dependency_keys == {AssetKey("sugary_cereals")}
    assert [q.split()[2] for q in executed] == ["sugary_cereals", "shopping_list"]


def test_dependency_on_an_asset_from_another_code_location(tmp_path: Path) -> None:
    source = tmp_path / "code_location_1_asset.json"
    source.write_text(json.dumps(5))
    target = tmp_path / "code_location_2_asset.json"

    @asset(deps=[AssetKey("code_location_1_asset")])
    def code_location_2_asset() -> None:
        with open(source) as f:
            x = json.load(f)
        with open(target, "w+") as f:
            json.dump(x + 6, f)

    result = materialize([code_location_2_asset])

    assert result.success
    assert code_location_2_asset.dependency_keys == {AssetKey("code_location_1_asset")}
    assert json.loads(target.read_text()) == 11


def test_asset_configuration() -> None:
    def fake_get(url: str) -> dict[str, str]:
        return {"fetched": url}

    @asset
    def my_downstream_asset(config: MyDownstreamAssetConfig) -> dict[str, str]:
        return fake_get(f"{config.api_endpoint}/data")

    result = materialize(
        [my_downstream_asset],
        run_config={"ops": {"my_downstream_asset": {"config": {"api_endpoint": "https://x"}}}},
    )

    assert result.output_for_node("my_downstream_asset") == {"fetched": "https://x/data"}
    with pytest.raises(ConfigError, match="api_endpoint"):
        materialize([my_downstream_asset])


def test_asset_context_logs_the_run_id() -> None:
    @asset
    def context_asset(context: AssetExecutionContext) -> None:
        context.log.info(f"My run ID is {context.run.run_id}")

    result = materialize([context_asset])

    logs = [e.message for e in result.all_events if e.event_type == EventType.LOG]
    assert logs == [f"My run ID is {result.run_id}"]


def test_asset_code_version_is_recorded() -> None:
    @asset(code_version="v2")
    def asset_with_version() -> int:
        return 100

    materialize([asset_with_version])

    assert asset_with_version.code_versions_by_key == {AssetKey("asset_with_version"): "v2"}
    (record,) = get_registry().instance.history(AssetKey("asset_with_version"))
    assert record.code_version == "v2"


def test_materialization_is_tagged_with_the_code_version() -> None:
    @asset(code_version="v2")
    def asset_with_version() -> int:
        return 100

    result = materialize([asset_with_version])

    (materialization,) = result.asset_materializations
    assert materialization.tags.get("dagster/code_version") == "v2"


def test_retry_policy_retries_within_the_run() -> None:
    attempts: list[int] = []

    @asset(
        retry_policy=RetryPolicy(
            max_retries=3,
            delay=0.01,
            backoff=Backoff.EXPONENTIAL,
            jitter=Jitter.PLUS_MINUS,
        )
    )
    def retried_asset(context: AssetExecutionContext) -> str:
        context.log.info("Retry me!")
        attempts.append(context.retry_number)
        if len(attempts) < 3:
            raise ConnectionError("flaky")
        return "done"

    result = materialize([retried_asset])

    assert result.output_for_node("retried_asset") == "done"
    assert attempts == [0, 1, 2]
    assert len(result.filter_events(EventType.STEP_UP_FOR_RETRY)) == 2


def test_retry_policy_gives_up_after_max_retries() -> None:
    attempts: list[int] = []

    @asset(retry_policy=RetryPolicy(max_retries=3))
    def retried_asset() -> None:
        attempts.append(1)
        raise ConnectionError("still down")

    result = materialize([retried_asset], raise_on_error=False)

    assert not result.success
    assert len(attempts) == 4
    assert result.failure_data is not None
    assert "still down" in result.failure_data.error.message


def test_retry_waits_follow_exponential_backoff() -> None:
    policy = RetryPolicy(max_retries=3, delay=0.2, backoff=Backoff.EXPONENTIAL)

    assert [policy.wait_before(n) for n in (1, 2, 3)] == pytest.approx([0.2, 0.6, 1.4])


def test_groups() -> None:
    @asset(group_name="cereal_assets")
    def nabisco_cereals() -> list[str]:
        return ["Cheerios"]

    @asset
    def other() -> int:
        return 1

    assert nabisco_cereals.group_names_by_key == {AssetKey("nabisco_cereals"): "cereal_assets"}
    assert other.group_names_by_key == {AssetKey("other"): "default"}


# --- Testing ---------------------------------------------------------------------


def test_unit_test_a_simple_asset() -> None:
    @asset
    def my_simple_asset() -> list[int]:
        return [1, 2, 3]

    assert my_simple_asset() == [1, 2, 3]


def test_unit_test_with_upstream_values() -> None:
    @asset
    def more_complex_asset(my_simple_asset: list[int]) -> list[int]:
        return my_simple_asset + [4, 5, 6]

    assert more_complex_asset([0]) == [0, 4, 5, 6]


def test_unit_test_with_config_and_resource() -> None:
    @asset
    def uses_config_and_resource(config: MyConfig, my_api: MyAPIResource) -> dict[str, Any]:
        return my_api.query(config.api_url)

    result = uses_config_and_resource(config=MyConfig(api_url=""), my_api=MyAPIResource())

    assert result == {"foo": "bar"}
    # The same asset in a run: config from run config, the resource by its parameter name.
    run = materialize(
        [uses_config_and_resource],
        run_config={"ops": {"uses_config_and_resource": {"config": {"api_url": "u"}}}},
        resources={"my_api": MyAPIResource()},
    )
    assert run.output_for_node("uses_config_and_resource") == {"url": "u"}


def test_unit_test_with_context() -> None:
    @asset
    def uses_context(context: AssetExecutionContext) -> str:
        context.log.info("running")
        return "bar"

    context = build_asset_context()

    assert uses_context(context) == "bar"


def test_config_is_recognised_when_another_annotation_cannot_be_evaluated() -> None:
    class LocalResult(dict):  # type: ignore[type-arg]
        pass

    @asset
    def my_downstream_asset(config: MyDownstreamAssetConfig) -> LocalResult:
        return LocalResult(endpoint=config.api_endpoint)

    result = materialize(
        [my_downstream_asset],
        run_config={"ops": {"my_downstream_asset": {"config": {"api_endpoint": "https://x"}}}},
    )

    assert result.output_for_node("my_downstream_asset") == {"endpoint": "https://x"}


# --- Multi-component asset keys -------------------------------------------------


def test_multi_component_asset_keys() -> None:
    @asset(key_prefix=["one", "two", "three"])
    def upstream_asset() -> list[int]:
        return [1, 2, 3]

    @asset(ins={"upstream_asset": AssetIn(key_prefix=["one", "two", "three"])})
    def downstream_asset(upstream_asset: list[int]) -> list[int]:
        return upstream_asset + [4]

    result = materialize([upstream_asset, downstream_asset])

    assert upstream_asset.key == AssetKey(["one", "two", "three", "upstream_asset"])
    assert downstream_asset.dependency_keys == {upstream_asset.key}
    assert result.output_for_node("one__two__three__upstream_asset") == [1, 2, 3]
    assert result.output_for_node("downstream_asset") == [1, 2, 3, 4]
