"""AssetsDefinition(specs=[...]): external assets as a definition that never runs."""

from __future__ import annotations

import pytest

from nbassets import (
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Definitions,
    ResourceDefinition,
    SourceAsset,
    asset,
    materialize,
)
from nbassets.errors import InvalidDefinitionError, MissingUpstreamError


def test_external_definition_answers_about_its_specs_and_is_not_executable() -> None:
    spec = AssetSpec("raw", group_name="src", tags={"t": "v"}, owners=["team:data"])
    external = AssetsDefinition(specs=[spec, spec])  # a repeated spec counts once

    assert not external.is_executable
    assert list(external.specs) == [spec]
    assert external.group_names_by_key == {AssetKey("raw"): "src"}
    assert external.owners_by_key == {AssetKey("raw"): ["team:data"]}
    with pytest.raises(InvalidDefinitionError, match="conflicting AssetSpecs"):
        AssetsDefinition(specs=[spec, AssetSpec("raw", group_name="other")])


def test_an_external_definition_is_an_upstream_a_run_loads() -> None:
    external = AssetsDefinition(specs=[AssetSpec("raw")])

    @asset
    def clean(raw: int) -> int:
        return raw + 1

    # Nothing stored for raw: the run says so, and that raw is made elsewhere.
    with pytest.raises(MissingUpstreamError, match="'raw' is external"):
        materialize([external, clean])

    @asset(name="raw")
    def made() -> int:
        return 1

    materialize([made])
    assert materialize([external, clean], selection=[clean]).output_for_node("clean") == 2


def test_definitions_resolve_specs_as_one_external_definition() -> None:
    one, two = AssetSpec("one"), AssetSpec("two", deps=["one"])
    defs = Definitions(assets=[one, two])

    resolved = defs.resolve_assets_def("two")
    assert not resolved.is_executable
    assert set(resolved.keys) == {AssetKey("one"), AssetKey("two")}
    assert resolved.asset_deps[AssetKey("two")] == {AssetKey("one")}
    resolved_specs = defs.resolve_all_asset_specs()
    assert [s.key for s in resolved_specs] == [one.key, two.key]
    assert {s.group_name for s in resolved_specs} == {"default"}
    with pytest.raises(InvalidDefinitionError, match="conflicting AssetSpecs"):
        Definitions(assets=[one, AssetSpec("one", group_name="g")]).resolve_all_asset_specs()


def test_a_source_assets_bare_resource_becomes_one_definition_of_it() -> None:
    client = object()
    first = SourceAsset("a", resource_defs={"client": client})
    second = SourceAsset("b", resource_defs={"client": client})

    held = first.resource_defs["client"]
    assert isinstance(held, ResourceDefinition) and held() is client
    # The same object bound twice is one resource, not two that conflict.
    assert second.resource_defs["client"] is held


def test_an_external_definition_renamed_or_regrouped_stays_external() -> None:
    external = AssetsDefinition(specs=[AssetSpec("raw", group_name="src", deps=["feed"])])
    moved = external.with_attributes(
        asset_key_replacements={AssetKey("raw"): AssetKey(["lake", "raw"]),
                                AssetKey("feed"): AssetKey(["lake", "feed"])},
    )
    assert not moved.is_executable  # what load_assets_from_modules(key_prefix=) does to it
    assert [spec.key for spec in moved.specs] == [AssetKey(["lake", "raw"])]
    assert list(moved.specs[0].dep_keys) == [AssetKey(["lake", "feed"])]
    assert moved.group_names_by_key == {AssetKey(["lake", "raw"]): "src"}
