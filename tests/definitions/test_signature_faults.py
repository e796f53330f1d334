"""Function shapes that used to misbehave: async assets, ins into **kwargs."""

from __future__ import annotations

from typing import Any

import pytest

import nbassets
from nbassets import AssetIn, asset, materialize
from nbassets.errors import InvalidDefinitionError


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    with nbassets.use_registry() as reg:
        yield reg


def test_an_async_asset_is_refused_with_how_to_run_async_code() -> None:
    with pytest.raises(InvalidDefinitionError, match=r"async function.*asyncio.run"):

        @asset
        async def fetched() -> int:
            return 1


def test_an_async_generator_asset_is_refused() -> None:
    with pytest.raises(InvalidDefinitionError, match="async function"):

        @asset
        async def streamed() -> Any:
            yield 1


def test_ins_into_kwargs_are_passed_as_in_dagster() -> None:
    @asset
    def up() -> int:
        return 4

    @asset(ins={"x": AssetIn("up")})
    def down(**kwargs: int) -> int:
        return kwargs["x"] * 10

    assert materialize([up, down]).output_for_node("down") == 40
    assert nbassets.AssetKey("up") in down.asset_deps[nbassets.AssetKey("down")]


def test_a_lambda_asset_needs_a_name() -> None:
    with pytest.raises(InvalidDefinitionError, match=r"'<lambda>'.*pass name="):
        asset(lambda: 1)
    named = asset(name="one")(lambda: 1)
    assert materialize([named], selection="one").output_for_node("one") == 1
