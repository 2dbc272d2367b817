"""How the hedge and risk screens write figures: never a raw fraction or a dict.

Percentages with two decimals, CNY from `Decimal` with thousands separators and two
decimals, index and futures levels with one decimal (IM's tick is 0.2). The console's
Hedge and NAV pages and `desk risk status` all use these, so they print the same text.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DASH = "—"
CENT = Decimal("0.01")


def percent(fraction: float | None) -> str:
    """0.0013 -> '0.13%'."""
    return DASH if fraction is None else f"{fraction * 100:.2f}%"


def drawdown(fraction: float | None) -> str:
    """A drawdown shown as the fall it is: 0.0013 -> '-0.13%' (0 stays '0.00%')."""
    if fraction is None:
        return DASH
    return "0.00%" if round(fraction * 100, 2) == 0 else f"-{fraction * 100:.2f}%"


def cny(value: Decimal | None) -> str:
    """Decimal('1234567.891') -> 'CNY 1,234,567.89'."""
    if value is None:
        return DASH
    return f"CNY {value.quantize(CENT, ROUND_HALF_UP):,.2f}"


def signed_cny(value: Decimal | None) -> str:
    """P&L: 'CNY +1,234.00' / 'CNY -1,234.00'."""
    if value is None:
        return DASH
    return f"CNY {value.quantize(CENT, ROUND_HALF_UP):+,.2f}"


def level(value: Decimal | float | None) -> str:
    """An index or futures level: 6123.4."""
    return DASH if value is None else f"{Decimal(str(value)):,.1f}"
