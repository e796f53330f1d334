"""One rule for group names everywhere (Dagster 1.13's): segments of [A-Za-z0-9_], '/' between."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from nbassets import AssetSpec, asset
from nbassets.errors import InvalidDefinitionError
from nbassets.notebook.cell_options import parse_asset_line

VALID = ["sales", "Sales_2024", "marketing/emails", "a/b/c", "_"]
REFUSED = r"is not a valid asset group name|Empty asset group name"
INVALID = ["", "has space", "dash-x", "/lead", "trail/", "a//b", "<b>", "ünï", "a.b"]


@pytest.mark.parametrize("name", VALID)
def test_valid_group_names_are_accepted_by_every_door(name: str) -> None:
    @asset(group_name=name)
    def thing() -> int:
        return 1

    assert thing.group_names_by_key[thing.key] == name
    assert AssetSpec("spec", group_name=name).group_name == name
    assert parse_asset_line(f"thing --group {name}").group == name


@pytest.mark.parametrize("name", INVALID)
def test_invalid_group_names_are_refused_by_every_door(name: str) -> None:
    with pytest.raises(InvalidDefinitionError, match=REFUSED):
        asset(group_name=name)(lambda: 1)
    with pytest.raises(InvalidDefinitionError, match=REFUSED):
        AssetSpec("spec", group_name=name)
    if name.strip():
        with pytest.raises(UsageError, match=REFUSED):
            parse_asset_line(f"thing --group '{name}'")
