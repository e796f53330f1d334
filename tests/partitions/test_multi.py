from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

from nbassets.errors import PartitionError
from nbassets.partitions import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    InMemoryDynamicPartitionsStore,
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionKeyRange,
    StaticPartitionsDefinition,
)

NOW = datetime(2024, 1, 4, tzinfo=timezone.utc)


def colors_by_day() -> MultiPartitionsDefinition:
    return MultiPartitionsDefinition(
        {
            "date": DailyPartitionsDefinition("2024-01-01"),
            "color": StaticPartitionsDefinition(["red", "blue"]),
        }
    )


def test_key_is_a_string_in_dimension_name_order() -> None:
    key = MultiPartitionKey({"date": "2024-01-01", "color": "red"})
    assert key == "red|2024-01-01"
    assert isinstance(key, str)
    assert key.keys_by_dimension == {"color": "red", "date": "2024-01-01"}
    assert repr(key) == "MultiPartitionKey({'color': 'red', 'date': '2024-01-01'})"
    assert {key: 1}["red|2024-01-01"] == 1


def test_key_pickles_with_its_dimensions() -> None:
    key = MultiPartitionKey({"date": "2024-01-01", "color": "red"})
    copy = pickle.loads(pickle.dumps(key))
    assert copy == key
    assert copy.keys_by_dimension == key.keys_by_dimension


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": "x|y"}, r"The 'a' part .* without '\|'; got 'x\|y'"),
        ({}, "takes a mapping of dimension name to key"),
        ("red|2024-01-01", "takes a mapping of dimension name to key"),
    ],
)
def test_bad_keys(value: object, message: str) -> None:
    with pytest.raises(PartitionError, match=message):
        MultiPartitionKey(value)  # type: ignore[arg-type]


def test_keys_are_the_product_first_dimension_slowest() -> None:
    keys = colors_by_day().get_partition_keys(NOW)
    # "color" sorts before "date", so colors vary slowest, in the static order.
    assert keys == [
        "red|2024-01-01",
        "red|2024-01-02",
        "red|2024-01-03",
        "blue|2024-01-01",
        "blue|2024-01-02",
        "blue|2024-01-03",
    ]
    assert all(isinstance(k, MultiPartitionKey) for k in keys)
    assert colors_by_day().get_num_partitions(NOW) == 6


def test_has_and_validate() -> None:
    multi = colors_by_day()
    assert multi.has_partition_key("blue|2024-01-02", NOW)
    assert not multi.has_partition_key("2024-01-02|blue", NOW)
    assert not multi.has_partition_key("blue", NOW)
    with pytest.raises(PartitionError, match=r"its 'color' part is invalid\..*Did you mean 'blue'"):
        multi.validate_partition_key("bleu|2024-01-02", NOW)
    with pytest.raises(PartitionError, match=r"its 'date' part is invalid\..*does not exist yet"):
        multi.validate_partition_key("blue|2024-01-09", NOW)
    with pytest.raises(
        PartitionError,
        match=r"one part per dimension joined by '\|' in the order \['color', 'date'\]",
    ):
        multi.validate_partition_key("blue", NOW)


def test_keys_in_range_are_the_product_of_ranges() -> None:
    multi = colors_by_day()
    keys = multi.get_partition_keys_in_range(
        PartitionKeyRange("red|2024-01-02", "blue|2024-01-03"), NOW
    )
    assert keys == ["red|2024-01-02", "red|2024-01-03", "blue|2024-01-02", "blue|2024-01-03"]


def test_dimension_access() -> None:
    multi = colors_by_day()
    assert multi.partition_dimension_names == ["color", "date"]
    assert multi.get_partitions_def_for_dimension("date") == DailyPartitionsDefinition("2024-01-01")
    with pytest.raises(
        PartitionError, match=r"has no dimension 'day'; its dimensions are \['color', 'date'\]"
    ):
        multi.get_partitions_def_for_dimension("day")
    assert (
        multi.get_partition_key_from_str("red|2024-01-01").keys_by_dimension["date"] == "2024-01-01"
    )


@pytest.mark.parametrize("count", [1, 3])
def test_exactly_two_dimensions(count: int) -> None:
    dims = {f"d{i}": StaticPartitionsDefinition(["a"]) for i in range(count)}
    with pytest.raises(PartitionError, match=f"exactly two dimensions, as in Dagster.*got {count}"):
        MultiPartitionsDefinition(dims)


def test_dimension_kinds_and_keys_are_checked() -> None:
    with pytest.raises(PartitionError, match=r"Key 'a,b' of dimension 'x' contains ','"):
        MultiPartitionsDefinition(
            {"x": StaticPartitionsDefinition(["a,b"]), "y": StaticPartitionsDefinition(["c"])}
        )
    with pytest.raises(PartitionError, match="must be a static, time-window or dynamic"):
        MultiPartitionsDefinition({"x": colors_by_day(), "y": StaticPartitionsDefinition(["c"])})


def test_dynamic_dimension_needs_the_store() -> None:
    multi = MultiPartitionsDefinition(
        {
            "fruit": DynamicPartitionsDefinition("fruits"),
            "size": StaticPartitionsDefinition(["s", "l"]),
        }
    )
    store = InMemoryDynamicPartitionsStore()
    store.add_dynamic_partitions("fruits", ["apple"])
    assert multi.get_partition_keys(dynamic_partitions_store=store) == ["apple|s", "apple|l"]
    with pytest.raises(PartitionError, match="none was given"):
        multi.get_partition_keys()


def test_equality_ignores_dict_order() -> None:
    flipped = MultiPartitionsDefinition(
        {
            "color": StaticPartitionsDefinition(["red", "blue"]),
            "date": DailyPartitionsDefinition("2024-01-01"),
        }
    )
    assert flipped == colors_by_day()
    assert hash(flipped) == hash(colors_by_day())
    assert repr(flipped) == (
        "MultiPartitionsDefinition({'color': StaticPartitionsDefinition(['red', 'blue']), "
        "'date': DailyPartitionsDefinition(start_date='2024-01-01')})"
    )
    assert flipped.to_spec() is None
