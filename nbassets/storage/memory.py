"""Dagster's ``mem_io_manager``: an IO manager definition building a fresh in-memory store.

Kept out of ``io_manager.py`` so ``import nbassets`` does not load resource definitions.
"""

from __future__ import annotations

from typing import Any

from nbassets.definitions.resources import IOManagerDefinition
from nbassets.storage.io_manager import InMemoryIOManager

__all__ = ["mem_io_manager"]


def _build(_context: Any = None) -> InMemoryIOManager:
    return InMemoryIOManager()


mem_io_manager = IOManagerDefinition(
    _build, description="Keeps each value in memory for the run: Dagster's mem_io_manager."
)
