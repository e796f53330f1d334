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
    if not isinstance(name, str) or not _GROUP.fullmatch(name):
        suggestion = re.sub(r"[^A-Za-z0-9_/]+", "_", str(name)).strip("_/") or "my_group"
        raise InvalidDefinitionError(
            f"Group name {name!r} is not valid: use letters, digits and underscores, with '/' "
            f"between segments (as Dagster requires), e.g. {suggestion!r}."
        )
    return name
