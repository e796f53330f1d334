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


def test_cells_are_formatted_as_pandas_prints_them() -> None:
    frame = pd.DataFrame({
        "amount": [1.5, 2.0, float("nan")],
        "count": [1, 20, 300],
        "day": pd.to_datetime(["2024-01-01", "2024-01-02", None]),
        "city": ["Oslo", None, "Lima"],
        "ratio": [0.1234567891, 2.5, 3.0],
    })
    payload = value_payload(frame)
    assert payload["columns"] == ["", "amount", "count", "day", "city", "ratio"]
    assert payload["rows"] == [
        ["0", "1.5", "1", "2024-01-01", "Oslo", "0.123457"],
        ["1", "2.0", "20", "2024-01-02", "NaN", "2.500000"],
        ["2", "NaN", "300", "NaT", "Lima", "3.000000"],
    ]
    # As pandas prints it, cell by cell.
    printed = frame.to_string().splitlines()[1:]
    assert [line.split()[:3] for line in printed] == [row[:3] for row in payload["rows"]]
    assert payload["align"] == ["right", "right", "right", "right", "left", "right"]


def test_a_series_of_objects_keeps_none_and_is_left_aligned() -> None:
    payload = value_payload(pd.Series(["a", None, 3], dtype=object, name="mixed"))
    assert [row[1] for row in payload["rows"]] == ["a", "None", "3"]
    assert payload["align"] == ["right", "left"]


def test_the_value_tab_names_the_partition_it_shows() -> None:
    from nbassets import DailyPartitionsDefinition, asset, materialize
    from nbassets.graph.registry import Registry
    from nbassets.widgets.asset_view import asset_payload

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05"))
    def daily(context) -> str:  # type: ignore[no-untyped-def]
        return f"rows of {context.partition_key}"

    registry = Registry()
    registry.add(daily)
    materialize(selection="daily", registry=registry, partition_key="2024-01-03")
    materialize(selection="daily", registry=registry, partition_key="2024-01-02")
    value = asset_payload(registry, daily.key)["value"]
    assert value["partition"] == "2024-01-02"  # the one materialized last
    assert value["text"] == "'rows of 2024-01-02'"
