"""Numbers as a trader reads them: fixed decimals per instrument, thousands separated.

Decimals follow the instrument's price tick: 2 for A-shares (0.01), 1 for IM futures
and MO options (tick 0.2). Every price cell of the console and the CLI goes through
`price_text`, so 16.8, 5.0 and 9.00 all read 16.80, 5.00, 9.00 for stocks.
"""

from __future__ import annotations

from decimal import Decimal

from exchange import RulesError, tick_size

STOCK_PLACES = 2
OPTION_PREFIXES = ("MO", "IO", "HO")  # CFFEX index options: tick 0.2
DASH = "—"


def places_for(symbol: str) -> int:
    """Decimals of `symbol`'s price tick (2 when the symbol is not known)."""
    code = symbol.split(".")[0].upper()
    if code.startswith(OPTION_PREFIXES) and "-" in code:
        return 1
    try:
        exponent = tick_size(symbol).normalize().as_tuple().exponent
    except (RulesError, ValueError):
        return STOCK_PLACES
    return max(-int(exponent), 0) if isinstance(exponent, int) else STOCK_PLACES


def price_text(value: Decimal | float | int | str | None, symbol: str = "") -> str:
    """A price with the instrument's decimals; "—" when there is none."""
    if value is None or value == "":
        return DASH
    places = places_for(symbol) if symbol else STOCK_PLACES
    return f"{Decimal(str(value)):,.{places}f}"


def quantity_text(value: int | Decimal | None) -> str:
    return DASH if value is None else f"{int(value):,}"
