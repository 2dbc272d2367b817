"""Vendor codes to the desk's vt_symbols, exactly and refusing anything else.

Tushare writes `600000.SH`, `000001.SZ`, `920002.BJ` and futures `IM2612.CFX`; the desk
writes `600000.SSE`, `000001.SZSE`, `920002.BSE`, `IM2612.CFFEX`. The exchange is
checked against the code (`exchange.classify`), so a code on the wrong exchange or a
B-share (900xxx.SH, 200xxx.SZ) is refused, never guessed.
"""

from __future__ import annotations

import re
from datetime import date

from errors import FixData
from exchange import Board, classify
from exchange.errors import RulesError

TUSHARE_EXCHANGES = {"SH": "SSE", "SZ": "SZSE", "BJ": "BSE"}
IM_CODE = re.compile(r"^IM(\d{4})\.CFX$")


class UnknownVendorCode(ValueError, FixData):
    """A vendor code the desk does not map (it names the code and why)."""


def stock_symbol(ts_code: str, on: date | None = None) -> str:
    code, _, suffix = ts_code.strip().upper().partition(".")
    exchange = TUSHARE_EXCHANGES.get(suffix)
    if exchange is None or not re.fullmatch(r"\d{6}", code):
        raise UnknownVendorCode(f"{ts_code!r}: not a stock code like 600000.SH")
    symbol = f"{code}.{exchange}"
    try:
        info = classify(symbol, on)
    except RulesError as exc:
        raise UnknownVendorCode(f"{ts_code!r}: {exc}") from None
    if info.board is Board.B_SHARE:
        raise UnknownVendorCode(f"{ts_code!r}: a B-share, not traded by the desk")
    return symbol


def is_stock(ts_code: str, on: date | None = None) -> bool:
    try:
        stock_symbol(ts_code, on)
    except UnknownVendorCode:
        return False
    return True


def future_symbol(ts_code: str) -> str | None:
    """`IM2612.CFX` -> `IM2612.CFFEX`; None for anything that is not an IM contract
    (continuous and main-contract codes such as `IM.CFX` or `IML.CFX` included)."""
    match = IM_CODE.match(ts_code.strip().upper())
    return f"IM{match.group(1)}.CFFEX" if match else None


# AKShare writes bare codes (`600000`, Eastmoney's and the exchanges' lists) or Sina's
# prefixed ones (`sh600000`, `sz000001`, `bj920002`); futures as `IM2612`.
SINA_PREFIXES = {"SH": "SSE", "SZ": "SZSE", "BJ": "BSE"}
SINA_OF_EXCHANGE = {v: k.lower() for k, v in SINA_PREFIXES.items()}
AKSHARE_IM = re.compile(r"^IM(\d{4})$")


def akshare_symbol(code: str, on: date | None = None) -> str:
    """`600000` or `sh600000` -> `600000.SSE`; the exchange follows from the code's
    prefix (`exchange.classify`), and a Sina prefix must agree with it."""
    text = str(code).strip().upper()
    prefix = text[:2] if text[:2] in SINA_PREFIXES else ""
    digits = text[len(prefix):]
    if not re.fullmatch(r"\d{6}", digits):
        raise UnknownVendorCode(f"{code!r}: not a stock code like 600000 or sh600000")
    try:
        info = classify(digits, on)
    except RulesError as exc:
        raise UnknownVendorCode(f"{code!r}: {exc}") from None
    if prefix and SINA_PREFIXES[prefix] != info.exchange.value:
        raise UnknownVendorCode(f"{code!r}: code {digits} trades on {info.exchange.value}, "
                                f"not {SINA_PREFIXES[prefix]}")
    if info.board is Board.B_SHARE:
        raise UnknownVendorCode(f"{code!r}: a B-share, not traded by the desk")
    return info.symbol


def is_akshare_stock(code: str, on: date | None = None) -> bool:
    try:
        akshare_symbol(code, on)
    except UnknownVendorCode:
        return False
    return True


def sina_code(symbol: str) -> str:
    """`600000.SSE` -> `sh600000` (what Sina's functions take)."""
    code, _, exchange = symbol.partition(".")
    return f"{SINA_OF_EXCHANGE[exchange]}{code}"


def akshare_future_symbol(code: str) -> str | None:
    """`IM2612` -> `IM2612.CFFEX`; None for any other contract (IF, IC, IH, T ...)."""
    match = AKSHARE_IM.match(str(code).strip().upper())
    return f"IM{match.group(1)}.CFFEX" if match else None
