"""``@daily_partitioned_config`` and its siblings build Dagster's ``PartitionedConfig``:
the run config (and tags) of each partition, from its time window or key; checked
against Dagster itself where it is installed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

import nbassets as dg


def _config(start: datetime, end: datetime) -> dict[str, Any]:
    return {"ops": {"load": {"config": {"start": start.isoformat(), "end": end.isoformat()}}}}


@pytest.mark.parametrize(
    ("name", "start", "options", "key"),
    [
        (
            "hourly_partitioned_config",
            "2024-01-01-00:00",
            {"minute_offset": 15},
            "2024-03-02-05:15",
        ),
        (
            "daily_partitioned_config",
            "2024-01-01",
            {"hour_offset": 3, "timezone": "Europe/Paris"},
            "2024-03-31",
        ),
        ("weekly_partitioned_config", "2024-01-01", {"day_offset": 2}, "2024-03-05"),
        ("monthly_partitioned_config", "2024-01-01", {"day_offset": 5}, "2024-02-05"),
    ],
)
def test_time_window_configs_give_dagsters_run_config(
    name: str, start: str, options: dict[str, Any], key: str
) -> None:
    ours = getattr(dg, name)(start, **options)(_config)
    assert ours.get_run_config_for_partition_key(key) == _config(*_window(ours.partitions_def, key))
    assert ours(datetime(2024, 1, 1), datetime(2024, 1, 2)) == _config(
        datetime(2024, 1, 1), datetime(2024, 1, 2)
    )
    dagster = pytest.importorskip("dagster")
    theirs = getattr(dagster, name)(start, **options)(_config)
    assert ours.get_run_config_for_partition_key(key) == theirs.get_run_config_for_partition_key(
        key
    )


def _window(partitions_def: Any, key: str) -> tuple[datetime, datetime]:
    span = partitions_def.time_window_for_partition_key(key)
    return span.start, span.end


def test_static_config_and_tags_by_key() -> None:
    @dg.static_partitioned_config(["eu", "us"], tags_for_partition_key_fn=lambda k: {"region": k})
    def by_region(key: str) -> dict[str, Any]:
        return {"ops": {"load": {"config": {"region": key}}}}

    assert by_region.get_run_config_for_partition_key("us") == {
        "ops": {"load": {"config": {"region": "us"}}}
    }
    assert by_region.get_tags_for_partition_key("eu") == {"region": "eu"}
    assert by_region.partitions_def.get_partition_keys() == ["eu", "us"]


def test_an_offset_no_schedule_has_is_refused_in_dagsters_words() -> None:
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="Found invalid cron schedule"):
        dg.weekly_partitioned_config("2024-01-01", day_offset=8)
