"""AssetSpec, AssetIn, AssetOut, AssetDep, AssetCheckSpec."""

from __future__ import annotations

import pytest

from nbassets import AssetCheckKey, AssetCheckSpec, AssetDep, AssetIn, AssetKey, AssetOut, AssetSpec
from nbassets.errors import InvalidDefinitionError, InvalidInvocationError

K = AssetKey


def test_asset_spec_coerces_key_deps_and_metadata() -> None:
    spec = AssetSpec(
        "raw/orders",
        deps=["src", K("other")],
        metadata={"rows": 3},
        group_name="g",
        tags={"a": "b"},
        kinds=["csv"],
        owners=["me@example.com"],
    )
    assert spec.key == K(["raw", "orders"])
    assert spec.dep_keys == (K("src"), K("other"))
    assert spec.deps == [AssetDep("src"), AssetDep("other")]
    # Metadata kept as given, as Dagster keeps it; kinds are tags too.
    assert spec.metadata["rows"] == 3
    assert spec.keys == (K(["raw", "orders"]),)
    assert spec.kinds == {"csv"}
    assert spec.tags == {"a": "b", "dagster/kind/csv": ""}


def test_asset_spec_refuses_what_dagster_refuses() -> None:
    with pytest.raises(InvalidDefinitionError, match="Owner must be an email address"):
        AssetSpec("a", owners=["me"])
    with pytest.raises(InvalidDefinitionError, match="Found invalid tag keys"):
        AssetSpec("a", tags={"a%": "b"})
    with pytest.raises(InvalidDefinitionError, match="at most ten kinds"):
        AssetSpec("a", kinds={f"k{i}" for i in range(11)})
    with pytest.raises(InvalidInvocationError, match="more than once"):
        AssetSpec("a", deps=[AssetDep("b"), AssetDep("b", partition_mapping=object())])
    with pytest.raises(InvalidDefinitionError, match="cannot store"):
        AssetSpec("a", metadata={"x": object()})


def test_replace_and_merge_attributes_return_copies() -> None:
    spec = AssetSpec("a", tags={"x": "1"}, owners=["team:o1"], kinds={"csv"})
    renamed = spec.replace_attributes(key="b", group_name="g")
    merged = spec.merge_attributes(tags={"y": "2"}, owners=["team:o2"], deps=["up"])
    assert renamed.key == K("b") and renamed.group_name == "g"
    assert spec.key == K("a") and spec.group_name is None
    assert merged.tags == {"x": "1", "y": "2", "dagster/kind/csv": ""}
    assert merged.owners == ["team:o1", "team:o2"]
    assert spec.replace_attributes(kinds={"db"}).tags == {"x": "1", "dagster/kind/db": ""}
    assert merged.dep_keys == (K("up"),)


def test_with_io_manager_key_is_read_back() -> None:
    assert AssetSpec("a").io_manager_key is None
    assert AssetSpec("a").with_io_manager_key("fs").io_manager_key == "fs"


def test_asset_in_key_or_prefix() -> None:
    assert AssetIn("a/b").key_for("param") == K(["a", "b"])
    assert AssetIn(key_prefix=["p", "q"]).key_for("param") == K(["p", "q", "param"])
    assert AssetIn().key_for("param") == K("param")


def test_asset_out_key_or_prefix() -> None:
    assert AssetOut().key_for("out") == K("out")
    assert AssetOut(key_prefix="p").key_for("out") == K(["p", "out"])
    assert AssetOut(key=["x", "y"]).key_for("out") == K(["x", "y"])
    assert AssetOut.from_spec(AssetSpec("s", group_name="g")).group_name == "g"


def test_asset_dep_key() -> None:
    assert AssetDep("a/b").asset_key == K(["a", "b"])
    assert AssetDep(AssetSpec("s")).asset_key == K("s")


def test_check_spec_key() -> None:
    spec = AssetCheckSpec("positive", asset="sales/orders")
    assert spec.key == AssetCheckKey(K(["sales", "orders"]), "positive")
    assert spec.key.to_user_string() == "sales/orders:positive"
