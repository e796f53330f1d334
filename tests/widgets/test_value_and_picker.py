"""The Value tab names what it shows; the partition picker drops what an old selection showed."""

from __future__ import annotations

import pandas as pd

from nbassets.widgets.asset_view import value_payload


def test_a_series_is_named_a_series_not_a_dataframe() -> None:
    payload = value_payload(pd.Series([1.5, 2.0, 3.25, 4.0], name="amount"))
    assert payload["kind"] == "table" and payload["label"] == "Series of 4"
    assert payload["columns"] == ["", "amount"]


def test_a_dataframe_keeps_its_shape() -> None:
    payload = value_payload(pd.DataFrame({"a": [1, 2], "b": [3, 4]}))
    assert payload["label"] == "DataFrame 2x2"


def test_a_new_partition_selection_clears_the_old_message_and_preview() -> None:
    from nbassets import DailyPartitionsDefinition, asset
    from nbassets.graph.registry import Registry
    from nbassets.widgets.partition_picker import PartitionPicker

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01"))
    def events() -> int:
        return 1

    registry = Registry()
    registry.add(events)
    picker = PartitionPicker(registry, events.key)
    picker.selected = ["2024-01-09", "2024-01-10"]
    picker.message = "9 step(s) materialized"
    picker.show_preview("2024-01-09")
    assert picker.preview["partition"] == "2024-01-09"
    picker.selected = ["2024-01-19", "2024-01-19"]
    assert picker.message == "" and picker.preview == {}
