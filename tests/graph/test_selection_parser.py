from __future__ import annotations

import pytest

from nbassets.definitions.keys import AssetKey
from nbassets.errors import SelectionError, SelectionSyntaxError
from nbassets.graph.selection import AssetSelection
from nbassets.graph.selection.leaves import KeyPatternSelection, KeyPrefixSelection
from nbassets.graph.selection.ops import NotSelection
from nbassets.graph.selection.parser import grammar_of, tokenize

A = AssetSelection.assets
K = AssetKey

PARSE_CASES = [
    # Classic op-selection syntax: `+` is one hop each, `*` is any depth.
    ("a", A("a")),
    ("sales/orders", A(K(["sales", "orders"]))),
    ("a+", A("a").downstream(1)),
    ("a++", A("a").downstream(2)),
    ("+a", A("a").upstream(1)),
    ("+++a", A("a").upstream(3)),
    ("*a", A("a").upstream()),
    ("a*", A("a").downstream()),
    ("*a*", A("a").upstream() | A("a").downstream()),
    ("+a+", A("a").upstream(1) | A("a").downstream(1)),
    ("++a+", A("a").upstream(2) | A("a").downstream(1)),
    ("a, b", A("a", "b")),
    ("a b", A("a", "b")),
    ("  a ,b+  *c ", A("a") | A("b").downstream(1) | A("c").upstream()),
    ("my-asset.v2", A("my-asset.v2")),
    # Query syntax: a bare `+` is any depth, digits bound it.
    ("*", AssetSelection.all()),
    ("key:a", A("a")),
    ("key:sales/orders", A(K(["sales", "orders"]))),
    ('key:"my asset"', A("my asset")),
    ('key:"say \\"hi\\""', A('say "hi"')),
    ("key:and", A("and")),
    ("key:2024_sales", A("2024_sales")),
    ("key:sales/*", KeyPatternSelection("sales/*")),
    ("key:a*", KeyPatternSelection("a*")),
    ("key_prefix:sales/eu", KeyPrefixSelection(("sales", "eu"))),
    ("group:g", AssetSelection.groups("g")),
    ("tag:k=v", AssetSelection.tag("k", "v")),
    ("tag:k", AssetSelection.tag("k")),
    ('tag:"team name"="data eng"', AssetSelection.tag("team name", "data eng")),
    ("kind:pandas", AssetSelection.kind("pandas")),
    ("owner:ana@x.org", AssetSelection.owner("ana@x.org")),
    ('owner:"team:data"', AssetSelection.owner("team:data")),
    ("status:stale", AssetSelection.status("stale")),
    ("+key:c", A("c").upstream()),
    ("1+key:c", A("c").upstream(1)),
    ("key:a+", A("a").downstream()),
    ("key:a+2", A("a").downstream(2)),
    ("2+key:a+3", A("a").upstream(2) | A("a").downstream(3)),
    ("+ key:a", A("a").upstream()),
    ("roots(*)", AssetSelection.all().roots()),
    ("sinks(group:g)", AssetSelection.groups("g").sinks()),
    ("roots(+key:c)", A("c").upstream().roots()),
    ("+(key:a or group:g)", (A("a") | AssetSelection.groups("g")).upstream()),
    ("(+key:a)+1", A("a").upstream().downstream(1)),
    ("+sinks(*)", AssetSelection.all().sinks().upstream()),
    # Precedence: not > and > or, traversals bind tighter than not.
    ("key:a or key:b and key:c", A("a") | (A("b") & A("c"))),
    ("(key:a or key:b) and key:c", (A("a") | A("b")) & A("c")),
    ("key:a and not key:b", A("a") - A("b")),
    ("not key:a and key:b", NotSelection(A("a")) & A("b")),
    ("not key:a+", NotSelection(A("a").downstream())),
    ("not not key:a", NotSelection(NotSelection(A("a")))),
    ("key:a AND key:b OR NOT key:c", (A("a") & A("b")) | NotSelection(A("c"))),
    ("* and not group:g", AssetSelection.all() - AssetSelection.groups("g")),
    ("key:a or key:b or key:c", A("a", "b", "c")),
    ("key:a or (key:b or key:c)", A("a", "b", "c")),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_parse(text: str, expected: AssetSelection) -> None:
    assert AssetSelection.from_string(text) == expected


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        # Values are always quoted and compound operands parenthesized, as Dagster spells them.
        ("b+", 'key:"b"+1'),
        ("*c*", '+key:"c"+'),
        ("++a+", '2+key:"a"+1'),
        ("a, b", 'key:"a" or key:"b"'),
        ("key:a and not key:b and key:c", '(key:"a" and not key:"b") and key:"c"'),
        ("key:a or key:b and key:c", 'key:"a" or (key:"b" and key:"c")'),
        ("not (key:a or key:b)", 'not (key:"a" or key:"b")'),
        ("+(key:a and group:g)", '+(key:"a" and group:"g")'),
        ('key:"my asset"', 'key:"my asset"'),
        ('tag:"a=b"=""', 'tag:"a=b"=""'),
        ("owner:ana@x.org", 'owner:"ana@x.org"'),
        ("(key:a+) +", '(key:"a"+)+'),
        ("key_substring:ord", 'key_substring:"ord"'),
    ],
)
def test_to_selection_str(text: str, spelled: str) -> None:
    selection = AssetSelection.from_string(text)
    assert selection.to_selection_str() == spelled
    assert str(selection) == spelled
    assert AssetSelection.from_string(spelled) == selection


