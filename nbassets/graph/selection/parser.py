"""Parse selection strings written in either of Dagster's two grammars.

Responsibilities:
- Decide which grammar a string uses (``grammar_of``).
- The classic op-selection grammar: ``a``, ``a+``, ``++a``, ``*a*``, ``sales/orders``,
  clauses separated by commas or spaces.
- The query grammar of current Dagster: attributes (``key:``, ``key_substring:``,
  ``group:``, ``tag:``, ``kind:``, ``owner:``, plus nbassets' ``status:`` and
  ``key_prefix:``), ``*``, traversals (``2+key:a+``), ``roots(...)``, ``sinks(...)``,
  ``not``/``and``/``or`` and parentheses, binding in that order.
- Syntax errors that say where, what was found and what was expected, with a
  caret under the text.

Both parsers are hand-written: a character scanner for the classic grammar, a
tokenizer and a recursive-descent parser for the query grammar. Trees are built
with ``union`` and ``intersect`` so they take the canonical shape that
``to_selection_str`` spells. Results are cached by text; trees are immutable.

Query grammar, loosest binding first::

    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "*" | [DIGITS] "+" operand ["+" [DIGITS]]
                | operand ["+" [DIGITS]]
    operand    := NAME ":" value ["=" value] | ("roots" | "sinks") "(" or_expr ")"
                | "(" or_expr ")"
    value      := WORD | '"' chars '"'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from nbassets.definitions.keys import AssetKey
from nbassets.errors import InvalidDefinitionError, SelectionError, SelectionSyntaxError
from nbassets.graph.selection.base import AssetSelection
from nbassets.graph.selection.classic import parse_classic
from nbassets.graph.selection.index import STATUSES
from nbassets.graph.selection.leaves import (
    AllSelection,
    GroupSelection,
    KeyPatternSelection,
    KeyPrefixSelection,
    KeySelection,
    KeySubstringSelection,
    KindSelection,
    OwnerSelection,
    StatusSelection,
    TagSelection,
    status_error,
)
from nbassets.graph.selection.ops import (
    DownstreamSelection,
    NotSelection,
    RootsSelection,
    SinksSelection,
    UpstreamSelection,
    intersect,
    union,
)
from nbassets.graph.selection.syntax import syntax_error

__all__ = ["ATTRIBUTES", "grammar_of", "parse_selection", "tokenize"]

ATTRIBUTES = ("key", "key_prefix", "key_substring", "group", "tag", "kind", "owner", "status")
_FUNCTIONS = ("roots", "sinks")
# Far beyond what anyone writes, well within Python's recursion limit for parsing
# and for resolving the tree.
_MAX_NESTING = 100
_MAX_DEPTH_DIGITS = 6
_WORD = re.compile(r"[\w.\-/*@]+")
_DIGITS = re.compile(r"[0-9]+")
_KEYWORD = re.compile(r"(?<![\w.\-/*])(?:and|or|not|AND|OR|NOT)(?![\w.\-/*])")

_START = "an attribute such as key:NAME, '*', '+', 'not', '(', roots(...) or sinks(...)"
_AFTER_UP = "an attribute such as key:NAME, '(', roots(...) or sinks(...)"


def grammar_of(text: str) -> Literal["classic", "query"]:
    """Which grammar ``text`` is written in.

    Query syntax when the text has ``:``, a parenthesis, a quote, a standalone
    ``and``/``or``/``not``, or is ``*`` alone; classic op-selection syntax
    otherwise.
    """
    stripped = text.strip()
    if stripped == "*" or any(mark in stripped for mark in ':()"'):
        return "query"
    return "query" if _KEYWORD.search(stripped) else "classic"


def parse_selection(text: str) -> AssetSelection:
    """Parse ``text`` in whichever grammar it is written in.

    Raises:
        SelectionSyntaxError: the text does not follow its grammar.
        SelectionError: a ``status:`` value is not a status nbassets knows.
    """
    if not isinstance(text, str):
        raise SelectionError(f"A selection string must be a str; got {text!r}.")
    return _parse(text)


_DANGLING = re.compile(r"(?:^|\s)(and|or|not|AND|OR|NOT)\s*$")


@functools.lru_cache(maxsize=512)
def _parse(text: str) -> AssetSelection:
    if grammar_of(text) == "query":
        try:
            return _QueryParser(text).parse()
        except SelectionSyntaxError as error:
            dangling = _DANGLING.search(text)
            if dangling is None or "bare name" not in str(error):
                raise
            # `orders++ and`: classic names before a keyword with nothing after it. The
            # mistake to point at is the dangling keyword, not the name.
            word = dangling.group(1)
            raise syntax_error(
                text,
                dangling.start(1),
                f"a selection after {word!r}",
                problem=f"{word!r} at position {dangling.start(1) + 1} has nothing after it",
            ) from error
    return parse_classic(text)


@dataclass(frozen=True, slots=True)
class Token:
    """One token of the query grammar; ``value`` is a string's content without quotes."""

    kind: Literal["word", "string", "+", "(", ")", ":", "=", "other", "end"]
    value: str
    start: int
    end: int

    def shown(self) -> str:
        return "end of input" if self.kind == "end" else repr(self.value)


