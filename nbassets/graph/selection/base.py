"""``AssetSelection``: a query over the asset graph, kept as data.

Responsibilities:
- ``AssetSelection``, with Dagster's constructors (``all``, ``assets``, ``keys``,
  ``groups``, ``key_prefixes``, ``tag``) plus nbassets' ``kind``, ``owner`` and
  ``status``; its methods (``upstream``, ``downstream``, ``roots``, ``sinks``, ...)
  and the ``|``, ``&``, ``-`` operators.
- ``coerce_selection``: everything ``materialize(selection=...)`` accepts, and
  ``resolve_selection``: the one way a run's selection becomes keys.

A selection is an immutable tree of small frozen dataclasses, all subclasses of
``AssetSelection``: leaves in ``leaves``, operators in ``ops``, check selections
in ``checks``. Each node resolves itself against an ``AssetGraph`` and spells
itself in the query grammar, and nodes compare by value, so
``AssetSelection.from_string(s.to_selection_str()) == s``. Those modules build
on this one, so they are imported at the end of it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nbassets.definitions.keys import AssetKey
from nbassets.definitions.specs import AssetCheckKey
from nbassets.errors import SelectionError
from nbassets.graph.asset_graph import AssetGraph

__all__ = ["AssetSelection", "coerce_selection", "resolve_selection"]

# Binding strength of each form when spelled, loosest first; an operand that binds
# more loosely than its place needs is wrapped in parentheses.
OR, AND, NOT, TRAVERSAL, ATOM = 1, 2, 3, 4, 5

ChecksByAsset = Mapping[AssetKey, Sequence[AssetCheckKey]]


class AssetSelection:
    """A query over a set of assets; resolve it against a graph to get keys.

    Build one with the static constructors and combine with ``|`` (union),
    ``&`` (intersection) and ``-`` (difference), or parse a string in either of
    Dagster's selection grammars with ``AssetSelection.from_string``::

        AssetSelection.groups("sales") - AssetSelection.assets("orders")
        AssetSelection.assets("orders").downstream(depth=1)
        AssetSelection.from_string("key:orders+ or group:marketing")

    External assets (specs and keys nothing defines) are left out of ``all()``
    and of group, tag, kind, owner, status and wildcard selections, as Dagster
    leaves out source assets; naming one by key selects it.
    """

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("resolve")
        if own is not None and not getattr(own, "accepts_definitions", False):
            cls.resolve = _accepting_definitions(own)  # type: ignore[method-assign]

    def resolve(self, graph: AssetGraph) -> set[AssetKey]:
        """The keys of ``graph`` this selection names.

        Raises:
            UnknownAssetError: a key the selection names is not in the graph.
            SelectionError: a group, tag, kind, owner or pattern matches no asset.
        """
        raise NotImplementedError

    def resolve_checks(self, graph: AssetGraph, checks: ChecksByAsset) -> set[AssetCheckKey]:
        """The asset checks this selection runs: by default, those of its assets.

        ``checks`` maps each asset key to the keys of the checks that target it.
        """
        return {check for key in self.resolve(graph) for check in checks.get(key, ())}

    def to_selection_str(self) -> str:
        """This selection in the query grammar, e.g. ``key:orders+1 or group:sales``.

        Raises:
            SelectionError: the selection has no spelling in the grammar
                (a traversal with ``include_self=False``).
        """
        raise NotImplementedError

    def precedence(self) -> int:
        """How tightly the spelled form binds (see ``OR`` ... ``ATOM``)."""
        return ATOM

    def needs_parentheses(self) -> bool:
        """Whether Dagster spells this node in parentheses as an operand (``and``/``or``)."""
        return False

    def operand_str(self, minimum: int) -> str:
        """Spell this node as an operand of a form that needs ``minimum`` binding.

        As Dagster does, every ``and``/``or``/``and not`` operand is parenthesized,
        even where precedence would not need it: ``a or (b and c)``.
        """
        text = self.to_selection_str()
        return f"({text})" if self.needs_parentheses() or self.precedence() < minimum else text

    @staticmethod
    def all(include_sources: bool = False) -> AssetSelection:
        """Every materializable asset (and external ones with ``include_sources=True``)."""
        return AllSelection(include_sources)

    @staticmethod
    def assets(*assets_defs: Any) -> AssetSelection:
        """The given assets.

        Each argument is a name (``"orders"``, ``"sales/orders"``), a key path
        (``["sales", "orders"]``), an ``AssetKey``, or a definition (every key it
        produces).
        """
        return union((KeySelection(key) for key in keys_of(assets_defs)), grouped=True)

    @staticmethod
    def keys(*assets_defs: Any) -> AssetSelection:
        """Dagster's older name for ``AssetSelection.assets``."""
        return AssetSelection.assets(*assets_defs)

    @staticmethod
    def groups(*group_strs: str, include_sources: bool = False) -> AssetSelection:
        """Assets in any of the given groups."""
        return union((GroupSelection(name, include_sources) for name in group_strs), grouped=True)

    @staticmethod
    def key_prefixes(
        *key_prefixes: str | Iterable[str], include_sources: bool = False
    ) -> AssetSelection:
        """Assets whose key starts with any of the given prefixes, part by part.

        ``"a"`` matches ``a`` and ``a/b/c`` but not ``abc``; ``["a", "b"]`` (or
        ``"a/b"``) matches ``a/b`` and everything under it.
        """
        return union(
            KeyPrefixSelection(
                tuple(prefix.split("/")) if isinstance(prefix, str) else tuple(prefix),
                include_sources,
            )
            for prefix in key_prefixes
        )

    @staticmethod
    def tag(key: str, value: str | None = None, include_sources: bool = False) -> AssetSelection:
        """Assets with tag ``key`` set to ``value`` (to any value when ``value`` is ``None``)."""
        return TagSelection(key, value, include_sources)

    @staticmethod
    def kind(kind: str | None, include_sources: bool = False) -> AssetSelection:
        """Assets of the given kind (``"pandas"``); ``None`` selects those with no kind."""
        return KindSelection(kind, include_sources)

    @staticmethod
    def key_substring(key_substring: str, include_sources: bool = False) -> AssetSelection:
        """Assets whose key, spelled ``a/b``, contains ``key_substring``.

        Raises (on resolve):
            SelectionError: no asset key contains it.
        """
        return KeySubstringSelection(key_substring, include_sources)

    @staticmethod
    def tag_string(string: str, include_sources: bool = False) -> AssetSelection:
        """Assets with the tag ``"key=value"``; ``"key"`` alone means the value ``""``.

        Raises:
            SelectionError: the string has more than one ``=``.
        """
        parts = string.split("=")
        if len(parts) > 2:
            raise SelectionError(
                f"Invalid tag selection string {string!r}: write 'key' or 'key=value', "
                "with at most one '='."
            )
        value = parts[1] if len(parts) == 2 else ""
        return TagSelection(parts[0], value, include_sources)

    @staticmethod
    def owner(owner: str) -> AssetSelection:
        """Assets with the given owner."""
        return OwnerSelection(owner)

    @staticmethod
    def status(status: str) -> AssetSelection:
        """Assets whose status is ``status``: ``"missing"``, ``"stale"``, ``"failed"``, ...

        Raises:
            SelectionError: ``status`` is not a status nbassets knows.
        """
        return StatusSelection(status)

    @staticmethod
    def from_string(text: str) -> AssetSelection:
        """Parse a selection string in either grammar (see ``nbassets.graph.selection.parser``).

        Raises:
            SelectionSyntaxError: the text follows neither grammar.
        """
        return parse_selection(text)

    @staticmethod
    def from_coercible(value: Any) -> AssetSelection:
        """Same as ``coerce_selection``."""
        return coerce_selection(value)

    def upstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """This selection's assets and their ancestors, up to ``depth`` hops."""
        return UpstreamSelection(self, depth, include_self)

    def downstream(self, depth: int | None = None, include_self: bool = True) -> AssetSelection:
        """This selection's assets and their descendants, up to ``depth`` hops."""
        return DownstreamSelection(self, depth, include_self)

    def roots(self) -> AssetSelection:
        """The selected assets with no parent inside the selection."""
        return RootsSelection(self)

    def sources(self) -> AssetSelection:
        """Dagster's older name for ``roots`` (deprecated there, and so here)."""
        warnings.warn(
            "AssetSelection.sources() is deprecated; use AssetSelection.roots() instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.roots()

    def upstream_source_assets(self) -> AssetSelection:
        """The external (source) assets upstream of this selection's assets."""
        return UpstreamSourcesSelection(self)

    def sinks(self) -> AssetSelection:
        """The selected assets with no child inside the selection."""
        return SinksSelection(self)

    def materializable(self) -> AssetSelection:
        """This selection without external assets."""
        return self & AssetSelection.all()

    def required_multi_asset_neighbors(self) -> AssetSelection:
        """This selection plus every asset a selected non-subsettable multi-asset also makes."""
        return RequiredNeighborsSelection(self)

    def without_checks(self) -> AssetSelection:
        """This selection's assets, with none of their checks."""
        return WithoutChecksSelection(self)

    @staticmethod
    def all_asset_checks() -> AssetSelection:
        """Every asset check (and no asset)."""
        return AllChecksSelection()

    @staticmethod
    def checks_for_assets(*assets_defs: Any) -> AssetSelection:
        """The checks that target the given assets (and not the assets)."""
        return ChecksForAssetsSelection(tuple(keys_of(assets_defs)))

    @staticmethod
    def checks(*checks: Any) -> AssetSelection:
        """The given checks: check definitions or ``AssetCheckKey``s."""
        return ChecksSelection(tuple(check_keys_of(checks)))

    def __or__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return union((self, other))

    def __and__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return intersect(self, other)

    def __sub__(self, other: AssetSelection) -> AssetSelection:
        if not isinstance(other, AssetSelection):
            return NotImplemented
        return DifferenceSelection(self, other)

    def __str__(self) -> str:
        try:
            return self.to_selection_str()
        except SelectionError:
            return repr(self)


def keys_of(items: Iterable[Any]) -> list[AssetKey]:
    """Keys named by ``AssetSelection.assets`` arguments, in order, without repeats.

    Raises:
        SelectionError: an item is none of the accepted spellings.
    """
    found: dict[AssetKey, None] = {}
    for item in items:
        if isinstance(item, AssetKey):
            found[item] = None
        elif isinstance(item, str):
            found[AssetKey.from_user_string(item)] = None
        elif (many := definition_keys(item)) is not None:
            found.update(dict.fromkeys(many))
        elif isinstance(getattr(item, "key", None), AssetKey):
            found[item.key] = None
        elif isinstance(item, (list, tuple)) and item and all(isinstance(p, str) for p in item):
            # Dagster reads a sequence of strings as one key's path.
            found[AssetKey(list(item))] = None
        else:
            raise SelectionError(
                f"Cannot select {item!r}: pass an asset name such as 'orders' or "
                "'sales/orders', an AssetKey, or an asset definition."
            )
    return list(found)


def definition_keys(value: Any) -> list[AssetKey] | None:
    """The keys of an object whose ``.keys`` is a collection of ``AssetKey`` (a definition)."""
    keys = getattr(value, "keys", None)
    if callable(keys) or not isinstance(keys, Iterable) or isinstance(keys, (str, Mapping)):
        return None
    listed = list(keys)
    if not listed or not all(isinstance(key, AssetKey) for key in listed):
        return None
    # A set has no order; sort so one definition always gives the same tree.
    return sorted(listed) if isinstance(keys, (set, frozenset)) else listed


def coerce_selection(value: Any) -> AssetSelection:
    """Turn anything ``materialize(selection=...)`` accepts into an ``AssetSelection``.

    Accepted: an ``AssetSelection``; a string in either grammar; an ``AssetKey``
    or a definition; or a sequence of any of these, which selects their union
    (each string parsed on its own, so ``["b+", "e"]`` is ``b+`` or ``e``).

    Raises:
        SelectionError: the value, or an item of it, is none of the above.
        SelectionSyntaxError: a string does not parse.
    """
    if isinstance(value, AssetSelection):
        return value
    if isinstance(value, str):
        return AssetSelection.from_string(value)
    if isinstance(value, AssetKey) or definition_keys(value) is not None:
        return AssetSelection.assets(value)
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        parts: list[AssetSelection] = []
        for item in value:
            if isinstance(item, AssetSelection):
                parts.append(item)
            elif isinstance(item, str):
                parts.append(AssetSelection.from_string(item))
            else:
                parts.append(AssetSelection.assets(item))
        return union(parts)
    raise SelectionError(
        f"Cannot use {value!r} as a selection: pass a selection string such as "
        "'orders+' or 'group:sales', a list of them, asset keys or definitions, "
        "or an AssetSelection."
    )


def resolve_selection(value: Any, graph: AssetGraph) -> set[AssetKey]:
    """The keys ``value`` names in ``graph``: the one way a run's selection is resolved.

    ``None`` selects every materializable (non-external) asset; a collection of
    ``AssetKey``s or definitions is taken as is (each must be in ``graph``);
    anything else is coerced with ``coerce_selection`` and resolved.

    Raises:
        UnknownAssetError: a key or name is not in ``graph``.
        SelectionError: ``value`` is not a selection.
    """
    if value is None:
        return {k for k in graph.keys if not graph.node(k).is_external}
    # Plain key lists (the notebook's "this and its stale upstreams") skip the tree.
    if isinstance(value, (list, tuple, set, frozenset)):
        keys = _plain_keys(value)
        if keys is not None:
            for key in keys:
                if key not in graph:
                    raise graph.unknown(key, context="the selection")
            return keys
    return coerce_selection(value).resolve(graph)


def _plain_keys(items: Iterable[Any]) -> set[AssetKey] | None:
    keys: set[AssetKey] = set()
    for item in items:
        if isinstance(item, AssetKey):
            keys.add(item)
            continue
        of_definition = None if isinstance(item, AssetSelection) else definition_keys(item)
        if of_definition is None:
            return None
        keys.update(of_definition)
    return keys


def _accepting_definitions(resolve: Any) -> Any:
    """Wrap ``resolve`` so that, as in Dagster, it also takes a list of definitions."""
    import functools

    @functools.wraps(resolve)
    def wrapper(self: AssetSelection, graph: Any, *args: Any, **kwargs: Any) -> set[AssetKey]:
        if not isinstance(graph, AssetGraph):
            graph = graph_of_definitions(graph)
        return resolve(self, graph, *args, **kwargs)  # type: ignore[no-any-return]

    wrapper.accepts_definitions = True  # type: ignore[attr-defined]
    return wrapper


def graph_of_definitions(definitions: Iterable[Any]) -> AssetGraph:
    """The graph of a list of asset definitions and specs (checks are skipped).

    Raises:
        SelectionError: ``definitions`` holds something that is not a definition.
    """
    from nbassets.graph.registry import nodes_of

    nodes = []
    for definition in definitions:
        if getattr(definition, "check_key", None) is not None:
            continue
        if not hasattr(definition, "keys"):
            raise SelectionError(
                f"resolve() takes an asset graph or a list of asset definitions, got "
                f"{definition!r} in the list."
            )
        nodes.extend(nodes_of(definition))
    return AssetGraph(nodes)


# The node classes subclass AssetSelection, so they load once it exists; the
# constructors and operators above find them here when called.
from nbassets.graph.selection.checks import (  # noqa: E402
    AllChecksSelection,
    ChecksForAssetsSelection,
    ChecksSelection,
    WithoutChecksSelection,
    check_keys_of,
)
from nbassets.graph.selection.leaves import (  # noqa: E402
    AllSelection,
    GroupSelection,
    KeyPrefixSelection,
    KeySelection,
    KeySubstringSelection,
    KindSelection,
    OwnerSelection,
    StatusSelection,
    TagSelection,
)
from nbassets.graph.selection.ops import (  # noqa: E402
    DifferenceSelection,
    DownstreamSelection,
    RequiredNeighborsSelection,
    RootsSelection,
    SinksSelection,
    UpstreamSelection,
    UpstreamSourcesSelection,
    intersect,
    union,
)
from nbassets.graph.selection.parser import parse_selection  # noqa: E402
