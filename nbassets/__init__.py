"""nbassets: Dagster's software-defined assets, at home in a Jupyter notebook."""

from __future__ import annotations

__version__ = "0.1.0"
