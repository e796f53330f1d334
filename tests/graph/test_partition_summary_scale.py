"""Summaries of time partitions are counted from their windows, not by listing every key.

An hourly definition over the 20th century has 876,600 partitions: statuses,
`%assets` and `%assets show` must count them arithmetically and look only at the
partitions that were materialized or failed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

import nbassets
from nbassets import AssetKey, HourlyPartitionsDefinition, asset, materialize
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition

START, END = datetime(1900, 1, 1), datetime(2000, 1, 1)
HOURS = (END - START) // timedelta(hours=1)


@pytest.fixture
def listing_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Listing every key of a time-window definition fails the test."""

    def refuse(self: Any, *args: Any, **kwargs: Any) -> list[str]:
        raise AssertionError(f"listed every key of {self!r}")

    monkeypatch.setattr(TimeWindowPartitionsDefinition, "get_partition_keys", refuse)


def _define(reg: Any) -> None:
    hourly = HourlyPartitionsDefinition(start_date="1900-01-01-00:00", end_date="2000-01-01-00:00")

    @asset(partitions_def=hourly)
    def readings(context: Any) -> int:
        if context.partition_key == "1999-12-31-23:00":
            raise ValueError("sensor down")
        return 1

    @asset(partitions_def=hourly)
    def hourly_mean(readings: int) -> int:
        return readings

    reg.add(readings)
    reg.add(hourly_mean)


def test_two_centuries_of_hourly_partitions_are_summarized_without_listing_them(
    listing_forbidden: None,
) -> None:
    with nbassets.use_registry() as reg:
        _define(reg)
        key = AssetKey("readings")
        summary = reg.partition_summary(key)
        assert (summary.total, dict(summary.counts)) == (HOURS, {"missing": HOURS})
        assert reg.status(key) == "missing"
        for partition in ("1900-01-01-00:00", "1990-06-01-12:00"):
            materialize(selection=["readings", "hourly_mean"], partition_key=partition)
        materialize(
            selection=["readings"], partition_key="1999-12-31-23:00", raise_on_error=False
        )
        summary = reg.partition_summary(key)
        assert summary.total == HOURS
        assert dict(summary.counts) == {"materialized": 2, "failed": 1, "missing": HOURS - 3}
        assert str(summary) == f"2/{HOURS} materialized, 1 failed"
        assert reg.status(key) == "failed"
        # A newer upstream partition makes that downstream partition stale, and only it.
        materialize(selection=["readings"], partition_key="1990-06-01-12:00")
        downstream = reg.partition_summary("hourly_mean")
        assert dict(downstream.counts) == {"materialized": 1, "stale": 1, "missing": HOURS - 2}
        assert reg.status(AssetKey("hourly_mean")) == "stale"


def test_assets_and_assets_show_in_a_shell(listing_forbidden: None) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    with nbassets.use_registry() as reg:
        ip.run_line_magic("load_ext", "nbassets")
        try:
            _define(reg)
            materialize(selection=["readings"], partition_key="1990-06-01-12:00")
            listing = str(ip.run_line_magic("assets", ""))
            assert f"1/{HOURS} materialized" in listing
            materialize(
                selection=["readings"], partition_key="1999-12-31-23:00", raise_on_error=False
            )
            shown = str(ip.run_line_magic("assets", "show readings"))
            assert f"1/{HOURS} materialized, 1 failed" in shown
            assert "1999-12-31-23:00" in shown
        finally:
            ip.run_line_magic("unload_ext", "nbassets")
            if hasattr(ip, "_nbassets_state"):
                del ip._nbassets_state
