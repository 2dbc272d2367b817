"""Small enums shared by the rules modules. Persist `.value` (lower-case ASCII)."""

from __future__ import annotations

from enum import StrEnum


class Board(StrEnum):
    MAIN = "main"
    CHINEXT = "chinext"
    STAR = "star"
    BSE = "bse"
    B_SHARE = "b_share"
    INDEX_FUTURE = "index_future"
    INDEX_OPTION = "index_option"


class Exchange(StrEnum):
    """Exchange codes as vnpy spells them in a vt_symbol."""

    SSE = "SSE"
    SZSE = "SZSE"
    BSE = "BSE"
    CFFEX = "CFFEX"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


def parse_side(side: str) -> Side:
    """`side` as a `Side`; accepts any str equal to "buy"/"sell" (e.g. a str-valued enum)."""
    try:
        return Side(str(side).lower())
    except ValueError:
        raise ValueError(f"side {side!r}: expected 'buy' or 'sell'") from None
