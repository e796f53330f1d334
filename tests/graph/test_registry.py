"""The kernel registry: define, replace, remove, cells, cycles, events, values."""

from __future__ import annotations

from typing import Any

import pytest

import nbassets
from nbassets import (
    AssetKey,
    AssetSpec,
    CycleError,
    InvalidInvocationError,
    MissingUpstreamError,
    UnknownAssetError,
    asset,
    asset_check,
    materialize,
)
from nbassets.graph.registry import Registry, RegistryEvent

K = AssetKey


def make(name: str, *parents: str, value: Any = None) -> Any:
    """An asset called ``name`` reading ``parents`` (by ordering-only deps) and returning value."""

    def fn() -> Any:
        return value if value is not None else name

    return asset(name=name, deps=list(parents))(fn)


def test_get_registry_is_one_per_kernel_and_use_registry_swaps_it() -> None:
    outer = nbassets.get_registry()
    assert nbassets.get_registry() is outer
    with nbassets.use_registry() as reg:
        assert nbassets.get_registry() is reg is not outer
        mine = Registry()
        with nbassets.use_registry(mine) as inner:
            assert inner is mine and nbassets.get_registry() is mine
        assert nbassets.get_registry() is reg
    assert nbassets.get_registry() is outer


def test_add_keeps_definition_order() -> None:
    with nbassets.use_registry() as reg:
        for name in "cab":
            reg.add(make(name))
        assert reg.keys() == [K("c"), K("a"), K("b")]
        assert len(reg) == 3 and "a" in reg and K("a") in reg and "zz" not in reg


def test_redefinition_replaces_in_place() -> None:
    with nbassets.use_registry() as reg:
        first = make("a")
        reg.add(first)
        reg.add(make("b"))
        second = make("a", value="new")
        reg.add(second)
        assert reg.keys() == [K("a"), K("b")]
        assert reg.definition_for("a") is second


def test_same_source_with_a_new_key_removes_the_old_key_and_its_value() -> None:
    with nbassets.use_registry() as reg:
        reg.add(make("old"), source_id="cell-1")
        reg.add(make("other"))
        materialize()
        reg.add(make("new"), source_id="cell-1")
        assert reg.keys() == [K("new"), K("other")]
        assert "old" not in reg
        assert reg.instance.io_manager.has_value(K("old")) is False


def test_other_sources_are_untouched_by_a_renamed_cell() -> None:
    with nbassets.use_registry() as reg:
        reg.add(make("a"), source_id="cell-1")
        reg.add(make("b"), source_id="cell-2")
        reg.add(make("c"), source_id="cell-2")
        assert reg.keys() == [K("a"), K("c")]


def test_multi_part_keys_resolve_from_their_last_part_when_unique() -> None:
    with nbassets.use_registry() as reg:
        reg.add(asset(key=["sales", "orders"])(lambda: 1))
        assert reg.resolve_key("orders") == K(["sales", "orders"])
        assert reg.resolve_key("sales/orders") == K(["sales", "orders"])


def test_unknown_key_suggests_names() -> None:
    with nbassets.use_registry() as reg:
        reg.add(make("orders"))
        hint = "Unknown asset 'ordres'. Did you mean 'orders'"
        with pytest.raises(UnknownAssetError, match=hint):
            reg.value("ordres")


def test_cycle_is_refused_naming_the_path_and_changes_nothing() -> None:
    with nbassets.use_registry() as reg:
        reg.add(make("a", "c"))
        reg.add(make("b", "a"))
        c_before = make("c")
        reg.add(c_before)
        events: list[Any] = []
        reg.subscribe(events.append)
        graph_before = reg.graph
        with pytest.raises(CycleError, match=r"'c'.*cycle: c -> a -> b -> c.*unchanged"):
            reg.add(make("c", "b"))
        assert reg.keys() == [K("a"), K("b"), K("c")]
        assert reg.definition_for("c") is c_before
        assert reg.graph.parents(K("c")) == ()
        assert reg.graph is graph_before
        assert events == []


def test_self_dependency_is_a_cycle() -> None:
    with nbassets.use_registry() as reg, pytest.raises(CycleError, match="a -> a"):
        reg.add(make("a", "a"))


