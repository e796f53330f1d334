"""Dagster's rules for an asset's tags, kinds and owners.

Responsibilities:
- ``check_tags``: tag keys and values are short labels (Dagster's strict rule):
  letters, digits, ``_``, ``-`` and ``.``, at most 63 characters, a key may have one
  namespace (``team/x``) and kinds live under ``dagster/kind/``.
- ``kind_tags`` / ``kinds_of``: a kind is stored as the tag ``dagster/kind/<kind>``
  with an empty value, as in Dagster, so selecting by tag finds kinds too; at most ten.
- ``check_owners``: an owner is an e-mail address or ``team:<name>``.
Each error uses Dagster's words, so code matching them keeps working.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from nbassets.errors import InvalidDefinitionError

__all__ = [
    "KIND_PREFIX",
    "TAG_KEY_RULE",
    "check_owners",
    "check_tags",
    "is_valid_owner",
    "is_valid_tag_key",
    "kind_tags",
    "kinds_of",
    "tags_without_kinds",
]

KIND_PREFIX = "dagster/kind/"
_SECTION = r"[A-Za-z0-9_.-]{1,63}"
_TAG_KEY = re.compile(rf"^({_SECTION}/|{KIND_PREFIX})?{_SECTION}$")
_TAG_VALUE = re.compile(r"^[A-Za-z0-9_.-]{0,63}$")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Z|a-z]{2,7}\b")
_KEY_RULE = (
    "Allowed characters: alpha-numeric, '_', '-', '.'. Tag keys can also contain a namespace "
    "section, separated by a '/'. Each section must have <= 63 characters."
)
# Jobs follow the same key and owner rules with their own words (definitions.job_labels).
TAG_KEY_RULE = _KEY_RULE


def is_valid_tag_key(key: str) -> bool:
    """Whether ``key`` follows Dagster's rule for a tag key."""
    return bool(_TAG_KEY.match(key))


def is_valid_owner(owner: Any) -> bool:
    """Whether ``owner`` is an e-mail address or ``team:<name>``."""
    if not isinstance(owner, str):
        return False
    return (owner.startswith("team:") and len(owner) > 5) or bool(_EMAIL.fullmatch(owner))


def check_tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """``tags`` as a dict of strings, if every key and value follows Dagster's rule.

    Raises:
        InvalidDefinitionError: a key or value has other characters, is too long, or a
            value is not a string.
    """
    checked: dict[str, str] = {}
    bad_keys = []
    for key, value in (tags or {}).items():
        if not isinstance(key, str):
            raise InvalidDefinitionError(f"Tag keys must be strings, got {key!r}.")
        if not _TAG_KEY.match(key):
            bad_keys.append(key)
        if not isinstance(value, str):
            raise InvalidDefinitionError(
                f"Tag values must be strings, got type {type(value)} at key {key}. Put "
                "structured values in metadata= instead."
            )
        if not _TAG_VALUE.match(value):
            raise InvalidDefinitionError(
                f"Invalid tag value: {value}, for key: {key}. Allowed characters: "
                "alpha-numeric, '_', '-', '.'. Must have <= 63 characters."
            )
        checked[key] = value
    if bad_keys:
        raise InvalidDefinitionError(f"Found invalid tag keys: {bad_keys[:5]}. {_KEY_RULE}")
    return checked


def kind_tags(kinds: Iterable[str] | None) -> dict[str, str]:
    """The tags that record ``kinds``: ``dagster/kind/<kind>`` with an empty value."""
    return {f"{KIND_PREFIX}{kind}": "" for kind in kinds or ()}


def kinds_of(tags: Mapping[str, str]) -> frozenset[str]:
    """The kinds recorded in ``tags``.

    Raises:
        InvalidDefinitionError: more than ten kinds (Dagster's limit).
    """
    kinds = frozenset(key[len(KIND_PREFIX) :] for key in tags if key.startswith(KIND_PREFIX))
    if len(kinds) > 10:
        raise InvalidDefinitionError(
            "Assets can have at most ten kinds currently. Keep the ten that describe the "
            f"asset best (got {len(kinds)}: {sorted(kinds)})."
        )
    return kinds


def tags_without_kinds(tags: Mapping[str, str]) -> dict[str, str]:
    """``tags`` less the ones that record kinds."""
    return {key: value for key, value in tags.items() if not key.startswith(KIND_PREFIX)}


def check_owners(owners: Iterable[str] | None, key: Any) -> list[str]:
    """``owners`` as a list, if each is an e-mail address or ``team:<name>``.

    Raises:
        InvalidDefinitionError: an owner is neither.
    """
    checked = list(owners or ())
    for owner in checked:
        is_team = isinstance(owner, str) and owner.startswith("team:") and len(owner) > 5
        if not is_team and not (isinstance(owner, str) and _EMAIL.fullmatch(owner)):
            raise InvalidDefinitionError(
                f"Invalid owner '{owner}' for asset '{key}'. Owner must be an email address or "
                "a team name prefixed with 'team:'."
            )
    return checked
