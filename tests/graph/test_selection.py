from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from nbassets.definitions.keys import AssetKey
from nbassets.errors import SelectionError, SelectionSyntaxError, UnknownAssetError
from nbassets.graph.asset_graph import AssetGraph, AssetNode
from nbassets.graph.selection import AssetSelection, coerce_selection, resolve_selection

K = AssetKey


def names(keys: set[AssetKey]) -> str:
    return " ".join(sorted(key.to_user_string() for key in keys)) or "none"


# The graph of DESIGN section 4:
#
#   a --> b --> c
#   |           ^
#   +--> d      e
#
# group g = {a, b}; tag k=v on a and d.
DESIGN_GRAPH = AssetGraph(
    [
        AssetNode(K("a"), group_name="g", tags={"k": "v"}),
        AssetNode(K("b"), (K("a"),), group_name="g"),
        AssetNode(K("c"), (K("b"), K("e"))),
        AssetNode(K("d"), (K("a"),), tags={"k": "v"}),
        AssetNode(K("e")),
    ]
)

# DESIGN section 4, verbatim (Dagster 1.13's answers on DESIGN_GRAPH):
#
#   | selection | assets | selection | assets |
#   | --- | --- | --- | --- |
#   | `b+` | b c | `+key:c` (bare `+` = any depth here) | a b c e |
#   | `+b` | a b | `1+key:c` | b c e |
#   | `+c` (one hop) | b c e | `key:a+` | a b c d |
#   | `a+` | a b d | `key:a+1` | a b d |
#   | `*c`, `++c` | a b c e | `group:g` | a b |
#   | `a*`, `a++` | a b c d | `tag:k=v` | a d |
#   | `+b+` | a b c | `key:a or key:e` / `key:a and key:e` | a e / none |
#   | `b*+` | syntax error | `not key:a` | b c d e |
#   | `["b+", "e"]` | b c e | `sinks(*)` / `roots(*)` | c d / a e |
#   | `key:a*` | keys starting with a | `sinks(group:g)` / `roots(+key:c)` | b / a e |
DESIGN_TABLE = [
    ("b+", "b c"),
    ("+b", "a b"),
    ("+c", "b c e"),
    ("a+", "a b d"),
    ("*c", "a b c e"),
    ("++c", "a b c e"),
    ("a*", "a b c d"),
    ("a++", "a b c d"),
    ("+b+", "a b c"),
    (["b+", "e"], "b c e"),
    ("key:a*", "a"),
    ("+key:c", "a b c e"),
    ("1+key:c", "b c e"),
    ("key:a+", "a b c d"),
    ("key:a+1", "a b d"),
    ("group:g", "a b"),
    ("tag:k=v", "a d"),
    ("key:a or key:e", "a e"),
    ("key:a and key:e", "none"),
    ("not key:a", "b c d e"),
    ("sinks(*)", "c d"),
    ("roots(*)", "a e"),
    ("sinks(group:g)", "b"),
    ("roots(+key:c)", "a e"),
]


@pytest.mark.parametrize(("selection", "expected"), DESIGN_TABLE, ids=str)
def test_design_table(selection: str | list[str], expected: str) -> None:
    assert names(resolve_selection(selection, DESIGN_GRAPH)) == expected


def test_design_table_syntax_error() -> None:
    with pytest.raises(SelectionSyntaxError, match=r"unexpected '\+' at position 3"):
        AssetSelection.from_string("b*+")


def test_key_wildcard_selects_keys_starting_with_the_prefix() -> None:
    # a --> apple     sales/a     banana
    graph = AssetGraph(
        [
            AssetNode(K("a")),
            AssetNode(K("apple"), (K("a"),)),
            AssetNode(K(["sales", "a"])),
            AssetNode(K("banana")),
        ]
    )
    assert names(resolve_selection("key:a*", graph)) == "a apple"
    assert names(resolve_selection("key:sales/*", graph)) == "sales/a"
    assert names(resolve_selection("key:*a", graph)) == "a banana sales/a"


