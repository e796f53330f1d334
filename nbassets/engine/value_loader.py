"""``AssetValueLoader``: reading assets' stored values outside a run.

Responsibilities:

* Find the IO manager of an asset (its own ``resource_defs``, then the
  definitions' resources, then the instance's store) and ask it for the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nbassets.definitions.keys import coerce_key
from nbassets.storage.instance import Instance

if TYPE_CHECKING:
    from nbassets.engine.code_location import Definitions

__all__ = ["AssetValueLoader"]


class AssetValueLoader:
    """Loads assets' stored values outside a run: Dagster's ``AssetValueLoader``.

    Each asset's IO manager comes from its own ``resource_defs``, then the
    definitions' resources; the default ``io_manager`` is the instance's in-memory
    store (the kernel registry's instance when none is given), where runs keep values.
    """

    def __init__(self, definitions: Definitions, instance: Instance | None = None) -> None:
        from nbassets.graph.registry import get_registry

        self.definitions = definitions
        self.instance = instance if instance is not None else get_registry().instance

    def __enter__(self) -> AssetValueLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def load_asset_value(
        self,
        asset_key: Any,
        *,
        python_type: Any = None,
        partition_key: str | None = None,
        input_definition_metadata: Mapping[str, Any] | None = None,
        resource_config: Any = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Any:
        """The value of ``asset_key`` (one partition of it with ``partition_key``).

        Raises:
            UnknownAssetError: no asset of these definitions has that key.
            MissingResourceError: its IO manager is not among the resources.
        """
        from nbassets.definitions.resources import resolve_resources
        from nbassets.errors import MissingResourceError
        from nbassets.storage.io_manager import InputContext

        del python_type, resource_config
        key = coerce_key(asset_key)
        definition = self.definitions.resolve_assets_def(key)
        manager_key = definition.io_manager_keys.get(key, "io_manager")
        available = {**self.definitions.resources, **definition.resource_defs}
        if manager_key not in available:
            if manager_key != "io_manager":
                raise MissingResourceError(
                    f"Asset '{key.to_user_string()}' is stored by IO manager '{manager_key}', "
                    "which these definitions do not provide. Add it to resources=."
                )
            available[manager_key] = self.instance.io_manager
        manager = resolve_resources({manager_key: available[manager_key]})[manager_key]
        return manager.load_input(
            InputContext(
                asset_key=key,
                partition_key=partition_key,
                definition_metadata=metadata or input_definition_metadata,
            )
        )
