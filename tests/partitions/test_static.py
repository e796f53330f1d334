from __future__ import annotations

import pickle

import pytest

from nbassets.errors import PartitionError
from nbassets.partitions import PartitionKeyRange, StaticPartitionsDefinition

OCEANS = ["arctic", "atlantic", "indian", "pacific", "southern"]


def test_keys_in_given_order_and_counts() -> None:
    oceans = StaticPartitionsDefinition(OCEANS)
    assert oceans.get_partition_keys() == OCEANS
    assert oceans.get_num_partitions() == 5
    assert oceans.get_first_partition_key() == "arctic"
    assert oceans.get_last_partition_key() == "southern"
    assert oceans.has_partition_key("indian")
    assert not oceans.has_partition_key("Indian")


def test_returned_list_is_a_copy() -> None:
    oceans = StaticPartitionsDefinition(OCEANS)
    oceans.get_partition_keys().append("mars")
    assert oceans.get_num_partitions() == 5


def test_keys_in_range_are_inclusive() -> None:
    oceans = StaticPartitionsDefinition(OCEANS)
    assert oceans.get_partition_keys_in_range(PartitionKeyRange("atlantic", "pacific")) == [
        "atlantic",
        "indian",
        "pacific",
    ]
    assert oceans.get_partition_keys_in_range(PartitionKeyRange("indian", "indian")) == ["indian"]


def test_reversed_range_says_how_to_fix() -> None:
    oceans = StaticPartitionsDefinition(OCEANS)
    with pytest.raises(
        PartitionError, match=r"reversed.*PartitionKeyRange\('atlantic', 'pacific'\)"
    ):
        oceans.get_partition_keys_in_range(PartitionKeyRange("pacific", "atlantic"))


def test_unknown_key_lists_valid_keys_and_suggests() -> None:
    oceans = StaticPartitionsDefinition(OCEANS)
    with pytest.raises(
        PartitionError,
        match=r"'pacfic' is not a partition .*Valid keys: 'arctic'.*Did you mean 'pacific'",
    ):
        oceans.validate_partition_key("pacfic")


def test_unknown_key_in_range_is_named() -> None:
    oceans = StaticPartitionsDefinition(OCEANS)
    with pytest.raises(PartitionError, match="'indien' is not a partition"):
        oceans.get_partition_keys_in_range(PartitionKeyRange("arctic", "indien"))


def test_non_string_key_is_rejected_by_validate() -> None:
    with pytest.raises(PartitionError, match=r"must be a string; got 3 \(int\)"):
        StaticPartitionsDefinition(["1", "2"]).validate_partition_key(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (["a", "b", "a"], r"unique; 'a' appear"),
        (["a", ""], r"must not be empty; got '' at position 1"),
        (["2024-01-01...2024-01-31"], r"contains '\.\.\.'"),
        (["tab\there"], r"contains '\\t'"),
        (["a", 1], r"must be a string; got 1 \(int\)"),
        ("abc", r"takes a list of keys; got the string 'abc'"),
    ],
)
def test_rejects_bad_keys(keys: object, message: str) -> None:
    with pytest.raises(PartitionError, match=message):
        StaticPartitionsDefinition(keys)  # type: ignore[arg-type]


def test_equality_and_hash_by_value() -> None:
    a = StaticPartitionsDefinition(["x", "y"])
    assert a == StaticPartitionsDefinition(["x", "y"])
    assert hash(a) == hash(StaticPartitionsDefinition(["x", "y"]))
    assert a != StaticPartitionsDefinition(["y", "x"])
    assert len({a, StaticPartitionsDefinition(["x", "y"])}) == 1


def test_repr_is_readable_and_short_for_many_keys() -> None:
    assert repr(StaticPartitionsDefinition(["x", "y"])) == "StaticPartitionsDefinition(['x', 'y'])"
    many = StaticPartitionsDefinition([f"k{i}" for i in range(100)])
    assert repr(many) == "StaticPartitionsDefinition(['k0', 'k1', 'k2', ..., 'k99' (100 keys)])"


def test_spec_only_when_keys_survive_it() -> None:
    assert StaticPartitionsDefinition(["a", "b"]).to_spec() == "static:a,b"
    assert StaticPartitionsDefinition(["a,b", "c"]).to_spec() is None
    assert StaticPartitionsDefinition([" padded"]).to_spec() is None


def test_pickles() -> None:
    a = StaticPartitionsDefinition(OCEANS)
    assert pickle.loads(pickle.dumps(a)) == a
