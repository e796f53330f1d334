from __future__ import annotations

import threading

import pytest

from nbassets.errors import PartitionError
from nbassets.partitions import (
    DynamicPartitionsDefinition,
    DynamicPartitionsStore,
    InMemoryDynamicPartitionsStore,
    PartitionKeyRange,
)


@pytest.fixture
def store() -> InMemoryDynamicPartitionsStore:
    store = InMemoryDynamicPartitionsStore()
    store.add_dynamic_partitions("fruits", ["apple", "pear"])
    return store


def test_store_satisfies_the_protocol(store: InMemoryDynamicPartitionsStore) -> None:
    assert isinstance(store, DynamicPartitionsStore)


def test_keys_come_from_the_store_in_insertion_order(store: InMemoryDynamicPartitionsStore) -> None:
    fruits = DynamicPartitionsDefinition(name="fruits")
    store.add_dynamic_partitions("fruits", ["fig", "apple"])
    assert fruits.get_partition_keys(dynamic_partitions_store=store) == ["apple", "pear", "fig"]
    assert fruits.has_partition_key("fig", dynamic_partitions_store=store)
    assert fruits.get_num_partitions(dynamic_partitions_store=store) == 3
    assert fruits.get_last_partition_key(dynamic_partitions_store=store) == "fig"
    assert fruits.get_partition_keys_in_range(
        PartitionKeyRange("pear", "fig"), dynamic_partitions_store=store
    ) == ["pear", "fig"]


def test_delete(store: InMemoryDynamicPartitionsStore) -> None:
    store.delete_dynamic_partition("fruits", "apple")
    assert store.get_dynamic_partitions("fruits") == ["pear"]
    with pytest.raises(
        PartitionError,
        match=r"^Cannot delete dynamic partition 'apple' of 'fruits': no such key\.$",
    ):
        store.delete_dynamic_partition("fruits", "apple")


def test_delete_unknown_key_suggests(store: InMemoryDynamicPartitionsStore) -> None:
    with pytest.raises(PartitionError, match=r"no such key\. Did you mean 'pear'\?"):
        store.delete_dynamic_partition("fruits", "peer")


def test_unknown_name_has_no_keys() -> None:
    assert InMemoryDynamicPartitionsStore().get_dynamic_partitions("nothing") == []


def test_without_a_store_is_a_clear_error() -> None:
    fruits = DynamicPartitionsDefinition("fruits")
    with pytest.raises(
        PartitionError, match=r"live in a dynamic partitions store.*dynamic_partitions_store="
    ):
        fruits.get_partition_keys()
    with pytest.raises(PartitionError, match="none was given"):
        fruits.has_partition_key("apple")


def test_unknown_key_says_how_to_add_it(store: InMemoryDynamicPartitionsStore) -> None:
    fruits = DynamicPartitionsDefinition("fruits")
    with pytest.raises(
        PartitionError,
        match=r"'peach' has not been added .*Its keys: 'apple', 'pear'\. Did you mean 'pear'\?"
        r" Add it with add_dynamic_partitions\('fruits', \['peach'\]\)",
    ):
        fruits.validate_partition_key("peach", dynamic_partitions_store=store)


def test_store_rejects_bad_keys() -> None:
    store = InMemoryDynamicPartitionsStore()
    with pytest.raises(PartitionError, match="takes a list of keys; got the string 'apple'"):
        store.add_dynamic_partitions("fruits", "apple")  # type: ignore[arg-type]
    with pytest.raises(PartitionError, match=r"dynamic partition key 'a\.\.\.b' contains"):
        store.add_dynamic_partitions("fruits", ["a...b"])
    assert store.get_dynamic_partitions("fruits") == []


def test_adding_existing_keys_is_a_no_op(store: InMemoryDynamicPartitionsStore) -> None:
    store.add_dynamic_partitions("fruits", ["pear", "pear", "kiwi"])
    assert store.get_dynamic_partitions("fruits") == ["apple", "pear", "kiwi"]


def test_concurrent_adds_lose_nothing() -> None:
    store = InMemoryDynamicPartitionsStore()

    def add(prefix: str) -> None:
        for i in range(200):
            store.add_dynamic_partitions("k", [f"{prefix}{i}"])

    threads = [threading.Thread(target=add, args=(p,)) for p in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.get_dynamic_partitions("k")) == 800


def test_identity_repr_and_spec() -> None:
    assert DynamicPartitionsDefinition("fruits") == DynamicPartitionsDefinition(name="fruits")
    assert DynamicPartitionsDefinition("fruits") != DynamicPartitionsDefinition("veg")
    assert (
        repr(DynamicPartitionsDefinition("fruits")) == "DynamicPartitionsDefinition(name='fruits')"
    )
    assert DynamicPartitionsDefinition("fruits").to_spec() == "dynamic:fruits"
    with pytest.raises(PartitionError, match="must have a non-empty name"):
        DynamicPartitionsDefinition("")
