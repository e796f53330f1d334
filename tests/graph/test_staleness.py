"""Staleness: code changes, newer upstreams, propagation, accept."""

from __future__ import annotations

from typing import Any

import nbassets
from nbassets import AssetKey, AssetOut, asset, materialize, multi_asset

K = AssetKey


def chain(reg: Any, version: str = "1") -> None:
    """Define a --> b --> c, with a's code version ``version``."""

    @asset(code_version=version)
    def a() -> int:
        return 1

    @asset(code_version="1")
    def b(a: int) -> int:
        return a + 1

    @asset(code_version="1")
    def c(b: int) -> int:
        return b + 1

    for definition in (a, b, c):
        reg.add(definition)


def statuses(reg: Any) -> dict[str, str]:
    return {k.to_user_string(): reg.status(k) for k in reg.keys()}


def test_fresh_after_a_full_run() -> None:
    with nbassets.use_registry() as reg:
        chain(reg)
        materialize()
        assert statuses(reg) == {"a": "materialized", "b": "materialized", "c": "materialized"}
        assert reg.stale_reasons("c") == []


def test_code_change_makes_the_asset_and_its_downstream_stale_at_once() -> None:
    with nbassets.use_registry() as reg:
        chain(reg)
        materialize()
        chain(reg, version="2")
        assert statuses(reg) == {"a": "stale", "b": "stale", "c": "stale"}
        assert reg.stale_reasons("a") == [
            "its code changed since it was materialized (code version 1 -> 2)"
        ]
        assert reg.stale_reasons("b") == ["upstream 'a' is stale"]
        assert reg.stale_reasons("c") == ["upstream 'b' is stale"]


def test_redefining_with_the_same_code_changes_nothing() -> None:
    with nbassets.use_registry() as reg:
        chain(reg)
        materialize()
        chain(reg)
        assert set(statuses(reg).values()) == {"materialized"}


def test_default_code_version_follows_the_function_body() -> None:
    with nbassets.use_registry() as reg:

        @asset
        def a() -> int:
            return 1

        reg.add(a)
        materialize()

        @asset
        def a() -> int:  # noqa: F811 - the user re-runs the cell
            # a comment and a reformat are not a code change
            return  1  # fmt: skip

        reg.add(a)
        assert reg.status(K("a")) == "materialized"

        @asset
        def a() -> int:  # noqa: F811
            return 2

        reg.add(a)
        assert reg.status(K("a")) == "stale"


def test_upstream_materialized_after_it() -> None:
    with nbassets.use_registry() as reg:
        chain(reg)
        runs = iter(range(100))

        @asset(code_version="1")
        def a() -> int:
            return next(runs)  # different data each run

        reg.add(a)
        materialize()
        materialize(selection=[K("a")])
        assert statuses(reg) == {"a": "materialized", "b": "stale", "c": "stale"}
        assert reg.stale_reasons("b") == ["upstream 'a' was materialized after it"]
        assert reg.stale_reasons("c") == ["upstream 'b' is stale"]
        materialize(selection=[K("b"), K("c")])
        assert set(statuses(reg).values()) == {"materialized"}


def test_accept_marks_fresh_without_making_downstream_stale() -> None:
    with nbassets.use_registry() as reg:
        chain(reg)
        materialize()
        chain(reg, version="2")
        reg.accept("a")
        assert statuses(reg) == {"a": "materialized", "b": "materialized", "c": "materialized"}
        assert reg.value("a") == 1
        assert reg.history("a")[-1].accepted


def test_accept_publishes_a_status_event() -> None:
    with nbassets.use_registry() as reg:
        chain(reg)
        materialize()
        chain(reg, version="2")
        events: list[Any] = []
        reg.subscribe(events.append)
        reg.accept("a")
        assert [e.kind for e in events] == ["status"]
        assert set(events[0].keys) == {K("a"), K("b"), K("c")}


def test_never_materialized_is_missing_not_stale() -> None:
    with nbassets.use_registry() as reg:
        chain(reg)
        materialize(selection=[K("a")])
        assert statuses(reg) == {"a": "materialized", "b": "missing", "c": "missing"}


def test_removing_an_upstream_does_not_crash_status() -> None:
    with nbassets.use_registry() as reg:
        chain(reg)
        materialize()
        reg.remove("a")
        assert reg.status(K("b")) in {"materialized", "stale"}


def test_multi_asset_internal_dependency_is_fresh_after_its_run() -> None:
    with nbassets.use_registry() as reg:

        @multi_asset(
            outs={"x": AssetOut(), "y": AssetOut()},
            internal_asset_deps={"y": {K("x")}},
        )
        def pair() -> tuple[int, int]:
            return 1, 2

        reg.add(pair)
        materialize()
        assert reg.stale_reasons("y") == []
        assert reg.status(K("y")) == "materialized"


# a --> b --> c, with a re-materialized to equal data: a data version (content hash)
# equal to the one b read keeps b and c fresh, as Dagster's data versions do.
def test_upstream_rematerialized_to_equal_data_makes_nothing_stale() -> None:
    import pandas as pd

    with nbassets.use_registry() as reg:
        chain(reg)
        runs = iter(range(100))

        @asset(code_version="1")
        def a() -> pd.DataFrame:
            next(runs)
            return pd.DataFrame({"x": [1, 2, 3]})  # a new object with equal content

        reg.add(a)
        materialize()
        materialize(selection=[K("a")])
        materialize(selection=[K("a")])
        assert statuses(reg) == {"a": "materialized", "b": "materialized", "c": "materialized"}
        first, *_, last = reg.history("a")
        assert first.storage_id < last.storage_id
        assert reg.instance.data_version(first) == reg.instance.data_version(last)
