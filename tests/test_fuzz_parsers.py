"""Fuzzing every parser a user types into: only nbassets' own errors may come out.

Each parser gets random text built from its own vocabulary (so the fuzz reaches
deep into the grammar) and plain random text. Whatever it is given, it either
answers or raises an ``NbAssetsError`` (``UsageError`` in the magics) whose
message is not empty; never ``RecursionError``, ``OverflowError``, ``TypeError``...
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from nbassets import AssetKey, Config, asset, materialize, use_registry
from nbassets.errors import NbAssetsError
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.graph.selection import parse_selection
from nbassets.notebook.cell_options import parse_asset_line
from nbassets.notebook.line_options import parse_config, parse_materialize_line
from nbassets.partitions.spec import parse_partitions_spec


class Scale(Config):
    factor: int = 2


FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
EXPECTED = (NbAssetsError, UsageError)


def _words(*vocabulary: str) -> st.SearchStrategy[str]:
    """Text made of the grammar's own words, glued with random separators."""
    piece = st.one_of(st.sampled_from(vocabulary), st.text(max_size=3))
    glue = st.sampled_from(["", " ", ",", "(", ")", ":", "=", '"', "+", "*"])
    return st.lists(st.tuples(piece, glue), max_size=12).map(
        lambda parts: "".join(p + g for p, g in parts)
    )


def _only_our_errors(parse: Any, text: Any) -> None:
    try:
        parse(text)
    except EXPECTED as error:
        assert str(error).strip(), f"empty message for {text!r}"


GRAPH = AssetGraph(
    [
        AssetNode(AssetKey("a"), ()),
        AssetNode(AssetKey("b"), (AssetKey("a"),), group_name="sales"),
        AssetNode(AssetKey(["s", "c"]), (AssetKey("b"),), tags={"k": "v"}),
    ]
)
SELECTION_WORDS = (
    "a", "b", "s/c", "key:", "group:", "tag:", "kind:", "owner:", "status:", "roots",
    "sinks", "and", "or", "not", "+", "*", "++", "2", "sales*", "k=v", "(", ")", '"a"',
    "9" * 30,
)


@FUZZ
@given(st.one_of(_words(*SELECTION_WORDS), st.text(max_size=40)))
def test_selection_strings(text: str) -> None:
    def parse(text: str) -> None:
        parse_selection(text).resolve(GRAPH)

    _only_our_errors(parse, text)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "a" + ")" * 5000,
        "not " * 5000 + "a",
        "+" * 3000 + "a",
        "key:a+" + "9" * 5000,
        "9" * 5000 + "+a",
        "a" + " or a" * 3000,
    ],
)
def test_selection_strings_at_the_limits(text: str) -> None:
    _only_our_errors(lambda t: parse_selection(t).resolve(GRAPH), text)


SPEC_WORDS = (
    "daily:", "hourly:", "weekly:", "monthly:", "static:", "2024-01-01", "9999-12-31",
    "0001-01-01", "10000-01-01", ":", "T", "00:00", "-", "a,b", "UTC", "+14:00",
)


@FUZZ
@given(st.one_of(_words(*SPEC_WORDS), st.text(max_size=30)))
def test_partition_specs(text: str) -> None:
    _only_our_errors(parse_partitions_spec, text)


@pytest.mark.parametrize(
    "spec",
    ["daily:9999-12-31", "hourly:9999-12-31", "monthly:9999-12-01", "weekly:9999-12-26",
     "daily:0001-01-01:0001-01-03", "daily:9999-12-30:9999-12-31"],
)
def test_partition_specs_near_the_ends_of_time(spec: str) -> None:
    def parse(text: str) -> None:
        definition = parse_partitions_spec(text)
        definition.get_partition_keys()[:3]

    _only_our_errors(parse, spec)


OPTION_WORDS = (
    "--group", "--key-prefix", "--tags", "--metadata", "--kinds", "--owners",
    "--description", "--partitions", "--config", "--resources", "--io-manager",
    "--code-version", "--retries", "--retry-delay", "--ins", "--deps", "--no-run",
    "k=v", "=", "1e999", "-1", "nan", "inf", "'", '"', "daily:2024-01-01", "x", "a/b",
)


@FUZZ
@given(st.one_of(_words(*OPTION_WORDS), st.text(max_size=30)))
def test_asset_cell_options(text: str) -> None:
    _only_our_errors(parse_asset_line, text)


LINE_WORDS = (
    "--partition", "--partitions", "--config", "--tags", "--executor", "--dry-run",
    "--no-raise", "threads:", "in_process", "k=v", "=v", "...", "a", "'", "{",
)