# Built with the Python API, on DESIGN_GRAPH (a --> b --> c, a --> d, e --> c).
API_CASES = [
    (AssetSelection.all(), "a b c d e"),
    (AssetSelection.assets("a", "e"), "a e"),
    (AssetSelection.keys(K("b")), "b"),
    (AssetSelection.groups("g"), "a b"),
    (AssetSelection.groups("g", "default"), "a b c d e"),
    (AssetSelection.tag("k", "v"), "a d"),
    (AssetSelection.tag("k"), "a d"),
    (AssetSelection.assets("a").downstream(), "a b c d"),
    (AssetSelection.assets("a").downstream(depth=1), "a b d"),
    (AssetSelection.assets("a").downstream(depth=0), "a"),
    (AssetSelection.assets("a").downstream(include_self=False), "b c d"),
    (AssetSelection.assets("c").upstream(depth=1, include_self=False), "b e"),
    # Dagster 1.13: every start is removed, even b, which a reaches.
    (AssetSelection.assets("a", "b").downstream(depth=1, include_self=False), "c d"),
    (AssetSelection.assets("b", "c").upstream(include_self=False), "a e"),
    # Roots and sinks look at all ancestors / descendants (a --> b --> c), as Dagster does.
    (AssetSelection.assets("a", "c").roots(), "a"),
    (AssetSelection.assets("a", "c").sinks(), "c"),
    (AssetSelection.assets("a", "c", "e").roots(), "a e"),
    (AssetSelection.assets("c").upstream(), "a b c e"),
    (AssetSelection.all().roots(), "a e"),
    (AssetSelection.all().sinks(), "c d"),
    (AssetSelection.groups("g").sinks(), "b"),
    (AssetSelection.all() - AssetSelection.groups("g"), "c d e"),
    (AssetSelection.groups("g") & AssetSelection.tag("k", "v"), "a"),
    (AssetSelection.groups("g") | AssetSelection.assets("e"), "a b e"),
    (AssetSelection.groups("g") & AssetSelection.assets("a").downstream(), "a b"),
    (AssetSelection.assets("b").required_multi_asset_neighbors(), "b"),
    (AssetSelection.assets("b").materializable(), "b"),
    (AssetSelection.assets(), "none"),
]


@pytest.mark.parametrize(("selection", "expected"), API_CASES, ids=str)
def test_python_api(selection: AssetSelection, expected: str) -> None:
    assert names(selection.resolve(DESIGN_GRAPH)) == expected


def test_operators_build_the_same_tree_as_the_string() -> None:
    built = (AssetSelection.assets("a").downstream(1) | AssetSelection.groups("g")) - (
        AssetSelection.tag("k", "v")
    )
    assert built == AssetSelection.from_string("(key:a+1 or group:g) and not tag:k=v")
    assert AssetSelection.assets("a", "b") == AssetSelection.assets("a") | AssetSelection.keys("b")


# Attributes: kinds, owners and statuses.
#   raw --> clean --> model      (clean: kind pandas, owner ana@x.org; model: kind sklearn)
ATTRIBUTE_GRAPH = AssetGraph(
    [
        AssetNode(K("raw"), kinds=frozenset({"csv"})),
        AssetNode(K("clean"), (K("raw"),), kinds=frozenset({"pandas"}), owners=("ana@x.org",)),
        AssetNode(K("model"), (K("clean"),), kinds=frozenset({"sklearn", "pandas"})),
    ],
    status_provider=lambda key: {"raw": "materialized", "clean": "stale"}.get(
        key.to_user_string(), "missing"
    ),
)


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("kind:pandas", "clean model"),
        ("owner:ana@x.org", "clean"),
        ('owner:"ana@x.org"', "clean"),
        ("status:stale", "clean"),
        ("status:missing", "model"),
        ("status:materialized+1", "clean raw"),
        ("status:failed", "none"),
        ("kind:pandas and not status:stale", "model"),
    ],
)
def test_attributes(selection: str, expected: str) -> None:
    assert names(resolve_selection(selection, ATTRIBUTE_GRAPH)) == expected


def test_attribute_constructors() -> None:
    assert AssetSelection.kind("csv").resolve(ATTRIBUTE_GRAPH) == {K("raw")}
    assert AssetSelection.owner("ana@x.org").resolve(ATTRIBUTE_GRAPH) == {K("clean")}
    assert AssetSelection.status("stale").resolve(ATTRIBUTE_GRAPH) == {K("clean")}


# External assets: `ext` is a key nothing defines.
#   ext --> a --> b        (a, b in group g)
EXTERNAL_GRAPH = AssetGraph(
    [
        AssetNode(K("a"), (K("ext"),), group_name="g"),
        AssetNode(K("b"), (K("a"),), group_name="g"),
    ]
)


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("*", "a b"),
        ("*b", "a b"),
        ("+key:b", "a b"),
        ("group:default", "none"),
        ("ext", "ext"),
        ("ext+", "a ext"),
        ("roots(*)", "a"),
        ("not key:a", "b"),
        ("key:*", "a b"),
    ],
)
def test_external_assets_only_when_named(selection: str, expected: str) -> None:
    assert names(resolve_selection(selection, EXTERNAL_GRAPH)) == expected


