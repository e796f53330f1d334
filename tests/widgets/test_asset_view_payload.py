"""What the asset view's Value tab says about a value: its kind, shape, and partition."""

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
