"""Partitions through the magics, in a real IPython shell (fresh registry per test)."""

from __future__ import annotations

import re

import pytest
from IPython.core.error import UsageError

EVENTS = """%%asset --partitions daily:2024-01-01:2024-01-10
def events(context):
    return int(context.partition_key[-2:])
"""


def _define_events(shell, capsys) -> None:
    shell.ok(EVENTS)
    assert "Defined events (partitioned: %materialize events --partition KEY" in (
        capsys.readouterr().out
    )


def test_a_spec_defines_a_partitioned_asset_that_autorun_does_not_run(shell, capsys) -> None:
    _define_events(shell, capsys)
    definition = shell.registry.definition_for("events")
    assert definition.partitions_def.get_partition_keys()[::9] == ["2024-01-01", "2024-01-10"]
    assert shell.registry.status(definition.key) == "missing"


def test_the_name_of_a_partitions_definition_in_the_namespace(shell, capsys) -> None:
    shell.ok("from nbassets import StaticPartitionsDefinition\n"
             "regions = StaticPartitionsDefinition(['eu', 'us'])")
    shell.ok("%%asset --partitions regions\ndef sales(context):\n    return context.partition_key")
    assert shell.registry.definition_for("sales").partitions_def == shell.ns["regions"]
    shell.ok("%materialize sales --partitions eu,us")
    out = capsys.readouterr().out
    assert "✓ sales [partition eu]" in out and "✓ sales [partition us]" in out
    assert shell.registry.value("sales", partition="us") == "us"


def test_one_partition(shell, capsys) -> None:
    _define_events(shell, capsys)
    result = shell.ok("%materialize events --partition 2024-01-04")
    assert result.success
    assert "✓ events [partition 2024-01-04]" in capsys.readouterr().out
    assert shell.registry.value("events", partition="2024-01-04") == 4


def test_a_range_is_one_run_with_a_step_per_partition(shell, capsys) -> None:
    _define_events(shell, capsys)
    shell.ok("%materialize events --partitions 2024-01-02...2024-01-05")
    out = capsys.readouterr().out
    assert [line.split()[3] for line in out.splitlines() if line.startswith("✓")] == [
        "2024-01-02]",
        "2024-01-03]",
        "2024-01-04]",
        "2024-01-05]",
    ]
    assert "4 materialized" in out
    assert len(shell.registry.instance.runs) == 1


def test_dry_run_lists_a_step_per_partition(shell, capsys) -> None:
    _define_events(shell, capsys)
    shell.ok("%materialize events --partitions 2024-01-09...2024-01-10 --dry-run")
    assert capsys.readouterr().out.splitlines() == [
        "Plan: 2 step(s)",
        "  1. events [partition 2024-01-09]",
        "  2. events [partition 2024-01-10]",
    ]
    assert shell.registry.instance.runs == []


def test_an_unpartitioned_summary_gets_partition_to_value(shell, capsys) -> None:
    _define_events(shell, capsys)
    shell.ok("%materialize events --partitions 2024-01-01...2024-01-10")
    value = shell.shown("%%asset summary\nsummary = sum(events.values())")
    assert value == 55
    assert shell.ns["summary"] == 55


def test_the_catalog_and_show_summarize_partitions(shell, capsys) -> None:
    shell.ok(EVENTS.replace("return int", "if context.partition_key == '2024-01-03':\n"
                            "        raise ValueError('corrupt')\n    return int"))
    shell.ok("%materialize events --partitions 2024-01-01...2024-01-05 --no-raise")
    out = capsys.readouterr().out
    assert "✗ events [partition 2024-01-03]" in out and "ValueError: corrupt" in out
    catalog = repr(shell.ok("%assets"))
    row = next(line for line in catalog.splitlines() if line.startswith("events"))
    assert "failed" in row and "4/10 materialized, 1 failed" in row
    shown = repr(shell.ok("%assets show events"))
    assert "  partitions: 4/10 materialized, 1 failed" in shown
    assert "  failed partitions: 2024-01-03" in shown