def test_parameter_named_after_its_own_asset_is_a_cycle() -> None:
    def b(b: int) -> int:
        return b

    with nbassets.use_registry() as reg, pytest.raises(CycleError, match="b -> b"):
        reg.add(asset(b))


def test_subscribers_see_definitions_removals_and_resets() -> None:
    with nbassets.use_registry() as reg:
        events: list[RegistryEvent] = []
        unsubscribe = reg.subscribe(events.append)
        reg.add(make("a"))
        reg.add(make("b"), source_id="x")
        reg.add(make("c"), source_id="x")
        reg.remove("a")
        reg.reset()
        assert [(e.kind, e.keys, e.removed) for e in events] == [
            ("defined", (K("a"),), ()),
            ("defined", (K("b"),), ()),
            ("defined", (K("c"),), (K("b"),)),
            ("removed", (), (K("a"),)),
            ("reset", (), ()),
        ]
        unsubscribe()
        reg.add(make("d"))
        assert len(events) == 5


def test_subscribers_see_run_events() -> None:
    with nbassets.use_registry() as reg:
        reg.add(make("a"))
        seen: list[Any] = []
        reg.subscribe(seen.append)
        materialize()
        kinds = [getattr(e, "event_type", None) for e in seen]
        assert nbassets.EventType.STEP_SUCCESS in kinds


def test_value_after_materialize() -> None:
    with nbassets.use_registry() as reg:
        reg.add(make("a", value=41))
        with pytest.raises(MissingUpstreamError, match="'a' has no value yet. Materialize it"):
            reg.value("a")
        materialize()
        assert reg.value("a") == 41
        assert len(reg.history("a")) == 1


def test_remove_forgets_definition_value_checks_and_history() -> None:
    with nbassets.use_registry() as reg:
        a = make("a", value=1)
        reg.add(a)

        @asset_check(asset="a")
        def positive(a: int) -> bool:
            return a > 0

        reg.add(positive)
        materialize()
        assert reg.remove("a") == (K("a"),)
        assert "a" not in reg and reg.checks == [] and reg.instance.history(K("a")) == []
        assert reg.instance.io_manager.has_value(K("a")) is False


def test_reset_forgets_everything() -> None:
    with nbassets.use_registry() as reg:
        reg.add(make("a"))
        materialize()
        reg.reset()
        assert reg.keys() == [] and len(reg) == 0
        assert reg.instance.runs == []


def test_status_lifecycle_missing_materialized_failed() -> None:
    with nbassets.use_registry() as reg:
        state = {"fail": False}

        @asset
        def a() -> int:
            if state["fail"]:
                raise ValueError("boom")
            return 1

        @asset
        def b(a: int) -> int:
            return a

        reg.add(a)
        reg.add(b)
        assert reg.status(K("a")) == "missing"
        materialize()
        assert reg.status(K("a")) == reg.status(K("b")) == "materialized"
        state["fail"] = True
        materialize(raise_on_error=False)
        assert reg.status(K("a")) == "failed"
        assert reg.status(K("b")) == "skipped"
        state["fail"] = False
        materialize()
        assert reg.status(K("a")) == reg.status(K("b")) == "materialized"


def test_status_is_running_inside_the_run() -> None:
    with nbassets.use_registry() as reg:
        seen: list[str] = []

        @asset
        def a() -> int:
            seen.append(reg.status(K("a")))
            return 1

        reg.add(a)
        materialize()
        assert seen == ["running"]
        assert reg.status(K("a")) == "materialized"


def test_external_spec_status_follows_its_stored_value() -> None:
    with nbassets.use_registry() as reg:
        reg.add(AssetSpec("ext"))
        assert reg.graph.node(K("ext")).is_external
        assert reg.status(K("ext")) == "missing"
        reg.instance.io_manager.values[(K("ext"), None)] = 5
        assert reg.status(K("ext")) == "materialized"


def test_accept_on_a_never_materialized_asset_says_what_to_do() -> None:
    with nbassets.use_registry() as reg:
        reg.add(make("a"))
        with pytest.raises(
            InvalidInvocationError, match=r"never been materialized.*Materialize it \(selection='a'"
        ):
            reg.accept("a")

