"""Which exchange and board a code belongs to, from its prefix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from exchange.data import BSE_CODE_SWITCH, FUTURE_SPECS
from exchange.enums import Board, Exchange
from exchange.errors import UnknownSecurity, UnsupportedSecurity
from exchange.option_symbols import looks_like_option, parse_option_symbol

# Six-digit stock codes: (prefix, exchange, board). Longest prefix wins, so the single
# ChiNext code 302132 is listed whole.
_STOCK_PREFIXES: tuple[tuple[str, Exchange, Board], ...] = (
    *((p, Exchange.SSE, Board.MAIN) for p in ("600", "601", "603", "605")),
    *((p, Exchange.SSE, Board.STAR) for p in ("688", "689")),
    ("900", Exchange.SSE, Board.B_SHARE),
    *((p, Exchange.SZSE, Board.MAIN) for p in ("000", "001", "002", "003")),
    *((p, Exchange.SZSE, Board.CHINEXT) for p in ("300", "301", "302132")),
    ("200", Exchange.SZSE, Board.B_SHARE),
    ("920", Exchange.BSE, Board.BSE),
)
_LONGEST_PREFIX_FIRST = sorted(_STOCK_PREFIXES, key=lambda row: -len(row[0]))
# Codes BSE used before moving every stock to 920xxx.
_LEGACY_BSE_PREFIXES = ("43", "83", "87", "88")
_FUTURE_CODE = re.compile(r"^([A-Z]{1,2})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class SecurityInfo:
    code: str
    exchange: Exchange
    board: Board

    @property
    def symbol(self) -> str:
        """The vnpy vt_symbol, e.g. "600000.SSE"."""
        return f"{self.code}.{self.exchange.value}"

    @property
    def is_future(self) -> bool:
        return self.board is Board.INDEX_FUTURE

    @property
    def is_option(self) -> bool:
        """An index option (MO). Not a future: `is_future` stays False for it."""
        return self.board is Board.INDEX_OPTION

    @property
    def is_derivative(self) -> bool:
        """A CFFEX contract (future or option): lots, T+0, open/close offsets."""
        return self.is_future or self.is_option


def classify(symbol: str, on: date | None = None) -> SecurityInfo:
    """Exchange and board of `symbol` ("600000.SSE", "600000", "IM2612.CFFEX" or the
    option "MO2703-P-6000.CFFEX").

    Legacy BSE codes (43x/83x/87x/88x) are recognised only when `on` is given and is
    before 2025-10-09; a bare leading 8 or 9 is never taken as BSE on its own.
    """
    known = _dateless(symbol)
    return known if known is not None else _classify(symbol, on)


@lru_cache(maxsize=16384)
def _dateless(symbol: str) -> SecurityInfo | None:
    """The classification of `symbol` when it does not depend on the day (every code but
    the legacy BSE ones), remembered: rule lookups ask for the same symbols all day."""
    try:
        return _classify(symbol, None)
    except UnknownSecurity:
        return None  # a legacy BSE code (needs the day) or no security: decided per call


def _classify(symbol: str, on: date | None) -> SecurityInfo:
    code, _, suffix = symbol.strip().upper().partition(".")
    if looks_like_option(code):
        contract = parse_option_symbol(symbol)
        return SecurityInfo(contract.code, Exchange.CFFEX, Board.INDEX_OPTION)
    info = _classify_code(code, on, symbol)
    if suffix and suffix != info.exchange.value:
        raise UnknownSecurity(
            f"symbol {symbol!r}: code {code} trades on {info.exchange.value}, not {suffix}"
        )
    return info


def require_stock(info: SecurityInfo, what: str) -> None:
    """Refuse B-shares and futures where only A-share rules apply."""
    if info.board is Board.B_SHARE:
        raise UnsupportedSecurity(f"{info.symbol}: B-shares are not traded by the desk ({what})")
    if info.is_future:
        raise UnsupportedSecurity(f"{info.symbol}: {what} applies to stocks, not futures")
    if info.is_option:
        raise UnsupportedSecurity(f"{info.symbol}: {what} applies to stocks, not options")


def _classify_code(code: str, on: date | None, symbol: str) -> SecurityInfo:
    future = _FUTURE_CODE.match(code)
    if future:
        return _classify_future(code, future.group(1), int(future.group(3)), symbol)
    if not (len(code) == 6 and code.isdigit()):
        raise UnknownSecurity(
            f"symbol {symbol!r}: expected a six-digit code or a future like IM2612"
        )
    for prefix, exchange, board in _LONGEST_PREFIX_FIRST:
        if code.startswith(prefix):
            return SecurityInfo(code, exchange, board)
    if code.startswith(_LEGACY_BSE_PREFIXES):
        return _classify_legacy_bse(code, on, symbol)
    raise UnknownSecurity(f"symbol {symbol!r}: code {code} matches no known exchange prefix")


def _classify_legacy_bse(code: str, on: date | None, symbol: str) -> SecurityInfo:
    if on is None or on >= BSE_CODE_SWITCH:
        when = "no date was given" if on is None else f"{on} is not"
        raise UnknownSecurity(
            f"symbol {symbol!r}: {code[:2]}x codes are BSE codes only before "
            f"{BSE_CODE_SWITCH} ({when} before it; BSE stocks are 920xxx since then)"
        )
    return SecurityInfo(code, Exchange.BSE, Board.BSE)


def _classify_future(code: str, product: str, month: int, symbol: str) -> SecurityInfo:
    if product not in FUTURE_SPECS:
        known = ", ".join(sorted(FUTURE_SPECS))
        raise UnknownSecurity(f"symbol {symbol!r}: no contract spec for {product} (known: {known})")
    if not 1 <= month <= 12:
        raise UnknownSecurity(f"symbol {symbol!r}: month {month:02d} is not 01-12")
    return SecurityInfo(code, Exchange.CFFEX, Board.INDEX_FUTURE)
