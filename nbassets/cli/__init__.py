"""The ``nbassets`` command: ``run``, ``lineage`` and ``export`` (``main`` is the entry point)."""

from __future__ import annotations

from nbassets.cli.main import main

__all__ = ["main"]