def test_assets_value_with_a_partition(shell, capsys) -> None:
    _define_events(shell, capsys)
    shell.ok("%materialize events --partition 2024-01-07")
    assert shell.ok("%assets value events --partition 2024-01-07") == 7


# Refusals: a UsageError that names the problem --------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("daily:2024-13-01", "START '2024-13-01' .* is not a real date"),
        ("daily:2024-01-10:2024-01-01", "END 2024-01-01 comes before START 2024-01-10"),
        ("yearly:2024-01-01", "Unknown partitions kind 'yearly'.*daily, hourly"),
        ("dayly:2024-01-01", "Did you mean 'daily'"),
        ("daily:", "needs a START date after 'daily:'"),
        ("static:a,,b", "Key 2 of 3 .* is empty"),
    ],
)
def test_a_malformed_spec_is_a_usage_error(shell, spec, message) -> None:
    error = shell.error(f"%%asset bad --partitions {spec}\nbad = 1")
    assert isinstance(error, UsageError)
    assert re.search(message, str(error)), str(error)
    assert "bad" not in shell.registry


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--partition 2024-03-01", r"'2024-03-01'.*'2024-01-01' to '2024-01-10'"),
        ("--partition 2024-02-30", r"'2024-02-30' does not match the format"),
        ("--partitions 2024-01-05...2024-01-01", "reversed"),
        ("--partitions 2024-01-05...", "write a range as START...END"),
        ("", r"'events' is partitioned.*--partition KEY"),
        ("--partition 2024-01-01 --partitions 2024-01-01...2024-01-02", "not both"),
    ],
)
def test_bad_partitions_on_the_materialize_line(shell, capsys, line, message) -> None:
    _define_events(shell, capsys)
    error = shell.error(f"%materialize events {line}")
    assert isinstance(error, UsageError)
    assert re.search(message, str(error)), str(error)
    assert shell.registry.instance.runs == []


def test_a_partition_for_an_unpartitioned_asset(shell, capsys) -> None:
    shell.ok("%%asset plain\nplain = 1")
    error = shell.error("%materialize plain --partition 2024-01-01")
    assert isinstance(error, UsageError)
    assert "no selected asset is partitioned (selected: plain)" in str(error)


def test_definitions_that_cannot_be_mapped_are_refused_when_defined(shell, capsys) -> None:
    _define_events(shell, capsys)
    error = shell.error(
        "%%asset letters --partitions static:a,b\ndef letters(events):\n    return events"
    )
    assert isinstance(error, UsageError)
    assert "Cannot infer a partition mapping from upstream DailyPartitionsDefinition" in str(error)
    assert "letters" not in shell.ns


def test_a_name_that_is_not_a_partitions_definition_is_refused(shell) -> None:
    shell.ok("days = 5")
    error = shell.error("%%asset bad --partitions days\nbad = 1")
    assert isinstance(error, UsageError) and "PartitionsDefinition" in str(error)


def test_an_undefined_name_says_so(shell) -> None:
    error = shell.error("%%asset bad --partitions my_days\nbad = 1")
    assert isinstance(error, UsageError) and "no PartitionsDefinition named" in str(error)


def test_assets_value_without_a_partition_asks_for_one(shell, capsys) -> None:
    _define_events(shell, capsys)
    shell.ok("%materialize events --partition 2024-01-07")
    error = shell.error("%assets value events")
    assert isinstance(error, UsageError) and "--partition" in str(error)


def test_show_names_the_partition_of_the_value_it_shows(shell, capsys) -> None:
    _define_events(shell, capsys)
    shell.ok("%materialize events --partition 2024-01-07")
    shown = repr(shell.ok("%assets show events"))
    assert "2024-01-07" in shown.split("  value", 1)[1].splitlines()[0]


def test_a_summary_of_nothing_materialized_is_a_usage_error(shell, capsys) -> None:
    _define_events(shell, capsys)
    error = shell.error("%%asset summary\nsummary = sum(events.values())")
    assert isinstance(error, UsageError)
    assert "nbassets/engine" not in str(error)
