"""Syntax errors for selection strings.

Responsibilities:
- Build a ``SelectionSyntaxError`` that names the selection, says what was found
  where (1-based position) and what was expected, and draws a caret under the
  offending character.
"""

from __future__ import annotations

from nbassets.errors import SelectionSyntaxError

__all__ = ["syntax_error"]


def syntax_error(
    text: str,
    index: int,
    expected: str,
    *,
    found: str | None = None,
    problem: str | None = None,
) -> SelectionSyntaxError:
    """Build the error for ``text`` going wrong at ``index`` (0-based).

    The message reads ``Invalid selection 'b*+': unexpected '+' at position 3;
    expected a name, ',' or end of input.`` followed by the text and a caret line.

    Args:
        text: The whole selection string.
        index: Where the problem is; ``len(text)`` for the end of input.
        expected: What would have been valid there, as a phrase.
        found: How to show what was found; defaults to the character at ``index``.
        problem: The whole "what went wrong" phrase, replacing "unexpected ...".
    """
    if problem is None:
        if found is None:
            found = "end of input" if index >= len(text) else repr(text[index])
        problem = f"unexpected {found} at position {index + 1}"
    # The caret line only lines up when the text is one line without tabs.
    shown = text.replace("\t", " ").replace("\n", " ")
    return SelectionSyntaxError(
        f"Invalid selection '{text}': {problem}; expected {expected}.\n  {shown}\n  {' ' * index}^"
    )
