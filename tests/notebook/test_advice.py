"""Errors carry data; the notebook renders its own advice from it, not from the message."""

from __future__ import annotations

import pytest

import nbassets
from nbassets import (
    AssetKey,
    MissingResourceError,
    MissingUpstreamError,
    NbAssetsError,
    RunFailedError,
    asset,
    materialize,
)
from nbassets.errors import PartitionRequiredError
from nbassets.notebook.advice import notebook_message

K = AssetKey


@asset
def orders() -> list[int]:
    return [1, 2]


@asset
def revenue(orders: list[int]) -> int:
    return sum(orders)


@asset(required_resource_keys={"db"})
def loaded(context) -> int:
    return 1


def test_a_missing_upstream_carries_what_cannot_run_and_why() -> None:
    with nbassets.use_registry(), pytest.raises(MissingUpstreamError) as caught:
        materialize([orders, revenue], selection="revenue")
    error = caught.value
    assert (error.asset, error.upstream, error.partition) == (K("revenue"), K("orders"), None)
    assert error.materializable
    assert "selection='+revenue'" in str(error) and "%materialize" not in str(error)
    assert notebook_message(error) == (
        "Cannot run 'revenue': its upstream 'orders' is not selected and has no stored value. "
        "Materialize it first (%materialize orders), or select it too (%materialize +revenue)."
    )


def test_a_missing_resource_carries_its_names() -> None:
    with nbassets.use_registry(), pytest.raises(MissingResourceError) as caught:
        materialize([loaded])
    error = caught.value
    assert error.names == ("db",) and error.asset == K("loaded")
    assert "resources={'db': ...}" in str(error)
    message = notebook_message(error)
    assert message.startswith("Asset 'loaded' needs resource(s) 'db'")
    assert "Define `db = ...` in a cell above" in message and "resources={" not in message


def test_several_missing_upstreams_each_get_notebook_advice() -> None:
    first = MissingUpstreamError(
        "Cannot run 'b': no 'a'.",
        advice="Python.",
        asset=K("b"),
        upstream=K("a"),
        materializable=True,
    )
    second = MissingUpstreamError(
        "Cannot run 'd': no 'c'.",
        advice="Define it.",
        asset=K("d"),
        upstream=K("c"),
    )
    both = MissingUpstreamError(missing=[first, second])
    assert both.asset == K("b")
    assert str(both) == "Cannot run 'b': no 'a'. Python.\nCannot run 'd': no 'c'. Define it."
    assert notebook_message(both) == (
        "Cannot run 'b': no 'a'. Materialize it first (%materialize a), or select it too "
        "(%materialize +b).\nCannot run 'd': no 'c'. Define it."
    )


def test_partition_required_names_the_magic_or_an_example_key() -> None:
    run = PartitionRequiredError("Asset 'e' is partitioned; choose:", advice="x", asset=K("e"))
    assert notebook_message(run).endswith(
        "%materialize e --partition KEY (--partitions START...END for a range)."
    )
    read = PartitionRequiredError("Asset 'e' is partitioned.", asset=K("e"), partition="p1")
    assert notebook_message(read).endswith("For example %assets value e --partition p1.")


def test_an_error_without_notebook_phrasing_keeps_its_message() -> None:
    error = NbAssetsError("Something failed.", advice="Do this.")
    assert notebook_message(error) == str(error) == "Something failed. Do this."


def test_run_failed_error_is_in_the_tree() -> None:
    assert issubclass(RunFailedError, NbAssetsError)
    assert RunFailedError("boom", result=None).result is None
