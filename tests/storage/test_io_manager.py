"""IO managers: in-memory default, filesystem (atomic writes), custom ones in runs."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

import nbassets
from nbassets import (
    AssetKey,
    FilesystemIOManager,
    InMemoryIOManager,
    InputContext,
    IOManager,
    OutputContext,
    asset,
    build_input_context,
    build_output_context,
    materialize,
)

K = AssetKey


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    with nbassets.use_registry() as reg:
        yield reg


def test_in_memory_round_trip_and_partitions() -> None:
    manager = InMemoryIOManager()
    manager.handle_output(build_output_context(asset_key=K("a")), [1])
    manager.handle_output(build_output_context(asset_key=K("a"), partition_key="p1"), [2])
    assert manager.load_input(build_input_context(asset_key=K("a"))) == [1]
    assert manager.load_input(build_input_context(asset_key=K("a"), partition_key="p1")) == [2]
    assert manager.has_value(K("a")) and manager.has_value(K("a"), "p1")
    manager.delete(K("a"))
    assert not manager.has_value(K("a")) and not manager.has_value(K("a"), "p1")


def test_filesystem_round_trip_path_and_metadata(tmp_path: Path) -> None:
    manager = FilesystemIOManager(base_dir=tmp_path)
    context = build_output_context(asset_key=K(["sales", "orders"]))
    manager.handle_output(context, {"rows": 2})
    path = tmp_path / "sales" / "orders.pickle"
    assert path.is_file()
    assert pickle.loads(path.read_bytes()) == {"rows": 2}
    assert context.consume_added_metadata()["path"].value == str(path)
    assert manager.load_input(build_input_context(asset_key=K(["sales", "orders"]))) == {"rows": 2}
    assert manager.has_value(K(["sales", "orders"]))
    assert not manager.has_value(K("other"))


def test_filesystem_partitions_live_under_the_key(tmp_path: Path) -> None:
    manager = FilesystemIOManager(tmp_path)
    manager.handle_output(build_output_context(asset_key=K("e"), partition_key="2024-01-01"), 1)
    assert (tmp_path / "e.partitions" / "2024-01-01.pickle").is_file()
    assert manager.has_value(K("e"), "2024-01-01") and not manager.has_value(K("e"), "2024-01-02")


def test_filesystem_write_is_atomic_when_pickling_fails(tmp_path: Path) -> None:
    manager = FilesystemIOManager(tmp_path)
    context = build_output_context(asset_key=K("a"))
    manager.handle_output(context, "good")
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        manager.handle_output(build_output_context(asset_key=K("a")), lambda: None)
    assert manager.load_input(build_input_context(asset_key=K("a"))) == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pickle"]


def test_materialize_through_the_filesystem_and_load_in_a_later_run(tmp_path: Path) -> None:
    calls: list[str] = []

    @asset
    def up() -> list[int]:
        calls.append("up")
        return [1, 2]

    @asset
    def down(up: list[int]) -> int:
        calls.append("down")
        return len(up)

    resources = {"io_manager": FilesystemIOManager(tmp_path)}
    first = materialize([up, down], resources=resources)
    (mat,) = first.asset_materializations_for_node("up")
    assert mat.metadata["path"].value == str(tmp_path / "up.pickle")
    calls.clear()
    later = materialize([up, down], resources=resources, selection=[K("down")])
    assert calls == ["down"] and later.output_for_node("down") == 2


def test_missing_file_is_a_missing_upstream_before_running(tmp_path: Path) -> None:
    @asset
    def up() -> int:
        return 1

    @asset
    def down(up: int) -> int:
        return up

    with pytest.raises(nbassets.MissingUpstreamError, match="upstream 'up'"):
        materialize([up, down], resources={"io_manager": FilesystemIOManager(tmp_path)},
                    selection=[K("down")])


def test_unpicklable_value_fails_the_step_and_leaves_no_temp_file(tmp_path: Path) -> None:
    @asset
    def bad() -> Any:
        return lambda: None

    result = materialize(
        [bad], resources={"io_manager": FilesystemIOManager(tmp_path)}, raise_on_error=False
    )
    assert result.get_failed_step_keys() == {"bad"}
    assert list(tmp_path.iterdir()) == []


class Recording(IOManager):
    """A custom IO manager that keeps values and the contexts it saw."""

    def __init__(self) -> None:
        self.stored: dict[AssetKey, Any] = {}
        self.outputs: list[OutputContext] = []
        self.inputs: list[InputContext] = []

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        self.outputs.append(context)
        self.stored[context.asset_key] = obj
        context.add_output_metadata({"stored_by": "recording"})

    def load_input(self, context: InputContext) -> Any:
        self.inputs.append(context)
        return self.stored[context.asset_key]


def test_custom_io_manager_per_asset_key() -> None:
    @asset(io_manager_key="rec", metadata={"fmt": "list"})
    def up() -> list[int]:
        return [1]

    @asset
    def down(up: list[int]) -> int:
        return len(up)

    rec = Recording()
    result = materialize([up, down], resources={"rec": rec})
    assert rec.stored == {K("up"): [1]}
    (out,) = rec.outputs
    assert out.asset_key == K("up") and out.run_id == result.run_id
    assert out.definition_metadata["fmt"] == "list"  # as given, as in Dagster
    (mat,) = result.asset_materializations_for_node("up")
    assert mat.metadata["stored_by"].value == "recording"
    # Unselected, it loads through the same IO manager.
    materialize([up, down], resources={"rec": rec}, selection=[K("down")])
    loaded = rec.inputs[-1]
    assert loaded.asset_key == K("up") and loaded.name == "up" and loaded.step_key == "down"


def test_io_manager_key_without_a_resource_is_named() -> None:
    @asset(io_manager_key="warehouse")
    def up() -> int:
        return 1

    with pytest.raises(nbassets.MissingResourceError, match="'warehouse'"):
        materialize([up])
