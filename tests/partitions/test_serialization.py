"""Partition subsets as text (Dagster's formats) and definitions' identifiers."""

from __future__ import annotations

import json

import pytest

from nbassets import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    StaticPartitionsDefinition,
)
from nbassets.errors import PartitionError


def test_a_time_window_subset_is_its_runs_of_windows() -> None:
    days = DailyPartitionsDefinition(start_date="2015-01-01")
    subset = days.subset_with_partition_keys(["2015-01-05", "2015-01-02", "2015-01-03"])
    text = subset.serialize()
    assert json.loads(text) == {
        "version": 1,
        "time_windows": [[1420156800.0, 1420329600.0], [1420416000.0, 1420502400.0]],
        "num_partitions": 3,
    }
    assert days.deserialize_subset(text) == subset
    # Dagster's older form: a bare list of windows.
    assert days.deserialize_subset("[[1420156800.0, 1420243200.0]]").get_partition_keys() == [
        "2015-01-02"
    ]


def test_the_repeated_hour_of_a_dst_change_round_trips() -> None:
    hours = HourlyPartitionsDefinition(
        start_date="2020-11-01-00:00", end_date="2020-11-01-03:00", timezone="US/Pacific"
    )
    everything = hours.subset_with_all_partitions()
    assert "2020-11-01-01:00-0800" in everything
    assert hours.deserialize_subset(everything.serialize()) == everything


def test_other_subsets_are_their_sorted_keys() -> None:
    letters = StaticPartitionsDefinition(["c", "a", "b"])
    subset = letters.subset_with_partition_keys(["b", "c"])
    assert subset.serialize() == '{"version": 1, "subset": ["b", "c"]}'
    assert letters.deserialize_subset(subset.serialize()) == subset


def test_text_of_another_kind_is_refused_with_the_fix() -> None:
    with pytest.raises(PartitionError, match=r"subset.serialize\(\)"):
        DailyPartitionsDefinition(start_date="2015-01-01").deserialize_subset('{"subset": 3}')


def test_unique_identifiers_tell_definitions_apart() -> None:
    first = DailyPartitionsDefinition(start_date="2015-01-01")
    assert first.get_serializable_unique_identifier() == (
        DailyPartitionsDefinition(start_date="2015-01-01").get_serializable_unique_identifier()
    )
    assert first.get_serializable_unique_identifier() != (
        DailyPartitionsDefinition(start_date="2015-01-02").get_serializable_unique_identifier()
    )
    assert (
        StaticPartitionsDefinition(["a"]).get_serializable_unique_identifier()
        != StaticPartitionsDefinition(["b"]).get_serializable_unique_identifier()
    )
