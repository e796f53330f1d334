"""``@asset`` and ``@multi_asset``: what a definition knows about itself."""

from __future__ import annotations

import pytest

from nbassets import (
    AssetDep,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetOut,
    AssetsDefinition,
    AssetSpec,
    Config,
    ConfigurableResource,
    InvalidDefinitionError,
    InvalidInvocationError,
    MetadataValue,
    RetryPolicy,
    asset,
    materialize,
    multi_asset,
)

K = AssetKey


def test_bare_decorator_names_the_asset_after_the_function() -> None:
    @asset
    def orders() -> list[int]:
        """All orders."""
        return [1, 2]

    assert isinstance(orders, AssetsDefinition)
    assert orders.key == K("orders")
    assert list(orders.keys) == [K("orders")]
    assert orders.descriptions_by_key == {K("orders"): "All orders."}
    assert orders.group_names_by_key == {K("orders"): "default"}
    assert orders.dependency_keys == set()


def test_name_and_key_prefix_build_the_key() -> None:
    @asset(name="orders", key_prefix=["sales", "raw"])
    def load() -> int:
        return 1

    assert load.key == K(["sales", "raw", "orders"])
    assert load.node_name == "sales__raw__orders"


def test_key_argument_gives_the_whole_key() -> None:
    @asset(key="sales/orders")
    def load() -> int:
        return 1

    assert load.key == K(["sales", "orders"])


def test_key_with_name_is_rejected() -> None:
    with pytest.raises(
        InvalidDefinitionError, match=r"when the key argument is provided.*pass only key="
    ):

        @asset(key="x", name="y")
        def load() -> int:
            return 1


def test_parameters_name_upstream_assets() -> None:
    @asset
    def report(orders: list[int], customers: list[str]) -> int:
        return len(orders) + len(customers)

    assert report.dependency_keys == {K("orders"), K("customers")}
    assert report.upstream_keys == (K("orders"), K("customers"))


def test_ins_maps_a_parameter_to_another_key_or_prefix() -> None:
    @asset(ins={"o": AssetIn(key=["sales", "orders"]), "c": AssetIn(key_prefix="crm")})
    def report(o: int, c: int) -> int:
        return o + c

    assert report.dependency_keys == {K(["sales", "orders"]), K(["crm", "c"])}


def test_ins_naming_no_parameter_suggests_the_right_one() -> None:
    with pytest.raises(InvalidDefinitionError, match=r"ins\['order'\].*Did you mean 'orders'"):

        @asset(ins={"order": AssetIn("x")})
        def report(orders: int) -> int:
            return orders


def test_var_positional_parameters_are_rejected() -> None:
    with pytest.raises(InvalidDefinitionError, match=r"takes \*rest"):

        @asset
        def report(*rest: int) -> int:
            return 0


def test_deps_accept_keys_strings_specs_and_definitions() -> None:
    @asset
    def upstream() -> int:
        return 1

    ext = AssetSpec("ext")

    @asset(deps=[upstream, ext, "sales/orders", AssetKey("k"), AssetDep("d")])
    def down() -> None:
        return None

    assert down.dependency_keys == {
        K("upstream"),
        K("ext"),
        K(["sales", "orders"]),
        K("k"),
        K("d"),
    }


# Module level: with postponed annotations, a class local to a test cannot be resolved.
class Cfg(Config):
    factor: int = 3


class Db(ConfigurableResource):
    url: str = "x"


def test_context_config_and_resources_are_not_inputs() -> None:
    @asset(required_resource_keys={"api"})
    def thing(context: AssetExecutionContext, config: Cfg, db: Db, api: object, up: int) -> int:
        return up

    assert thing.dependency_keys == {K("up")}
    assert thing.roles.context == "context"
    assert thing.roles.config == ("config", Cfg)
    assert thing.roles.resources == ("db", "api")
    assert thing.required_resource_keys == {"api"}