def test_include_sources_keeps_external_assets() -> None:
    assert names(AssetSelection.all(include_sources=True).resolve(EXTERNAL_GRAPH)) == "a b ext"
    external_group = AssetSelection.groups("default", include_sources=True)
    assert names(external_group.resolve(EXTERNAL_GRAPH)) == "ext"


# Key prefixes match whole parts:  sales/orders  sales/eu/orders  salesforce  sales
PREFIX_GRAPH = AssetGraph(
    [
        AssetNode(K(["sales", "orders"])),
        AssetNode(K(["sales", "eu", "orders"])),
        AssetNode(K("salesforce")),
        AssetNode(K("sales")),
    ]
)


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (AssetSelection.key_prefixes("sales"), "sales sales/eu/orders sales/orders"),
        (AssetSelection.key_prefixes(["sales", "eu"]), "sales/eu/orders"),
        (AssetSelection.key_prefixes("sales/eu"), "sales/eu/orders"),
        (AssetSelection.key_prefixes("salesforce", ["sales", "orders"]), "sales/orders salesforce"),
        (AssetSelection.from_string("key_prefix:sales/eu"), "sales/eu/orders"),
        (AssetSelection.from_string("key:sales/*"), "sales/eu/orders sales/orders"),
        (AssetSelection.from_string("sales/orders"), "sales/orders"),
        (AssetSelection.assets(["sales", "orders"]), "sales/orders"),
    ],
    ids=str,
)
def test_key_prefixes(selection: AssetSelection, expected: str) -> None:
    assert names(selection.resolve(PREFIX_GRAPH)) == expected


@dataclass
class FakeMultiAsset:
    """Anything with a `.keys` collection of AssetKey is a definition to selections."""

    keys: frozenset[AssetKey]


@dataclass
class FakeAsset:
    key: AssetKey


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("b+", "b c"),
        ("key:a or key:e", "a e"),
        (["b+", "e"], "b c e"),
        (("a", "key:e"), "a e"),
        ([K("a"), K("d")], "a d"),
        (K("c"), "c"),
        (FakeMultiAsset(frozenset({K("a"), K("e")})), "a e"),
        ([FakeMultiAsset(frozenset({K("b")})), FakeAsset(K("d"))], "b d"),
        ([AssetSelection.groups("g"), "e"], "a b e"),
        (AssetSelection.assets("d"), "d"),
        ([], "none"),
    ],
    ids=repr,
)
def test_coerce_selection(value: object, expected: str) -> None:
    assert names(coerce_selection(value).resolve(DESIGN_GRAPH)) == expected


def test_assets_accepts_definitions_and_key_paths() -> None:
    multi = FakeMultiAsset(frozenset({K("e"), K("a")}))
    assert AssetSelection.assets(multi) == AssetSelection.assets("a", "e")
    assert AssetSelection.assets(FakeAsset(K("b"))) == AssetSelection.assets("b")
    assert AssetSelection.assets("a", K("a"), "a") == AssetSelection.assets("a")


@pytest.mark.parametrize("value", [42, {"a": 1}, [3.5], None])
def test_coerce_selection_rejects_other_values(value: object) -> None:
    with pytest.raises(SelectionError, match=r"Cannot (use|select) .* pass "):
        coerce_selection(value)


# Resolution errors, on DESIGN_GRAPH plus an `orders` asset for the did-you-mean.
#   orders     a --> b --> c <-- e,  a --> d
TYPO_GRAPH = AssetGraph([*(DESIGN_GRAPH.node(k) for k in DESIGN_GRAPH), AssetNode(K("orders"))])


