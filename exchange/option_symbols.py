"""MO option contracts as values, and their vnpy symbols ("MO2703-P-6000.CFFEX").

Parsing takes hostile text: anything but the exact CFFEX form is refused with a message
naming the input. No other `exchange` module is imported but the data, so that
`securities.classify` can recognise option symbols.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from exchange.data import OPTION_SPECS
from exchange.enums import Exchange
from exchange.errors import UnknownSecurity

# CFFEX's code: product, YYMM, C or P, the strike in whole index points (合约代码:
# MO合约月份-C-行权价格 / MO合约月份-P-行权价格). ASCII digits only; no leading zero.
_OPTION_CODE = re.compile(r"([A-Z]{2})([0-9]{2})(0[1-9]|1[0-2])-([CP])-([1-9][0-9]{0,5})", re.ASCII)
_MAX_SYMBOL_CHARS = 40
_EXAMPLE = "MO2703-P-6000.CFFEX"


class InvalidOptionSymbol(UnknownSecurity):
    """Text that is not an option symbol of a product the desk knows."""


class OptionRight(StrEnum):
    CALL = "C"
    PUT = "P"


@dataclass(frozen=True)
class OptionContract:
    """One MO contract: product, contract month, call or put, strike (index points)."""

    underlying: str  # the product code, "MO"
    year: int
    month: int
    right: OptionRight
    strike: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "right", parse_right(self.right))
        object.__setattr__(self, "strike", _whole_strike(self.strike))
        if self.underlying not in OPTION_SPECS:
            known = ", ".join(sorted(OPTION_SPECS))
            raise InvalidOptionSymbol(f"option product {self.underlying!r}: not known ({known})")
        if not (isinstance(self.year, int) and 2000 <= self.year <= 2099):
            raise InvalidOptionSymbol(f"option year {self.year!r}: expected 2000-2099")
        if not (isinstance(self.month, int) and 1 <= self.month <= 12):
            raise InvalidOptionSymbol(f"option month {self.month!r}: expected 1-12")

    @property
    def code(self) -> str:
        """The exchange's code, e.g. "MO2703-P-6000"."""
        month = f"{self.year % 100:02d}{self.month:02d}"
        return f"{self.underlying}{month}-{self.right.value}-{self.strike}"

    @property
    def vt_symbol(self) -> str:
        """The vnpy vt_symbol, e.g. "MO2703-P-6000.CFFEX"."""
        return f"{self.code}.{Exchange.CFFEX.value}"

    @property
    def is_call(self) -> bool:
        return self.right is OptionRight.CALL


def parse_right(right: object) -> OptionRight:
    """"C"/"P" (or an `OptionRight`) as an `OptionRight`; anything else raises."""
    if isinstance(right, OptionRight):
        return right
    if isinstance(right, str) and right.strip().upper() in ("C", "P"):
        return OptionRight(right.strip().upper())
    raise InvalidOptionSymbol(f"option right {right!r}: expected 'C' (call) or 'P' (put)")


def parse_option_symbol(symbol: str) -> OptionContract:
    """The contract of "MO2703-P-6000.CFFEX" (or the bare code "MO2703-P-6000").

    Upper or lower case is accepted; anything else (spaces inside, another exchange,
    a strike with decimals or a leading zero, month 00 or 13, non-ASCII digits, an
    unknown product) raises `InvalidOptionSymbol` naming the input.
    """
    if not isinstance(symbol, str):
        raise InvalidOptionSymbol(f"option symbol {symbol!r}: expected text like {_EXAMPLE}")
    shown = symbol if len(symbol) <= _MAX_SYMBOL_CHARS else symbol[:_MAX_SYMBOL_CHARS] + "..."
    if len(symbol) > _MAX_SYMBOL_CHARS:
        raise InvalidOptionSymbol(f"option symbol {shown!r}: too long for MO2703-P-6000.CFFEX")
    code, dot, suffix = symbol.strip().upper().partition(".")
    if dot and suffix != Exchange.CFFEX.value:
        raise InvalidOptionSymbol(
            f"option symbol {shown!r}: MO options trade on CFFEX, not {suffix!r}"
        )
    match = _OPTION_CODE.fullmatch(code)
    if match is None:
        raise InvalidOptionSymbol(
            f"option symbol {shown!r}: expected product, YYMM, C or P and a whole strike, "
            "like MO2703-P-6000.CFFEX"
        )
    product, yy, mm, right, strike = match.groups()
    if product not in OPTION_SPECS:
        known = ", ".join(sorted(OPTION_SPECS))
        raise InvalidOptionSymbol(
            f"option symbol {shown!r}: no option product {product} (known: {known})"
        )
    return OptionContract(product, 2000 + int(yy), int(mm), OptionRight(right), Decimal(strike))


def looks_like_option(code: str) -> bool:
    """Whether an upper-cased code has the option shape (a dash in it): it is then
    parsed as an option and never as a stock or a future."""
    return "-" in code


def option_symbol(
    year: int, month: int, right: str, strike: Decimal | int, product: str = "MO"
) -> str:
    """vt_symbol of an option: (2027, 3, "P", 6000) -> "MO2703-P-6000.CFFEX"."""
    return OptionContract(product, year, month, parse_right(right), Decimal(strike)).vt_symbol


def _whole_strike(strike: object) -> Decimal:
    if isinstance(strike, bool) or not isinstance(strike, Decimal | int):
        raise InvalidOptionSymbol(f"strike {strike!r}: expected a Decimal or int")
    try:
        value = Decimal(strike)
        whole = value.to_integral_value()
    except (InvalidOperation, ValueError):
        raise InvalidOptionSymbol(f"strike {strike!r}: not a number") from None
    if not value.is_finite() or value <= 0 or value != whole or value >= 1_000_000:
        raise InvalidOptionSymbol(
            f"strike {strike!r}: expected a whole number of index points, 1-999999"
        )
    return whole.quantize(Decimal(1))
