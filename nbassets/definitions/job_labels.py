"""Dagster's rules for a job's tags and owners.

Responsibilities:
- ``job_tags``: a job's tags as strings. Jobs keep Dagster's older, lenient rule:
  a value that is not a string is stored as its JSON text (refused when JSON
  cannot round-trip it); a key outside the short-label rule warns (deprecated)
  rather than fails.
- ``check_job_owners``: each owner is an e-mail address or ``team:<name>``.
The rules are the assets' (``definitions.labels``); each message uses Dagster's words
for a job, so code matching them keeps working.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from nbassets.definitions.labels import TAG_KEY_RULE, is_valid_owner, is_valid_tag_key
from nbassets.errors import InvalidDefinitionError

__all__ = ["check_job_owners", "job_tags"]

_PACKAGE = str(Path(__file__).resolve().parent.parent)


def job_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """``tags`` with every value a string; warns about keys Dagster deprecates.

    Raises:
        InvalidDefinitionError: a key is not a string, or a value does not survive a
            JSON round trip.
    """
    normalized: dict[str, str] = {}
    bad_keys: list[str] = []
    for key, value in (tags or {}).items():
        if not isinstance(key, str):
            raise InvalidDefinitionError("Tag keys must be strings")
        if not is_valid_tag_key(key):
            bad_keys.append(key)
        normalized[key] = value if isinstance(value, str) else _json_text(key, value)
    if bad_keys:
        warnings.warn(
            f"Non-compliant tag keys like {bad_keys[:5]} are deprecated. {TAG_KEY_RULE}",
            DeprecationWarning,
            stacklevel=_caller_stacklevel(),
        )
    return normalized


def _json_text(key: str, value: Any) -> str:
    try:
        text = json.dumps(value)
    except TypeError:
        text = None
    if text is None or json.loads(text) != value:
        raise InvalidDefinitionError(
            f'Invalid value for tag "{key}": {value!r} is not equal to itself after a JSON round '
            "trip. Tag values must be strings or meet the constraint that "
            "json.loads(json.dumps(value)) == value."
        )
    return text


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside nbassets."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def check_job_owners(owners: Iterable[str] | None, name: str) -> list[str]:
    """``owners`` as a list, if each is an e-mail address or ``team:<name>``.

    Raises:
        InvalidDefinitionError: an owner is neither (Dagster's words).
    """
    checked = list(owners or ())
    for owner in checked:
        if is_valid_owner(owner):
            continue
        if owner.startswith("team:"):
            raise InvalidDefinitionError(
                f"Invalid owner '{owner}' for job '{name}'. Team name cannot be empty after "
                "'team:' prefix."
            )
        raise InvalidDefinitionError(
            f"Invalid owner '{owner}' for job '{name}'. Owner must be an email address or a team "
            "name prefixed with 'team:'."
        )
    return checked
