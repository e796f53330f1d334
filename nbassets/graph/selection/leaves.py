"""The leaves of a selection tree: selections that name assets directly.

Responsibilities:
- One frozen dataclass per way of naming assets: every asset, one key, a key
  pattern, a key prefix, a group, a tag, a kind, an owner, a status.
- Resolve each against a graph, raising a "did you mean" error when the name
  matches nothing (Dagster silently selects nothing; a typo deserves better).
- Spell each in the query grammar.

``source`` is the selection text a leaf was parsed from, used only in error
messages; it takes no part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbassets.definitions.keys import AssetKey
from nbassets.errors import SelectionError, did_you_mean
from nbassets.graph.asset_graph import AssetGraph
from nbassets.graph.selection.base import TRAVERSAL, AssetSelection
from nbassets.graph.selection.index import (
    STATUSES,
    graph_index,
    in_selection,
    materializable_keys,
    quote_value,
    unknown_value,
    wildcard_regex,
)

__all__ = [
    "AllSelection",
    "GroupSelection",
    "KeyPrefixSelection",
    "KeySubstringSelection",
    "KeyPatternSelection",
    "KeySelection",
    "KindSelection",
    "OwnerSelection",
    "StatusSelection",
    "TagSelection",
    "status_error",
]


def _source() -> str:
    return field(default="", compare=False, repr=False)


def _selectable(
    graph: AssetGraph, keys: tuple[AssetKey, ...], include_sources: bool
) -> set[AssetKey]:
    if include_sources:
        return set(keys)
    externals = graph_index(graph).externals
    return {key for key in keys if key not in externals} if externals else set(keys)


@dataclass(frozen=True, slots=True)
class AllSelection(AssetSelection):
    """Every materializable asset, and every external one with ``include_sources``."""

    include_sources: bool = False

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        return set(graph.keys) if self.include_sources else set(materializable_keys(graph))

    def precedence(self) -> int:
        # `*` may stand where a traversal may (`not *`), but may not be traversed itself.
        return TRAVERSAL

    def to_selection_str(self) -> str:
        if self.include_sources:
            raise SelectionError(
                "AssetSelection.all(include_sources=True) has no selection-string spelling; "
                "use AssetSelection.all() or name the external assets by key."
            )
        return "*"


@dataclass(frozen=True, slots=True)
class KeySelection(AssetSelection):
    """The one asset with ``key``, external or not."""

    key: AssetKey
    source: str = _source()

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        if self.key not in graph:
            raise graph.unknown(self.key, context=in_selection(self.source))
        return {self.key}

    def to_selection_str(self) -> str:
        return f"key:{quote_value(self.key.to_user_string())}"


@dataclass(frozen=True, slots=True)
class KeyPatternSelection(AssetSelection):
    """Materializable assets whose ``a/b`` spelling matches ``pattern``; ``*`` matches any run."""

    pattern: str
    source: str = _source()

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        regex = wildcard_regex(self.pattern)
        index = graph_index(graph)
        externals = index.externals
        found = {
            key
            for key, spelled in index.spellings
            if key not in externals and regex.fullmatch(spelled)
        }
        if not found:
            names = [spelled for key, spelled in index.spellings if key not in externals]
            hint = did_you_mean(self.pattern.replace("*", ""), names)
            where = f" in {in_selection(self.source)}" if self.source else ""
            raise SelectionError(
                f"No asset key matches '{self.pattern}'{where}.{hint or ' Check the spelling.'}"
            )
        return found

    def to_selection_str(self) -> str:
        return f"key:{quote_value(self.pattern)}"


@dataclass(frozen=True, slots=True)
class KeySubstringSelection(AssetSelection):
    """Assets whose ``a/b`` spelling contains ``substring``.

    Keys of external assets count only with ``include_sources``; a substring no key
    contains at all is an error (a typo), one only external keys contain selects
    nothing.
    """

    substring: str
    include_sources: bool = False
    source: str = _source()

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        index = graph_index(graph)
        found = tuple(key for key, spelled in index.spellings if self.substring in spelled)
        if not found:
            names = [spelled for key, spelled in index.spellings if key not in index.externals]
            where = f" in {in_selection(self.source)}" if self.source else ""
            hint = did_you_mean(self.substring, names) or " Check the spelling."
            raise SelectionError(f"No asset key contains '{self.substring}'{where}.{hint}")
        return _selectable(graph, found, self.include_sources)

    def to_selection_str(self) -> str:
        if self.include_sources:
            raise SelectionError(
                "AssetSelection.key_substring(..., include_sources=True) has no "
                "selection-string spelling."
            )
        return f"key_substring:{quote_value(self.substring)}"


@dataclass(frozen=True, slots=True)
class KeyPrefixSelection(AssetSelection):
    """Assets whose key path starts with ``prefix`` (the key itself included)."""

    prefix: tuple[str, ...]
    include_sources: bool = False
    source: str = _source()

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        size = len(self.prefix)
        found = tuple(key for key in graph.keys if key.parts[:size] == self.prefix)
        selected = _selectable(graph, found, self.include_sources)
        if not selected:
            prefixes = {"/".join(key.parts[:size]) for key in materializable_keys(graph)}
            raise unknown_value(
                "key prefix", "/".join(self.prefix), prefixes, self.source, plural="key prefixes"
            )
        return selected

    def to_selection_str(self) -> str:
        if self.include_sources:
            raise SelectionError(
                "AssetSelection.key_prefixes(..., include_sources=True) has no "
                "selection-string spelling."
            )
        return f"key_prefix:{quote_value('/'.join(self.prefix))}"


@dataclass(frozen=True, slots=True)
class GroupSelection(AssetSelection):
    """Assets in the group ``name``."""

    name: str
    include_sources: bool = False
    source: str = _source()

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        groups = graph_index(graph).groups
        if "*" in self.name:
            # A wildcard names every group it matches, as in Dagster (group:"sales*").
            regex = wildcard_regex(self.name)
            matched = [name for name in groups if regex.fullmatch(name)]
            if not matched:
                raise unknown_value("group", self.name, groups, self.source)
            members = tuple(key for name in matched for key in groups[name])
            return _selectable(graph, members, self.include_sources)
        if self.name not in groups:
            raise unknown_value("group", self.name, groups, self.source)
        return _selectable(graph, groups[self.name], self.include_sources)

    def to_selection_str(self) -> str:
        if self.include_sources:
            raise SelectionError(
                "AssetSelection.groups(..., include_sources=True) has no selection-string spelling."
            )
        return f"group:{quote_value(self.name)}"


@dataclass(frozen=True, slots=True)
class TagSelection(AssetSelection):
    """Assets with tag ``key`` equal to ``value``, or set to anything when ``value`` is None."""

    key: str
    value: str | None = None
    include_sources: bool = False
    source: str = _source()

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        tags = graph_index(graph).tags
        if self.key not in tags:
            raise unknown_value("tag", self.key, tags, self.source)
        by_value = tags[self.key]
        if self.value is None:
            keys = tuple(key for keys in by_value.values() for key in keys)
        elif self.value in by_value:
            keys = by_value[self.value]
        else:
            raise unknown_value(
                "value",
                self.value,
                by_value,
                self.source,
                plural=f"values of tag '{self.key}'",
                suffix=f" for tag '{self.key}'",
            )
        return _selectable(graph, keys, self.include_sources)

    def to_selection_str(self) -> str:
        if self.include_sources:
            raise SelectionError(
                "AssetSelection.tag(..., include_sources=True) has no selection-string spelling."
            )
        spelled = f"tag:{quote_value(self.key)}"
        # `tag:"k"` alone means any value; an empty value is spelled `tag:"k"=""`.
        return spelled if self.value is None else f"{spelled}={quote_value(self.value)}"


@dataclass(frozen=True, slots=True)
class KindSelection(AssetSelection):
    """Assets of kind ``name``; with ``name=None``, the assets that have no kind."""

    name: str | None
    include_sources: bool = False
    source: str = _source()

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        kinds = graph_index(graph).kinds
        if self.name is None:
            kinded = {key for keys in kinds.values() for key in keys}
            unkinded = tuple(key for key in graph.keys if key not in kinded)
            return _selectable(graph, unkinded, self.include_sources)
        if self.name not in kinds:
            raise unknown_value("kind", self.name, kinds, self.source)
        return _selectable(graph, kinds[self.name], self.include_sources)

    def to_selection_str(self) -> str:
        if self.name is None or self.include_sources:
            raise SelectionError(
                "AssetSelection.kind(None) and kind(..., include_sources=True) have no "
                "selection-string spelling."
            )
        return f"kind:{quote_value(self.name)}"


@dataclass(frozen=True, slots=True)
class OwnerSelection(AssetSelection):
    """Assets owned by ``name``."""

    name: str
    source: str = _source()

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        owners = graph_index(graph).owners
        if self.name not in owners:
            raise unknown_value("owner", self.name, owners, self.source)
        return _selectable(graph, owners[self.name], False)

    def to_selection_str(self) -> str:
        return f"owner:{quote_value(self.name)}"


def status_error(status: str, source: str = "") -> SelectionError:
    """Build the error for a status nbassets does not know, listing the ones it does."""
    where = f" in {in_selection(source)}" if source else ""
    return SelectionError(
        f"Unknown status '{status}'{where}. Valid statuses: {', '.join(STATUSES)}."
        + did_you_mean(status, STATUSES)
    )


@dataclass(frozen=True, slots=True)
class StatusSelection(AssetSelection):
    """Materializable assets whose current status is ``value`` (an nbassets extension)."""

    value: str
    source: str = _source()

    def __post_init__(self) -> None:
        if self.value not in STATUSES:
            raise status_error(self.value, self.source)

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        status = graph.status
        return {key for key in materializable_keys(graph) if status(key) == self.value}

    def to_selection_str(self) -> str:
        return f"status:{self.value}"
