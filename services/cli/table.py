"""Plain-text tables for the terminal: a header, aligned columns, CJK counted as two.

Chinese names are two terminal cells per character; padding by `len()` would shift
every column after the name. Numbers are right-aligned, text left-aligned.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    title: str
    right: bool = False  # numbers


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    fill = " " * max(size - width(text), 0)
    return fill + text if right else text + fill


def table(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[str]:
    """The header line and one line per row, columns two spaces apart."""
    sizes = [max([width(c.title), *(width(r[i]) for r in rows)]) for i, c in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        parts = [pad(cell, sizes[i], columns[i].right) for i, cell in enumerate(cells)]
        return "  ".join(parts).rstrip()

    return [line([c.title for c in columns]), *(line(r) for r in rows)]