@pytest.mark.parametrize(
    ("selection", "error", "message"),
    [
        (
            "ordres+",
            UnknownAssetError,
            "Unknown asset 'ordres' in selection 'ordres+'. Did you mean 'orders'?",
        ),
        (
            "key:ordres",
            UnknownAssetError,
            "Unknown asset 'ordres' in selection 'key:ordres'. Did you mean 'orders'?",
        ),
        (
            "a, +zzz",
            UnknownAssetError,
            "Unknown asset 'zzz' in selection 'a, +zzz'. Defined assets: a, b, c, d, e, orders.",
        ),
        (
            "group:gg",
            SelectionError,
            "Unknown group 'gg' in selection 'group:gg'. Did you mean 'g'?",
        ),
        (
            "group:sales",
            SelectionError,
            "Unknown group 'sales' in selection 'group:sales'. Known groups: 'default', 'g'.",
        ),
        ("tag:kk=v", SelectionError, "Unknown tag 'kk' in selection 'tag:kk=v'. Did you mean 'k'?"),
        (
            "tag:k=w",
            SelectionError,
            "Unknown value 'w' for tag 'k' in selection 'tag:k=w'. Known values of tag 'k': 'v'.",
        ),
        (
            "kind:pandas",
            SelectionError,
            "Unknown kind 'pandas' in selection 'kind:pandas'. No asset has any kinds yet.",
        ),
        (
            "owner:bob",
            SelectionError,
            "Unknown owner 'bob' in selection 'owner:bob'. No asset has any owners yet.",
        ),
        (
            "key:ordr*",
            SelectionError,
            "No asset key matches 'ordr*' in selection 'key:ordr*'. Did you mean 'orders'?",
        ),
        (
            "key:zz*",
            SelectionError,
            "No asset key matches 'zz*' in selection 'key:zz*'. Check the spelling.",
        ),
        (
            "key_prefix:sale",
            SelectionError,
            "Unknown key prefix 'sale' in selection 'key_prefix:sale'. Known key prefixes: 'a', "
            "'b', 'c', 'd', 'e', 'orders'.",
        ),
        (
            "key:a and group:nope",
            SelectionError,
            "Unknown group 'nope' in selection 'key:a and group:nope'.",
        ),
    ],
)
def test_resolution_errors(selection: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as caught:
        AssetSelection.from_string(selection).resolve(TYPO_GRAPH)
    assert str(caught.value).startswith(message)


def test_unknown_key_from_the_api_has_no_selection_text() -> None:
    message = r"^Unknown asset 'ordres'\. Did you mean 'orders'\?$"
    with pytest.raises(UnknownAssetError, match=message):
        AssetSelection.assets("ordres").resolve(TYPO_GRAPH)


def test_unknown_status_lists_valid_statuses() -> None:
    valid = "failed, materialized, missing, partial, running, skipped, stale"
    message = rf"^Unknown status 'stal'\. Valid statuses: {valid}\. Did you mean 'stale'\?$"
    with pytest.raises(SelectionError, match=message):
        AssetSelection.status("stal")
    message = r"^Unknown status 'fresh' in selection 'status:fresh'"
    with pytest.raises(SelectionError, match=message):
        AssetSelection.from_string("status:fresh")


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (AssetSelection.assets("a").upstream(include_self=False), r"upstream\(include_self"),
        (AssetSelection.assets("a").downstream(include_self=False), "downstream"),
        (AssetSelection.all(include_sources=True), r"all\(include_sources=True\)"),
        (AssetSelection.groups("g", include_sources=True), "groups"),
        (AssetSelection.assets(), "empty selection"),
    ],
)
def test_selections_without_a_string_spelling(selection: AssetSelection, message: str) -> None:
    with pytest.raises(SelectionError, match=message):
        selection.to_selection_str()
    assert str(selection).startswith(type(selection).__name__)


@pytest.mark.parametrize("depth", [-1, 1.5, True])
def test_traversal_depth_must_be_a_count(depth: object) -> None:
    with pytest.raises(SelectionError, match=r"whole number of hops"):
        AssetSelection.assets("a").downstream(depth=depth)  # type: ignore[arg-type]


def _layered_graph(size: int, width: int = 10) -> AssetGraph:
    # n0..n9 --> n10..n19 --> ... each node reads two nodes of the layer above.
    nodes = []
    for i in range(size):
        layer = i // width
        parents = (
            ()
            if layer == 0
            else (K(f"n{i - width}"), K(f"n{(layer - 1) * width + (i + 1) % width}"))
        )
        nodes.append(AssetNode(K(f"n{i}"), parents))
    return AssetGraph(nodes)


@pytest.mark.parametrize("text", ["key:n0+", "*n999", "n0*", "+key:n999", "key:n5+3"])
def test_resolution_is_fast_on_a_thousand_assets(text: str) -> None:
    graph = _layered_graph(1000)
    selection = AssetSelection.from_string(text)
    selection.resolve(graph)  # builds the per-graph tables once
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        found = selection.resolve(graph)
        timings.append(time.perf_counter() - start)
    assert len(found) > 1
    # About 0.5 ms here for a closure over all 1,000 nodes; the bound catches
    # anything worse than linear while leaving room for a busy machine.
    assert min(timings) < 0.005, f"{text}: {min(timings) * 1e6:.0f} µs"


def test_selections_survive_pickling() -> None:
    # Executors may ship a selection to another process.
    import pickle

    selection = AssetSelection.from_string("(key:a+1 or group:g) and not tag:k=v")
    assert pickle.loads(pickle.dumps(selection)) == selection
    assert names(pickle.loads(pickle.dumps(selection)).resolve(DESIGN_GRAPH)) == "b"


def test_sources_is_the_deprecated_name_of_roots() -> None:
    with pytest.warns(DeprecationWarning, match=r"use AssetSelection.roots\(\)"):
        selection = AssetSelection.all().sources()
    assert selection == AssetSelection.all().roots()
