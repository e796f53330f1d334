"""Metadata an op adds to its outputs while it runs (``context.add_output_metadata``).

Dagster attaches it to the output's ``STEP_OUTPUT`` event once the output is
yielded; metadata for an output already yielded is refused, since that event is
already recorded. A dynamic output's metadata is per ``mapping_key``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nbassets.definitions.metadata import MetadataValue, normalize_metadata
from nbassets.errors import InvalidInvocationError

__all__ = ["OpOutputMetadata"]

_Slot = tuple[str, str | None]


class OpOutputMetadata:
    """The metadata one op step added, by (output name, mapping key), until yielded."""

    __slots__ = ("_op_name", "_output_names", "_pending", "_yielded")

    def __init__(self, op_name: str, output_names: Sequence[str]) -> None:
        self._op_name = op_name
        self._output_names = tuple(output_names)
        self._pending: dict[_Slot, dict[str, MetadataValue]] = {}
        self._yielded: set[_Slot] = set()

    def add(
        self, metadata: Mapping[str, Any], output_name: str | None, mapping_key: str | None
    ) -> None:
        if output_name is None:
            if len(self._output_names) != 1:
                raise InvalidInvocationError(
                    f"In op '{self._op_name}', attempted to log output metadata without "
                    "providing output_name, but multiple outputs exist. Please provide an "
                    "output_name to the invocation of `context.add_output_metadata`.",
                    advice=f"Pass output_name= one of {list(self._output_names)}.",
                )
            output_name = self._output_names[0]
        slot = (output_name, mapping_key)
        if slot in self._yielded:
            which = f" with mapping_key '{mapping_key}'" if mapping_key is not None else ""
            raise InvalidInvocationError(
                f"In op '{self._op_name}', attempted to log output metadata for output "
                f"'{output_name}'{which} which has already been yielded. Metadata must be "
                "logged before the output is yielded.",
                advice="Call context.add_output_metadata(...) before yielding the output, or "
                "pass metadata= to the Output itself.",
            )
        self._pending.setdefault(slot, {}).update(normalize_metadata(metadata))

    def take(self, output_name: str, mapping_key: str | None) -> dict[str, MetadataValue]:
        """The metadata added for an output being yielded now; later additions are refused."""
        slot = (output_name, mapping_key)
        self._yielded.add(slot)
        return self._pending.pop(slot, {})