def test_attributes_are_kept_per_key() -> None:
    policy = RetryPolicy(max_retries=2)

    @asset(
        metadata={"rows": 3, "owner": "me", "link": MetadataValue.url("http://x")},
        tags={"tier": "gold"},
        group_name="sales",
        code_version="v1",
        description="Explicit description",
        retry_policy=policy,
        io_manager_key="fs",
        kinds={"pandas"},
        owners=["team:data"],
    )
    def thing() -> int:
        """Docstring loses to description=."""
        return 1

    key = K("thing")
    # Kept as given, as Dagster keeps them (typed when stored with a materialization).
    assert thing.metadata_by_key[key]["rows"] == 3
    assert thing.metadata_by_key[key]["owner"] == "me"
    assert thing.metadata_by_key[key]["link"].value == "http://x"
    assert thing.tags_by_key == {key: {"tier": "gold"}}
    assert thing.group_names_by_key == {key: "sales"}
    assert thing.code_versions_by_key == {key: "v1"}
    assert thing.descriptions_by_key == {key: "Explicit description"}
    assert thing.retry_policy is policy
    assert thing.io_manager_keys == {key: "fs"}
    assert thing.owners_by_key == {key: ["team:data"]}
    spec = thing.get_asset_spec()
    assert spec.kinds == frozenset({"pandas"})
    assert spec.group_name == "sales"


def test_unstorable_metadata_is_rejected_at_definition() -> None:
    with pytest.raises(InvalidDefinitionError, match="Metadata entry 'obj' has a value of type"):

        @asset(metadata={"obj": object()})
        def thing() -> int:
            return 1


def test_definition_is_callable_as_the_plain_function() -> None:
    @asset
    def double(up: int) -> int:
        return up * 2

    assert double(21) == 42
    assert double(up=4) == 8


def test_direct_call_supplies_a_context_and_default_config() -> None:
    @asset
    def scaled(context: AssetExecutionContext, config: Cfg, up: int) -> int:
        assert context.run_id
        return up * config.factor

    assert scaled(up=2) == 6
    assert scaled(up=2, config=Cfg(factor=5)) == 10


def test_multi_asset_with_outs() -> None:
    @multi_asset(
        outs={"left": AssetOut(), "right": AssetOut(key_prefix="p", group_name="g")},
        group_name="base",
    )
    def split(whole: list[int]) -> tuple[list[int], list[int]]:
        return whole[:1], whole[1:]

    assert list(split.keys) == [K("left"), K(["p", "right"])]
    assert split.group_names_by_key == {K("left"): "base", K(["p", "right"]): "g"}
    assert split.dependency_keys == {K("whole")}
    assert split([1, 2, 3]) == ([1], [2, 3])


def test_multi_asset_key_raises_and_points_to_keys() -> None:
    @multi_asset(outs={"a": AssetOut(), "b": AssetOut()})
    def pair() -> tuple[int, int]:
        return 1, 2

    with pytest.raises(InvalidInvocationError, match=r"use \.keys instead of \.key"):
        _ = pair.key


def test_multi_asset_with_specs_and_their_deps() -> None:
    @multi_asset(specs=[AssetSpec("x", deps=["src"]), AssetSpec(["y", "z"])])
    def both() -> None:
        return None

    assert list(both.keys) == [K("x"), K(["y", "z"])]
    assert both.asset_deps[K("x")] == {K("src")}
    assert both.dependency_keys == {K("src")}


def test_multi_asset_takes_outs_or_specs_not_both() -> None:
    with pytest.raises(InvalidDefinitionError, match="only outs or specs but not both"):
        multi_asset(outs={"a": AssetOut()}, specs=[AssetSpec("b")])


def test_a_multi_asset_of_no_assets_is_valid_and_never_runs() -> None:
    # As in Dagster: @multi_asset() declares nothing, so no run ever calls it.
    @multi_asset()
    def ghost() -> None:
        raise AssertionError("a multi-asset of no assets must not run")

    assert list(ghost.keys) == []
    assert materialize([ghost]).success


def test_multi_asset_with_the_same_key_twice_is_rejected() -> None:
    with pytest.raises(InvalidDefinitionError, match="declares the same asset key twice"):

        @multi_asset(outs={"a": AssetOut(key="k"), "b": AssetOut(key="k")})
        def twice() -> tuple[int, int]:
            return 1, 2


def test_decorating_outside_main_does_not_touch_the_kernel_registry() -> None:
    import nbassets

    with nbassets.use_registry() as reg:

        @asset
        def quiet() -> int:
            return 1

        assert len(reg) == 0
