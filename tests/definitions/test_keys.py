"""AssetKey: construction, spellings, prefixes and coercion."""

from __future__ import annotations

import pickle

import pytest

from nbassets import AssetKey, InvalidDefinitionError, asset
from nbassets.definitions.keys import coerce_key


def test_single_part_spellings_are_equal() -> None:
    assert AssetKey("a") == AssetKey(["a"]) == AssetKey(("a",))
    assert hash(AssetKey("a")) == hash(AssetKey(["a"]))


def test_multi_part_key_user_string_and_node_name() -> None:
    key = AssetKey(["sales", "orders"])
    assert key.path == ["sales", "orders"] and key.parts == ("sales", "orders")
    assert key.to_user_string() == "sales/orders"
    assert str(key) == "sales/orders"
    assert key.to_python_identifier() == "sales__orders"
    assert repr(key) == "AssetKey(['sales', 'orders'])"


def test_with_prefix_prepends_parts() -> None:
    assert AssetKey("orders").with_prefix("sales") == AssetKey(["sales", "orders"])
    assert AssetKey("orders").with_prefix(["a", "b"]) == AssetKey(["a", "b", "orders"])


def test_from_user_string_splits_on_slash() -> None:
    assert AssetKey.from_user_string("sales/orders") == AssetKey(["sales", "orders"])


def test_keys_order_by_path() -> None:
    assert sorted([AssetKey("b"), AssetKey(["a", "z"]), AssetKey("a")]) == [
        AssetKey("a"),
        AssetKey(["a", "z"]),
        AssetKey("b"),
    ]


def test_key_is_immutable_and_pickles() -> None:
    key = AssetKey(["x", "y"])
    with pytest.raises(AttributeError, match="immutable"):
        key.parts = ("z",)  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(key)) == key


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ([], "at least one part"),
        (["a", ""], "non-empty strings"),
        ("sales/orders", "from_user_string"),
        (["a", 3], "non-empty strings"),
    ],
)
def test_invalid_keys_say_how_to_fix(path: object, pattern: str) -> None:
    with pytest.raises(InvalidDefinitionError, match=pattern):
        AssetKey(path)  # type: ignore[arg-type]


def test_coerce_key_from_each_spelling() -> None:
    @asset
    def orders() -> int:
        return 1

    assert coerce_key("sales/orders") == AssetKey(["sales", "orders"])
    assert coerce_key(["sales", "orders"]) == AssetKey(["sales", "orders"])
    assert coerce_key(AssetKey("a")) == AssetKey("a")
    assert coerce_key(orders) == AssetKey("orders")


def test_coerce_key_rejects_other_values() -> None:
    with pytest.raises(InvalidDefinitionError, match="Cannot use 3 as an asset key"):
        coerce_key(3)
