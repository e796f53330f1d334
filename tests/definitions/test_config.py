"""Config, ConfigurableResource, RunConfig and config validation."""

from __future__ import annotations

import pydantic
import pytest

from nbassets import Config, ConfigError, ConfigurableResource, RunConfig
from nbassets.definitions.config import validate_config


class Params(Config):
    limit: int
    name: str = "x"


class Client(ConfigurableResource):
    url: str


def test_config_is_a_frozen_pydantic_model_that_forbids_extras() -> None:
    params = Params(limit=3)
    assert params.limit == 3 and params.name == "x"
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        params.limit = 4  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        Params(limit=1, other=2)  # type: ignore[call-arg]


def test_validate_config_from_a_dict_an_instance_or_a_model() -> None:
    assert validate_config("a", Params, {"limit": 2}) == Params(limit=2)
    same = Params(limit=5)
    assert validate_config("a", Params, same) is same


def test_invalid_config_names_the_asset_and_pydantic_reason() -> None:
    with pytest.raises(ConfigError, match=r"Invalid config for asset 'orders' \(Params\): limit"):
        validate_config("orders", Params, {"limit": "many"})


def test_missing_config_shows_the_run_config_to_write() -> None:
    with pytest.raises(ConfigError, match=r"limit: Field required.*'ops'.*'orders'.*'limit'"):
        validate_config("orders", Params, None)


def test_run_config_to_config_dict() -> None:
    run_config = RunConfig(ops={"orders": Params(limit=1), "raw": {"config": {"a": 1}}})
    assert run_config.to_config_dict() == {
        "ops": {"orders": {"config": {"limit": 1, "name": "x"}}, "raw": {"config": {"a": 1}}},
        "resources": {},
    }


def test_resource_has_no_op_setup_and_teardown_by_default() -> None:
    client = Client(url="http://x")
    assert client.setup_for_execution(None) is None
    assert client.teardown_after_execution(None) is None
