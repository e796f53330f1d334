"""The one rule for asset group names, shared by ``@asset``, specs and ``%%asset --group``.

Responsibilities:
- ``check_group_name``: Dagster's rule (1.13): one or more segments of letters,
  digits and underscores, separated by ``/`` (``marketing``, ``marketing/emails``);
  never empty. The message shows the value and a valid spelling.
"""

from __future__ import annotations

import re

from nbassets.errors import InvalidDefinitionError

__all__ = ["check_group_name"]

_SEGMENT = r"[A-Za-z0-9_]+"
_GROUP = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")


def check_group_name(name: str) -> str:
    """Return ``name`` if it is a valid group name.

    Raises:
        InvalidDefinitionError: ``name`` is empty or has other characters.
    """
    if name == "":
        raise InvalidDefinitionError(
            "Empty asset group name was provided, which is not permitted. Set group_name=None "
            "to use the default group_name or set non-empty string"
        )
    if not isinstance(name, str) or not _GROUP.fullmatch(name):
        suggestion = re.sub(r"[^A-Za-z0-9_/]+", "_", str(name)).strip("_/") or "my_group"
        raise InvalidDefinitionError(
            f"{name!r} is not a valid asset group name. Group names must be one or more "
            "segments of letters, digits and underscores separated by '/' (e.g. 'marketing' "
            f"or 'marketing/foo/bar'); try {suggestion!r}."
        )
    return name