def test_api_selections_spell_in_the_query_grammar() -> None:
    assert AssetSelection.assets("a", "b").to_selection_str() == 'key:"a" or key:"b"'
    assert (
        AssetSelection.key_prefixes(["sales", "eu"]).to_selection_str() == 'key_prefix:"sales/eu"'
    )
    assert AssetSelection.groups("g").sinks().to_selection_str() == 'sinks(group:"g")'
    # A multi-key selection stays one operand of a later `|`, in parentheses.
    both = AssetSelection.assets("a", "b") | AssetSelection.assets("c")
    assert str(both) == '(key:"a" or key:"b") or key:"c"'
    assert AssetSelection.tag_string("k=v").to_selection_str() == 'tag:"k"="v"'


@pytest.mark.parametrize(
    ("text", "grammar"),
    [
        ("a+", "classic"),
        ("*a*, b", "classic"),
        ("sales/orders", "classic"),
        ("android", "classic"),
        ("notes+", "classic"),
        ("*", "query"),
        (" * ", "query"),
        ("key:a", "query"),
        ("sinks(x)", "query"),
        ("a or b", "query"),
        ("not a", "query"),
        ("a AND b", "query"),
        ('"a"', "query"),
    ],
)
def test_grammar_of(text: str, grammar: str) -> None:
    assert grammar_of(text) == grammar


def test_tokenize() -> None:
    tokens = tokenize('2+key:"a b"+ or tag:k=v')
    assert [(t.kind, t.value, t.start) for t in tokens] == [
        ("word", "2", 0),
        ("+", "+", 1),
        ("word", "key", 2),
        (":", ":", 5),
        ("string", "a b", 6),
        ("+", "+", 11),
        ("word", "or", 13),
        ("word", "tag", 16),
        (":", ":", 19),
        ("word", "k", 20),
        ("=", "=", 21),
        ("word", "v", 22),
        ("end", "", 23),
    ]


def test_parse_results_are_cached() -> None:
    assert AssetSelection.from_string("x+, y") is AssetSelection.from_string("x+, y")


def test_source_text_takes_no_part_in_equality() -> None:
    assert AssetSelection.from_string("a") == AssetSelection.from_string("key:a") == A("a")
    assert hash(AssetSelection.from_string("a")) == hash(A("a"))


