"""Status per partition in the registry, the summary line, and values per partition."""

from __future__ import annotations

import pytest

import nbassets
from nbassets import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    PartitionError,
    asset,
    materialize,
)
from nbassets.errors import MissingUpstreamError

DAYS = DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-11")
BROKEN: set[str] = set()


@asset(partitions_def=DAYS)
def events(context):
    if context.partition_key in BROKEN:
        raise ValueError(f"bad file for {context.partition_key}")
    return 1


@asset(partitions_def=DAYS)
def doubled(events):
    return events * 2


@asset
def summary(events):
    return sum(events.values())


@pytest.fixture
def registry():
    BROKEN.clear()
    with nbassets.use_registry() as reg:
        for item in (events, doubled, summary):
            reg.add(item)
        yield reg
    BROKEN.clear()


def _run(selection: str, **partitions) -> None:
    materialize(selection=selection, raise_on_error=False, **partitions)


def test_nothing_run_is_all_missing(registry) -> None:
    assert set(registry.partition_states("events").values()) == {"missing"}
    assert str(registry.partition_summary("events")) == "0/10 materialized"
    assert registry.status(events.key) == "missing"


def test_a_range_is_partial_then_all_is_materialized(registry) -> None:
    _run("events", partition_key_range=("2024-01-01", "2024-01-04"))
    states = registry.partition_states("events")
    assert list(states) == DAYS.get_partition_keys()
    assert [s for s in states.values()][:5] == ["materialized"] * 4 + ["missing"]
    assert str(registry.partition_summary("events")) == "4/10 materialized"
    assert registry.status(events.key) == "partial"
    _run("events", partition_key_range=("2024-01-05", "2024-01-10"))
    assert str(registry.partition_summary("events")) == "10/10 materialized"
    assert registry.status(events.key) == "materialized"


def test_a_failed_partition_is_counted_until_it_succeeds(registry) -> None:
    BROKEN.add("2024-01-03")
    _run("events*", partition_key_range=("2024-01-01", "2024-01-05"))
    assert registry.partition_states("events")["2024-01-03"] == "failed"
    assert str(registry.partition_summary("events")) == "4/10 materialized, 1 failed"
    assert registry.status(events.key) == "failed"
    # Its downstream partition was skipped, not run: it is still missing.
    assert registry.partition_states("doubled")["2024-01-03"] == "missing"
    BROKEN.clear()
    _run("events", partition_key="2024-01-03")
    assert str(registry.partition_summary("events")) == "5/10 materialized"
    assert registry.status(events.key) == "partial"


def test_an_asset_whose_only_partition_failed_is_failed(registry) -> None:
    BROKEN.add("2024-01-02")
    _run("events", partition_key="2024-01-02")
    assert str(registry.partition_summary("events")) == "0/10 materialized, 1 failed"
    assert registry.status(events.key) == "failed"


def test_a_partition_is_stale_when_its_upstream_partition_is_rematerialized(registry) -> None:
    _run("events*", partition_key_range=("2024-01-01", "2024-01-03"))
    _run("events", partition_key="2024-01-02")
    states = registry.partition_states("doubled")
    assert [states[f"2024-01-0{d}"] for d in (1, 2, 3)] == ["materialized", "stale", "materialized"]
    assert str(registry.partition_summary("doubled")) == "3/10 materialized, 1 stale"
    assert registry.status(doubled.key) == "stale"
    _run("doubled", partition_key="2024-01-02")
    assert registry.partition_states("doubled")["2024-01-02"] == "materialized"


def test_a_code_change_makes_materialized_partitions_stale(registry) -> None:
    _run("events", partition_key_range=("2024-01-01", "2024-01-02"))

    @asset(partitions_def=DAYS, name="events")
    def events_v2(context):
        return 2

    registry.add(events_v2)
    states = registry.partition_states("events")
    assert [states["2024-01-01"], states["2024-01-02"], states["2024-01-03"]] == [
        "stale",
        "stale",
        "missing",
    ]


def test_a_code_change_upstream_makes_downstream_partitions_stale(registry) -> None:
    _run("events*", partition_key_range=("2024-01-01", "2024-01-02"))

    @asset(partitions_def=DAYS, name="events")
    def events_v2(context):
        return 2

    registry.add(events_v2)
    assert registry.partition_states("doubled")["2024-01-01"] == "stale"


def test_an_unpartitioned_reader_is_stale_after_any_partition_is_rematerialized(registry) -> None:
    _run("events", partition_key_range=("2024-01-01", "2024-01-02"))
    _run("summary")
    assert registry.status(summary.key) == "materialized"
    _run("events", partition_key="2024-01-05")
    assert registry.status(summary.key) == "stale"
    assert registry.stale_reasons("summary") == ["upstream 'events' was materialized after it"]


def test_dynamic_partitions_added_or_deleted_change_the_summary() -> None:
    fruits = DynamicPartitionsDefinition(name="fruits")

    @asset(partitions_def=fruits)
    def fruit(context):
        return context.partition_key

    with nbassets.use_registry() as reg:
        reg.add(fruit)
        reg.instance.add_dynamic_partitions("fruits", ["apple", "kiwi"])
        materialize(selection="fruit", partition_key="apple")
        assert str(reg.partition_summary("fruit")) == "1/2 materialized"
        reg.instance.add_dynamic_partitions("fruits", ["fig"])
        assert str(reg.partition_summary("fruit")) == "1/3 materialized"
        reg.instance.delete_dynamic_partition("fruits", "apple")
        assert str(reg.partition_summary("fruit")) == "0/2 materialized"


def test_partition_status_of_an_unpartitioned_asset_is_refused(registry) -> None:
    with pytest.raises(PartitionError, match="'summary' is not partitioned"):
        registry.partition_summary("summary")


# Values per partition ---------------------------------------------------------------


def test_value_per_partition(registry) -> None:
    _run("events*", partition_key_range=("2024-01-01", "2024-01-02"))
    assert registry.value("doubled", partition="2024-01-02") == 2
    with pytest.raises(
        MissingUpstreamError, match=r"'doubled' partition '2024-01-05' has no value"
    ):
        registry.value("doubled", partition="2024-01-05")


def test_value_of_a_partitioned_asset_without_a_partition_asks_for_one(registry) -> None:
    _run("events", partition_key="2024-01-01")
    with pytest.raises(PartitionError, match=r"'events' is partitioned.*partition="):
        registry.value("events")


def test_value_of_an_unknown_partition_names_the_valid_range(registry) -> None:
    with pytest.raises(PartitionError, match=r"'2099-01-01'.*'2024-01-01' to '2024-01-10'"):
        registry.value("events", partition="2099-01-01")


def test_value_with_a_partition_of_an_unpartitioned_asset_is_refused(registry) -> None:
    _run("events", partition_key="2024-01-01")
    _run("summary")
    with pytest.raises(PartitionError, match="'summary' is not partitioned"):
        registry.value("summary", partition="2024-01-01")
