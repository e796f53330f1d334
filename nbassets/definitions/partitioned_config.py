"""``PartitionedConfig``: a job's run config and tags, chosen by partition key.

Responsibilities:

* Hold a partitions definition and the functions from a partition key to run
  config and to run tags (Dagster's ``run_config_for_partition_key_fn`` and
  ``tags_for_partition_key_fn``); answer them for one key.

A job given one as ``config=`` runs ``execute_in_process(partition_key=k)`` with
the config it gives for ``k`` (an explicit ``run_config`` wins, as in Dagster).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nbassets.errors import InvalidDefinitionError

__all__ = ["PartitionedConfig"]


class PartitionedConfig:
    """Run config (and tags) for each partition of ``partitions_def``."""

    def __init__(
        self,
        partitions_def: Any,
        run_config_for_partition_fn: Callable[[Any], Mapping[str, Any]] | None = None,
        decorated_fn: Callable[..., Mapping[str, Any]] | None = None,
        tags_for_partition_fn: Callable[[Any], Mapping[str, str]] | None = None,
        run_config_for_partition_key_fn: Callable[[str], Mapping[str, Any]] | None = None,
        tags_for_partition_key_fn: Callable[[str], Mapping[str, str]] | None = None,
    ) -> None:
        if (run_config_for_partition_fn is None) == (run_config_for_partition_key_fn is None):
            raise InvalidDefinitionError(
                "PartitionedConfig needs exactly one of run_config_for_partition_key_fn= "
                "(from a partition key to run config) or run_config_for_partition_fn=."
            )
        if tags_for_partition_fn is not None and tags_for_partition_key_fn is not None:
            raise InvalidDefinitionError(
                "PartitionedConfig takes tags_for_partition_key_fn= or tags_for_partition_fn=, "
                "not both."
            )
        self.partitions_def = partitions_def
        self.decorated_fn = decorated_fn
        # Dagster's older functions take a Partition (its .name is the key); both take a key here.
        self._config_fn = run_config_for_partition_key_fn or _by_key(run_config_for_partition_fn)
        self._tags_fn = tags_for_partition_key_fn or (
            _by_key(tags_for_partition_fn) if tags_for_partition_fn is not None else None
        )

    @property
    def run_config_for_partition_key_fn(self) -> Callable[[str], Mapping[str, Any]]:
        return self._config_fn

    @property
    def tags_for_partition_key_fn(self) -> Callable[[str], Mapping[str, str]] | None:
        return self._tags_fn

    def get_run_config_for_partition_key(self, partition_key: str) -> dict[str, Any]:
        """The run config for ``partition_key``."""
        return dict(self._config_fn(partition_key) or {})

    def get_tags_for_partition_key(self, partition_key: str) -> dict[str, str]:
        """The run tags for ``partition_key`` (none unless a tags function was given)."""
        return dict(self._tags_fn(partition_key) or {}) if self._tags_fn is not None else {}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The decorated function itself, as Dagster's partitioned-config decorators keep it."""
        if self.decorated_fn is None:
            raise InvalidDefinitionError(
                "This PartitionedConfig was not built by a decorator: call "
                "get_run_config_for_partition_key(key) instead."
            )
        return self.decorated_fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"PartitionedConfig({self.partitions_def!r})"


class _Partition:
    """What Dagster's older per-partition functions receive: the key as ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.value = name


def _by_key(fn: Callable[[Any], Any] | None) -> Callable[[str], Any]:
    assert fn is not None
    return lambda key: fn(_Partition(key))
