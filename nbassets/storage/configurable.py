"""``ConfigurableIOManager``: an IO manager with pydantic fields.

It lives in storage, beside ``IOManager``, so that definitions never import
storage; it loads pydantic (through ``ConfigurableResource``) only when used.
"""

from __future__ import annotations

from nbassets.definitions.config import ConfigurableResource
from nbassets.storage.io_manager import IOManager

__all__ = ["ConfigurableIOManager"]


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager with pydantic fields, configured like a resource."""
