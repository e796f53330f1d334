"""`%materialize` through a real IPython shell: selections, options, output, errors."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from nbassets import AssetKey, ExecuteInProcessResult
from nbassets.notebook.failures import RunFailedError

K = AssetKey


@pytest.fixture
def graph(shell, capsys):
    # a --> b --> c,  a --> d,  e --> c   (group g = {a, b}; tag k=v on a and d)
    shell.ok("%assets config autorun=off")
    shell.ok("%%asset --group g --tags k=v\na = 1")
    shell.ok("%%asset --group g\nb = a + 1")
    shell.ok("%%asset\ne = 10")
    shell.ok("%%asset\nc = b + e")
    shell.ok("%%asset --tags k=v\nd = a * 2")
    capsys.readouterr()
    return shell


def ran(result: ExecuteInProcessResult) -> list[str]:
    return [e.step_key for e in result.get_step_success_events()]


def test_no_selection_brings_the_notebook_up_to_date(graph, capsys):
    result = graph.ok("%materialize")
    assert isinstance(result, ExecuteInProcessResult) and result.success
    assert ran(result) == ["a", "b", "e", "c", "d"]
    assert graph.ns["c"] == 12
    assert "5 materialized" in capsys.readouterr().out
    assert graph.ok("%materialize") is None
    assert "Everything is up to date." in capsys.readouterr().out
    graph.ok("%%asset --no-run\ne = 20")
    assert ran(graph.ok("%materialize")) == ["e", "c"]  # e changed, c is stale


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("b+", ["b", "c"]),
        ("+b", ["a", "b"]),
        ("a*", ["a", "b", "c", "d"]),
        ("*c", ["a", "b", "e", "c"]),
        ("group:g", ["a", "b"]),
        ("tag:k=v", ["a", "d"]),
        ("'key:a or key:e'", ["a", "e"]),
        ("b c", ["a", "b", "e", "c"][1:2] + ["c"]),
        ("sinks(*)", ["c", "d"]),
    ],
)
def test_selections(graph, selection, expected):
    graph.ok("%materialize")  # upstreams in memory, so each selection runs alone
    assert ran(graph.ok(f"%materialize {selection}")) == expected


def test_dry_run_prints_the_plan_and_runs_nothing(graph, capsys):
    graph.ok("%materialize e")
    capsys.readouterr()
    assert graph.ok("%materialize a* --dry-run") is None
    out = capsys.readouterr().out
    assert out.startswith("Plan: 4 step(s)")
    assert "  3. c  <- b (this run), e (stored)" in out
    assert graph.registry.status(K("c")) == "missing"


def test_dry_run_names_a_missing_upstream(graph):
    error = graph.error("%materialize c --dry-run")
    assert isinstance(error, UsageError)
    assert "Cannot run 'c': its upstream 'b' is not selected and has no stored value" in str(error)


def test_config_as_json_or_a_name(shell, capsys):
    shell.ok("from nbassets import Config\nclass Scale(Config):\n    factor: int = 2")
    shell.ok("%%asset --config Scale\nscaled = 5 * config.factor")
    shell.ok("%materialize scaled --config '{\"factor\": 10}'")
    assert shell.ns["scaled"] == 50
    shell.ok("cfg = {'ops': {'scaled': {'config': {'factor': 3}}}}")
    shell.ok("%materialize scaled --config cfg")
    assert shell.ns["scaled"] == 15


def test_tags_reach_the_run(graph):
    result = graph.ok("%materialize a --tags team=data run=7")
    assert result.tags == {"team": "data", "run": "7"}


def test_tags_stop_at_the_first_word_that_is_not_a_pair(graph):
    # The selection may follow --tags: the pairs end where it starts.
    result = graph.ok("%materialize --tags team=data run=7 a")
    assert result.tags == {"team": "data", "run": "7"}
    assert ran(result) == ["a"]
    result = graph.ok("%materialize --tags team=data tag:k=v")
    assert result.tags == {"team": "data"}
    assert ran(result) == ["a", "d"]


def test_threads_executor(graph):
    result = graph.ok("%materialize --executor threads:2")
    assert result.success and sorted(ran(result)) == ["a", "b", "c", "d", "e"]


def test_partition(shell):
    shell.ok("%%asset --partitions static:eu,us\n"
             "def region(context):\n    return context.partition_key")
    result = shell.ok("%materialize region --partition us")
    assert result.success
    assert shell.ok("%assets value region --partition us") == "us"


def test_a_failure_raises_with_the_trimmed_traceback_and_no_raise_returns(graph, capsys):
    graph.ok("%%asset --no-run\nb = a / 0")
    result = graph.run("%materialize a* e")
    assert isinstance(result.error_in_exec, RunFailedError)
    out = capsys.readouterr().out
    assert "✗ b  failed: ZeroDivisionError: division by zero" in out
    assert "↷ c  skipped:" in out
    assert "%%asset b, line 2, in b" in out and "b = a / 0" in out
    assert "Skipped: c (" in out
    result = graph.ok("%materialize a* e --no-raise")
    assert isinstance(result, ExecuteInProcessResult) and not result.success
    # No exception, so "Run all" goes on, but the trimmed traceback is still printed.
    assert "%%asset b, line 2, in b" in capsys.readouterr().out
    assert graph.ns["d"] == 2  # what succeeded keeps its value


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ordres+", "Unknown asset 'ordres' in selection 'ordres+'"),
        ("'b*+'", "Invalid selection 'b*+'"),
        ("--dryrun", "unknown option '--dryrun'. Did you mean '--dry-run'?"),
        ("a --tags nokv", "--tags expects k=v pairs; got 'nokv'"),
        ("a --config '{bad'", "--config is not valid JSON"),
        ("a --config nosuch", "--config nosuch: no such name in the notebook"),
        ("a b --config '{\"x\": 1}'", "--config without an 'ops' section applies to one asset"),
        ("a --executor bogus", "Unknown executor 'bogus'"),
        ("a --partition p1", "no selected asset is partitioned"),
        ("a --partition p --partitions p...q", "not both"),
        ("a --partitions p...q", "no selected asset is partitioned"),
        ("'a", "check its quotes"),
    ],
)
def test_mistakes_are_usage_errors_naming_the_token(graph, line, message):
    error = graph.error(f"%materialize {line}")
    assert isinstance(error, UsageError)
    assert message in str(error)
    assert graph.registry.status(K("a")) == "missing"
