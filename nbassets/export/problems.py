"""What cannot be exported, said all at once before anything is written.

Responsibilities:
- ``ExportError``: every problem found, each naming the cell and the reason.
- ``Problems``: collects them while an export is built.
"""

from __future__ import annotations

from nbassets.errors import NbAssetsError

__all__ = ["ExportError", "Problems"]


class ExportError(NbAssetsError):
    """Raised when part of a notebook cannot become Dagster code; nothing is written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        lines = [f"- {where}: {reason}" for where, reason in problems]
        super().__init__("Cannot export to Dagster (nothing was written):\n" + "\n".join(lines))
        self.problems = problems


class Problems:
    """Problems found while building an export, in the order they were found."""

    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []

    def add(self, where: str, reason: str) -> None:
        self.found.append((where, reason))

    def raise_if_any(self) -> None:
        if self.found:
            raise ExportError(self.found)
