"""How wide a label is in Helvetica, measured the same way on every machine.

Responsibilities:
- ``text_width``: the advance width of a string in Helvetica (and its metric
  twins Arial and Liberation Sans, the faces the widget and the static SVG
  name), from the font's published per-character widths.

The lineage layout sizes each box from this instead of letting Graphviz
measure: the system ``dot`` asks the machine's fonts, the WebAssembly build
guesses, and their answers differ by some 10 %, which would make the same
graph look different depending on what is installed.
"""

from __future__ import annotations

import unicodedata

__all__ = ["text_width"]

# Helvetica advance widths in 1/1000 em, for printable ASCII from space (32) to
# tilde (126), as published in the font's metrics.
_ASCII = (
    278,
    278,
    355,
    556,
    556,
    889,
    667,
    191,
    333,
    333,
    389,
    584,
    278,
    333,
    278,
    278,  # space../
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,
    556,  # 0..9
    278,
    278,
    584,
    584,
    584,
    556,
    1015,  # :..@
    667,
    667,
    722,
    722,
    667,
    611,
    778,
    722,
    278,
    500,
    667,
    556,
    833,  # A..M
    722,
    778,
    667,
    778,
    722,
    667,
    611,
    722,
    667,
    944,
    667,
    667,
    611,  # N..Z
    278,
    278,
    278,
    469,
    556,
    333,  # [ \ ] ^ _ `
    556,
    556,
    500,
    556,
    556,
    278,
    556,
    556,
    222,
    222,
    500,
    222,
    833,  # a..m
    556,
    556,
    556,
    556,
    333,
    500,
    278,
    556,
    500,
    722,
    500,
    500,
    500,  # n..z
    334,
    260,
    334,
    584,  # { | } ~
)
# Helvetica-Bold differs from the regular face mostly in the lowercase letters;
# elsewhere the regular widths stand in, padded a little (``_BOLD_PAD``).
_BOLD_LOWER = (
    556,
    611,
    556,
    611,
    556,
    333,
    611,
    611,
    278,
    278,
    556,
    278,
    889,  # a..m
    611,
    611,
    611,
    611,
    389,
    556,
    333,
    611,
    556,
    778,
    556,
    556,
    500,  # n..z
)
_BOLD_PAD = 1.04
# Letters outside ASCII: a lowercase-ish average; full-width scripts: one em.
_OTHER = 556
_WIDE = 1000


def _char_width(char: str, bold: bool) -> float:
    code = ord(char)
    if bold and 97 <= code <= 122:
        return _BOLD_LOWER[code - 97]
    if 32 <= code <= 126:
        if bold:
            return _ASCII[code - 32] * _BOLD_PAD
        return _ASCII[code - 32]
    if unicodedata.combining(char):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE
    return _OTHER * _BOLD_PAD if bold else _OTHER


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """The width of ``text`` set in Helvetica (or Helvetica-Bold) at ``font_size``.

    The result is in the unit of ``font_size`` (points in, points out).
    """
    return sum(_char_width(c, bold) for c in text) * font_size / 1000.0