@FUZZ
@given(st.one_of(_words(*LINE_WORDS), st.text(max_size=30)))
def test_materialize_lines(text: str) -> None:
    _only_our_errors(parse_materialize_line, text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["ops", "config", "a", "b", "resources"]), inner, max_size=3
    ),
    max_leaves=8,
)


@FUZZ
@given(json_values, st.sampled_from([None, "a"]))
def test_config_json(value: Any, single: str | None) -> None:
    _only_our_errors(lambda text: parse_config(text, {}, single), json.dumps(value))


@FUZZ
@given(json_values)
def test_run_config_reaching_a_run(value: Any) -> None:
    @asset
    def a() -> int:
        return 1

    with use_registry():
        _only_our_errors(lambda config: materialize([a], run_config=config), value)


def test_config_for_an_op_that_is_not_in_the_run_is_refused() -> None:
    @asset
    def a() -> int:
        return 1

    with use_registry(), pytest.raises(NbAssetsError, match="'nope'"):
        materialize([a], run_config={"ops": {"nope": {"config": {}}}})


@pytest.mark.parametrize("line", ["--retry-delay 1e999", "--retry-delay inf", "--retry-delay nan"])
def test_absurd_retry_delays_are_refused_when_the_cell_is_parsed(line: str) -> None:
    with pytest.raises(UsageError, match="--retry-delay expects a number of seconds"):
        parse_asset_line(line)


def test_a_huge_exponential_backoff_waits_capped_and_keeps_the_users_error() -> None:
    from nbassets import Backoff, RetryPolicy

    policy = RetryPolicy(max_retries=5000, delay=1e8, backoff=Backoff.EXPONENTIAL)
    assert policy.wait_before(4000) == 1e9
    with pytest.raises(NbAssetsError, match="finite"):
        RetryPolicy(delay=float("inf"))


@pytest.mark.parametrize(
    ("config", "says"),
    [({"ops": 1}, "'ops' section must map"), ({"ops": "a"}, "'ops' section must map"),
     ({"ops": {"a": 1}}, r"entry for 'a' must be \{'config'")],
)
def test_malformed_run_config_is_refused(config: Any, says: str) -> None:
    @asset
    def a(config: Scale) -> int:
        return config.factor

    with use_registry(), pytest.raises(NbAssetsError, match=says):
        materialize([a], run_config=config)


# --tags on its own: one k=v per option; every pair arrives as written (value after the
# first '='), or the parser says what is wrong. Keys and values take the characters
# users paste: '=', spaces, quotes, dashes, non-ASCII.
TAG_TEXT = st.text(alphabet="ab=- '\"é,:/", max_size=6)
tag_pairs = st.lists(st.tuples(TAG_TEXT, TAG_TEXT), max_size=4)


def _expected_tags(pairs: list[tuple[str, str]]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for key, value in pairs:
        name, _, rest = f"{key}={value}".partition("=")
        tags[name] = rest
    return tags


@FUZZ
@given(tag_pairs, st.integers(0, 4))
def test_run_tags_on_the_command_line(pairs: list[tuple[str, str]], where: int) -> None:
    from nbassets.cli.main import _run_options, parse_command_line

    words = [w for key, value in pairs for w in ("--tags", f"{key}={value}")]
    cut = min(2 * where, len(words))
    argv = ["run", "nb.ipynb", *words[:cut], "orders", *words[cut:]]
    try:
        options = _run_options(parse_command_line(argv))
    except NbAssetsError as error:
        assert str(error).strip()
        return
    except SystemExit as exit_:  # argparse's usage error: exit code 2, message on stderr
        assert exit_.code == 2
        return
    assert all(key for key, _ in pairs)  # an empty key is refused
    assert options.selection == "orders"
    assert options.tags == _expected_tags(pairs)


# After the first pair, %materialize takes a word as a tag only when no ':' comes
# before its '=' (else it is a selection, as tag:team=ml is): keys here have none.
tag_pairs_no_colon = st.lists(
    st.tuples(st.text(alphabet="ab=- '\"é,/", max_size=6), TAG_TEXT), max_size=4
)


@FUZZ
@given(tag_pairs_no_colon)
def test_materialize_and_asset_cell_tags(pairs: list[tuple[str, str]]) -> None:
    import shlex

    quoted = " ".join(shlex.quote(f"{key}={value}") for key, value in pairs)
    for parse, line in (
        (parse_materialize_line, f"orders --tags {quoted}"),
        (parse_asset_line, f"orders --tags {quoted}"),
    ):
        try:
            options = parse(line)
        except EXPECTED as error:
            assert str(error).strip()
            continue
        if pairs:
            assert options.tags == _expected_tags(pairs)