def tokenize(text: str) -> list[Token]:
    """Split query-grammar text into tokens, ending with an ``end`` token.

    Raises:
        SelectionSyntaxError: a quoted string is not closed.
    """
    tokens: list[Token] = []
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "+():=":
            tokens.append(Token(char, char, i, i + 1))  # type: ignore[arg-type]
            i += 1
        elif char == '"':
            value, end = _scan_string(text, i)
            tokens.append(Token("string", value, i, end))
            i = end
        elif match := _WORD.match(text, i):
            tokens.append(Token("word", match.group(), i, match.end()))
            i = match.end()
        else:
            tokens.append(Token("other", char, i, i + 1))
            i += 1
    tokens.append(Token("end", "", size, size))
    return tokens


def _scan_string(text: str, start: int) -> tuple[str, int]:
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
        elif char == '"':
            return "".join(chars), i + 1
        else:
            chars.append(char)
            i += 1
    raise syntax_error(
        text,
        len(text),
        "a closing '\"'",
        problem=f"the string opened at position {start + 1} is not closed",
    )


class _QueryParser:
    """Recursive descent over the tokens of one query-grammar string."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.nesting = 0

    def _enter(self) -> None:
        """Count one level of parentheses, function or ``not``; refuse absurd depths."""
        self.nesting += 1
        if self.nesting > _MAX_NESTING:
            token = self.peek()
            raise syntax_error(
                self.text,
                token.start,
                "a flatter selection",
                problem=(
                    f"more than {_MAX_NESTING} nested parentheses, functions or 'not's at "
                    f"position {token.start + 1}"
                ),
            )

    def _number(self, token: Token) -> int:
        if len(token.value) > _MAX_DEPTH_DIGITS:
            raise syntax_error(
                self.text,
                token.start,
                f"a depth of at most {_MAX_DEPTH_DIGITS} digits",
                problem=f"a {len(token.value)}-digit depth at position {token.start + 1}",
            )
        return int(token.value)

    def parse(self) -> AssetSelection:
        tree = self.or_expr()
        if self.peek().kind != "end":
            raise self.unexpected("'and', 'or' or end of input")
        return tree

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.pos += 1
        return token

    def at_keyword(self, keyword: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.value in (keyword, keyword.upper())

    def unexpected(self, expected: str, token: Token | None = None) -> SelectionSyntaxError:
        token = token or self.peek()
        return syntax_error(self.text, token.start, expected, found=token.shown())

    def or_expr(self) -> AssetSelection:
        self._enter()
        parts = [self.and_expr()]
        while self.at_keyword("or"):
            self.take()
            parts.append(self.and_expr())
        self.nesting -= 1
        return union(parts)

    def and_expr(self) -> AssetSelection:
        tree = self.not_expr()
        while self.at_keyword("and"):
            self.take()
            tree = intersect(tree, self.not_expr())
        return tree

    def not_expr(self) -> AssetSelection:
        if self.at_keyword("not"):
            self.take()
            self._enter()
            negated = NotSelection(self.not_expr())
            self.nesting -= 1
            return negated
        token = self.peek()
        if token.kind == "word" and token.value == "*":
            self.take()
            return AllSelection()
        up: int | None | Literal[False] = False
        after = self.peek(1)
        if token.kind == "word" and _DIGITS.fullmatch(token.value) and after.kind == "+":
            if after.start == token.end:
                self.pos += 2
                up = self._number(token)
        elif token.kind == "+":
            self.take()
            up = None
        tree = self.operand(_AFTER_UP if up is not False else _START)
        down: int | None | Literal[False] = False
        if self.peek().kind == "+":
            plus = self.take()
            depth = self.peek()
            if depth.kind == "word" and _DIGITS.fullmatch(depth.value) and depth.start == plus.end:
                self.take()
                down = self._number(depth)
            else:
                down = None
        upstream = None if up is False else UpstreamSelection(tree, up)
        downstream = None if down is False else DownstreamSelection(tree, down)
        if upstream is not None and downstream is not None:
            return union((upstream, downstream))
        return upstream or downstream or tree

    def operand(self, expected: str) -> AssetSelection:
        token = self.peek()
        if token.kind == "(":
            self.take()
            tree = self.or_expr()
            if self.peek().kind != ")":
                raise self.unexpected("'and', 'or' or ')'")
            self.take()
            return tree
        if token.kind != "word" or token.value in ("*", "and", "or", "not", "AND", "OR", "NOT"):
            raise self.unexpected(expected)
        follower = self.peek(1).kind
        if follower == ":":
            return self.attribute()
        if follower == "(":
            return self.function()
        if _DIGITS.fullmatch(token.value) and follower == "+":
            raise self.unexpected(expected, self.peek(1))
        raise syntax_error(
            self.text,
            token.start,
            f"an attribute, e.g. key:{token.value}",
            problem=f"bare name {token.value!r} at position {token.start + 1}",
        )

    def function(self) -> AssetSelection:
        name = self.take()
        if name.value not in _FUNCTIONS:
            raise syntax_error(
                self.text,
                name.start,
                "roots(...) or sinks(...)",
                problem=f"unknown function {name.value!r} at position {name.start + 1}",
            )
        self.take()
        inner = self.or_expr()
        if self.peek().kind != ")":
            raise self.unexpected("'and', 'or' or ')'")
        self.take()
        return RootsSelection(inner) if name.value == "roots" else SinksSelection(inner)

    def value(self, what: str) -> Token:
        token = self.peek()
        if token.kind not in ("word", "string"):
            raise self.unexpected(f"{what}: a name or a quoted string")
        return self.take()

    def attribute(self) -> AssetSelection:
        name = self.take()
        self.take()
        if name.value not in ATTRIBUTES:
            raise syntax_error(
                self.text,
                name.start,
                "one of " + ", ".join(f"{attr}:" for attr in ATTRIBUTES),
                problem=f"unknown attribute {name.value!r} at position {name.start + 1}",
            )
        token = self.value(f"a {name.value.replace('_', ' ')} after '{name.value}:'")
        value, source = token.value, self.text
        if name.value == "key":
            if "*" in value:
                return KeyPatternSelection(value, source)
            return KeySelection(self.asset_key(token), source)
        if name.value == "key_substring":
            return KeySubstringSelection(value, False, source)
        if name.value == "key_prefix":
            return KeyPrefixSelection(self.asset_key(token).parts, False, source)
        if name.value == "tag":
            if self.peek().kind != "=":
                return TagSelection(value, None, False, source)
            self.take()
            tag_value = self.value(f"a value for tag '{value}' after '='").value
            return TagSelection(value, tag_value, False, source)
        if name.value == "status":
            if value not in STATUSES:
                raise status_error(value, source)
            return StatusSelection(value, source)
        if name.value == "group":
            return GroupSelection(value, False, source)
        if name.value == "kind":
            return KindSelection(value, False, source)
        return OwnerSelection(value, source)

    def asset_key(self, token: Token) -> AssetKey:
        try:
            return AssetKey.from_user_string(token.value)
        except InvalidDefinitionError:
            raise syntax_error(
                self.text,
                token.start,
                "names joined by single '/', e.g. sales/orders",
                problem=f"{token.value!r} at position {token.start + 1} is not an asset key",
            ) from None
