"""``file_relative_path``: Dagster's helper for paths next to a module's file."""

from __future__ import annotations

import os

__all__ = ["file_relative_path"]


def file_relative_path(dunderfile: str, relative_path: str) -> str:
    """``relative_path`` joined to the folder of ``dunderfile`` (pass ``__file__``)."""
    return os.path.join(os.path.dirname(dunderfile), relative_path)