SYNTAX_ERRORS = [
    (
        "b*+",
        "Invalid selection 'b*+': unexpected '+' at position 3; expected a name, ',' or end of "
        "input.\n  b*+\n    ^",
    ),
    (
        "",
        "Invalid selection '': unexpected end of input at position 1; expected a name, '+' or "
        "'*'.\n  \n  ^",
    ),
    (
        "a,,b",
        "Invalid selection 'a,,b': unexpected ',' at position 3; expected a name, '+' or '*'.\n"
        "  a,,b\n    ^",
    ),
    (
        "a,",
        "Invalid selection 'a,': unexpected end of input at position 3; expected a name, '+' or "
        "'*'.\n  a,\n    ^",
    ),
    ("*+a", "unexpected '+' at position 2; expected a name.\n  *+a\n   ^"),
    ("+*a", "unexpected '*' at position 2; expected a name or '+'.\n  +*a\n   ^"),
    ("a+*", "unexpected '*' at position 3; expected '+', ',' or end of input."),
    ("a#b", "unexpected '#' at position 2; expected '+', '*', ',' or end of input."),
    ("b*c", "unexpected 'c' at position 3; expected ',' or a space before the next name."),
    ("a //b", "'//b' at position 3 is not an asset key; expected names joined by single '/'"),
    ("key:", "unexpected end of input at position 5; expected a key after 'key:'"),
    (
        "key:a and",
        "unexpected end of input at position 10; expected an attribute such as key:NAME, '*', "
        "'+', 'not', '(', roots(...) or sinks(...).\n  key:a and\n           ^",
    ),
    ("key:a or or key:b", "unexpected 'or' at position 10; expected an attribute such as"),
    ("(key:a", "unexpected end of input at position 7; expected 'and', 'or' or ')'."),
    ("sinks(key:a", "unexpected end of input at position 12; expected 'and', 'or' or ')'."),
    ("key:a)", "unexpected ')' at position 6; expected 'and', 'or' or end of input."),
    ("key:a, key:b", "unexpected ',' at position 6; expected 'and', 'or' or end of input."),
    ("key:a && key:b", "unexpected '&' at position 7; expected 'and', 'or' or end of input."),
    ("key:a++", "unexpected '+' at position 7; expected 'and', 'or' or end of input."),
    ("++key:a", "unexpected '+' at position 2; expected an attribute such as key:NAME, '('"),
    ("+*", "unexpected '*' at position 2; expected a name or '+'."),
    ("key:a or +*", "unexpected '*' at position 11; expected an attribute such as key:NAME, '('"),
    ("*+", "unexpected '+' at position 2; expected a name."),
    ("*+ or key:a", "unexpected '+' at position 2; expected 'and', 'or' or end of input."),
    (
        "foo:bar",
        "unknown attribute 'foo' at position 1; expected one of key:, key_prefix:, "
        "key_substring:, group:",
    ),
    ("root(*)", "unknown function 'root' at position 1; expected roots(...) or sinks(...)."),
    ("a or key:b", "bare name 'a' at position 1; expected an attribute, e.g. key:a."),
    (
        "orders++ and",
        "'and' at position 10 has nothing after it; expected a selection after 'and'.\n"
        "  orders++ and\n           ^",
    ),
    ("1 +key:a", "unexpected '+' at position 3; expected an attribute such as key:NAME"),
    ('key:"abc', "the string opened at position 5 is not closed; expected a closing '\"'."),
    ("tag:k=", "unexpected end of input at position 7; expected a value for tag 'k' after '='"),
    ("group:(", "unexpected '(' at position 7; expected a group after 'group:'"),
    ("key:a//b", "'a//b' at position 5 is not an asset key"),
    ('key:""', "'' at position 5 is not an asset key"),
]


@pytest.mark.parametrize(("text", "message"), SYNTAX_ERRORS, ids=[c[0] for c in SYNTAX_ERRORS])
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(SelectionSyntaxError) as caught:
        AssetSelection.from_string(text)
    shown = str(caught.value)
    assert shown.startswith(f"Invalid selection '{text}': ")
    assert message in shown


def test_caret_points_at_the_problem() -> None:
    with pytest.raises(SelectionSyntaxError) as caught:
        AssetSelection.from_string("key:a or group:g and (kind:x or")
    first, text_line, caret_line = str(caught.value).splitlines()
    assert "position 32" in first
    assert text_line == "  key:a or group:g and (kind:x or"
    assert caret_line == "  " + " " * 31 + "^"


def test_non_string_is_rejected() -> None:
    with pytest.raises(SelectionError, match=r"A selection string must be a str; got 3\."):
        AssetSelection.from_string(3)  # type: ignore[arg-type]
