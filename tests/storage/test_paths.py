"""Storage paths stay inside the store, whatever the asset and partition keys say."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nbassets
from nbassets import (
    AssetKey,
    FilesystemIOManager,
    StaticPartitionsDefinition,
    asset,
    build_input_context,
    build_output_context,
    materialize,
)
from nbassets.errors import InvalidInvocationError
from nbassets.storage.paths import encode_name, value_path

HOSTILE_PARTS = [
    "..", ".", "...", ".hidden", "..\\x", "a\\..\\..\\x", "C:\\x",
    "a b", "\x00", "\n", "%", "%2E%2E", "~", "x~y", "a.pickle", "A.PICKLE", "a.partitions",
    "CON", "nul.txt", "ünï", "𝔘", "\ud800", "ﬁ", "x" * 400, "." * 300, "-", "--",
    "*", "?", "[a]", "a:b", ".a.b.tmp",
]
# Key parts cannot hold '/' (AssetKey refuses it); partition keys can.
HOSTILE_PARTITIONS = [
    *HOSTILE_PARTS, "../x", "/etc/passwd", "../../x", "/tmp/escape", "2024-01-01", "", "a/b", "///",
]


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    with nbassets.use_registry() as reg:
        yield reg


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("part", HOSTILE_PARTS)
def test_hostile_key_parts_stay_in_the_store(tmp_path: Path, part: str) -> None:
    base = tmp_path / "store"
    outside = _files_under(tmp_path)
    manager = FilesystemIOManager(base)
    for parts in ([part], [part, "x"], ["x", part]):
        key = AssetKey(parts)
        manager.handle_output(build_output_context(asset_key=key), parts)
        assert manager.load_input(build_input_context(asset_key=key)) == parts
        assert base in manager.path_for(key).parents
    assert _files_under(tmp_path) - outside == _files_under(base)


@pytest.mark.parametrize("partition", HOSTILE_PARTITIONS)
def test_hostile_partition_keys_stay_in_the_store(tmp_path: Path, partition: str) -> None:
    base = tmp_path / "store"
    manager = FilesystemIOManager(base)
    manager.handle_output(build_output_context(asset_key=AssetKey("e"), partition_key=partition), 7)
    context = build_input_context(asset_key=AssetKey("e"), partition_key=partition)
    loaded = manager.load_input(context)
    assert loaded == 7
    assert manager.has_value(AssetKey("e"), partition) and not manager.has_value(AssetKey("e"))
    assert _files_under(tmp_path) == _files_under(base)


def test_a_run_with_a_dotted_key_and_traversing_partitions_writes_only_in_the_store(
    tmp_path: Path,
) -> None:
    base = tmp_path / "deep" / "store"
    keys = ["../../x", str(tmp_path / "escape"), "ok"]

    @asset(key=["..", "x"], partitions_def=StaticPartitionsDefinition(keys))
    def climber(context: Any) -> str:
        return str(context.partition_key)

    for partition in keys[:2]:
        materialize([climber], partition_key=partition,
                    resources={"io_manager": FilesystemIOManager(base)})
    assert _files_under(tmp_path) == _files_under(base) != set()


def test_an_asset_and_one_below_it_are_both_stored(tmp_path: Path) -> None:
    manager = FilesystemIOManager(tmp_path)
    manager.handle_output(build_output_context(asset_key=AssetKey("a")), "a")
    manager.handle_output(build_output_context(asset_key=AssetKey(["a", "b"])), "a/b")
    manager.handle_output(build_output_context(asset_key=AssetKey("a"), partition_key="b"), "a[b]")
    assert [manager.load_input(build_input_context(asset_key=AssetKey(k), partition_key=p))
            for k, p in [("a", None), (["a", "b"], None), ("a", "b")]] == ["a", "a/b", "a[b]"]


def test_a_symbolic_link_inside_the_store_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "store"
    base.mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", base / "linked")
    manager = FilesystemIOManager(base)
    with pytest.raises(InvalidInvocationError, match="leaves the store .* symbolic link"):
        manager.handle_output(build_output_context(asset_key=AssetKey(["linked", "x"])), 1)
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_orphaned_temporary_files_are_collected_by_the_next_write(tmp_path: Path) -> None:
    manager = FilesystemIOManager(tmp_path)
    manager.handle_output(build_output_context(asset_key=AssetKey("a")), 1)
    orphan = tmp_path / ".a.pickle.k1ll3d.tmp"
    orphan.write_bytes(b"half a pickle")
    os.utime(orphan, (1, 1))
    other = tmp_path / ".b.pickle.k1ll3d.tmp"  # another value's: left for its own next write
    other.write_bytes(b"")
    os.utime(other, (1, 1))
    manager.handle_output(build_output_context(asset_key=AssetKey("a")), 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".b.pickle.k1ll3d.tmp", "a.pickle"]


names = st.text(min_size=0, max_size=40)
key_parts = st.lists(st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s), min_size=1,
                     max_size=3)


@settings(max_examples=300, deadline=None)
@given(st.lists(names, min_size=2, max_size=2, unique=True))
def test_encoding_is_safe_and_one_to_one(pair: list[str]) -> None:
    first, second = (encode_name(text) for text in pair)
    assert first != second
    for name in (first, second):
        assert name and not name.startswith(".") and "/" not in name and "\\" not in name
        assert len(name.encode()) <= 200 and name.isascii() and name.isprintable()
        assert not name.lower().endswith((".pickle", ".partitions"))


@settings(max_examples=200, deadline=None)
@given(key_parts, st.none() | names, key_parts, st.none() | names)
def test_different_values_never_share_a_path_or_a_folder(
    parts_a: list[str], part_a: str | None, parts_b: list[str], part_b: str | None
) -> None:
    base = Path("/store")
    path_a, path_b = value_path(base, parts_a, part_a), value_path(base, parts_b, part_b)
    assert base in path_a.parents and base in path_b.parents
    if (parts_a, part_a) != (parts_b, part_b):
        assert path_a != path_b
        # A value file is never a folder of another value.
        assert path_a not in path_b.parents and path_b not in path_a.parents
